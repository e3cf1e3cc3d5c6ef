"""Embedding vectors that behave like real ones for retrieval tests.

A text's vector is a hashed bag of words: every feature (a lower-cased word, a CJK bigram,
or a token id from a token-array input) owns a fixed pseudo-random direction, and the
vector is the normalised, weighted sum of its features' directions. Unrelated directions
are nearly orthogonal in hundreds of dimensions, so texts that share words have a clearly
higher cosine than texts that share none, and a RAG pipeline ranks sensibly.

A vector depends on the text, its "space" (the model under the emulator's seed) and the
dimension count only, never on the request it came in, so the same text embeds the same
way in every call of a run. Directions
are the SHAKE-256 stream of (space, feature) read as int16s: no numpy, and a prefix of a
longer direction is the shorter one, so `dimensions=k` equals the first k components
re-normalised, as OpenAI's shortened embeddings are.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

WORD_RE = re.compile(r"[^\W_\u3400-\u9fff\uf900-\ufaff]+", re.UNICODE)
CJK_RUN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# Function words carry little meaning: they weigh a quarter, so two texts sharing only
# "the" stay far apart while a shared content word pulls them together.
STOPWORDS = frozenset({
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "is", "are", "be",
    "was", "were", "it", "its", "this", "that", "as", "at", "by", "from", "what", "how",
    "which", "who", "do", "does", "i", "you", "we", "he", "she", "they", "me", "my",
    "的", "了", "是", "在", "和",
})
# A text with no features at all (empty, punctuation only) still gets a unit vector.
EMPTY_FEATURE = "\x00empty"


def text_features(text: str) -> Counter[str]:
    """Feature counts of a text: words (lower-cased, any script but CJK) and the
    bigrams of CJK runs (the single character of a one-character run)."""
    lowered = text.lower()
    features: Counter[str] = Counter(WORD_RE.findall(lowered))
    for run in CJK_RUN_RE.findall(lowered):
        if len(run) == 1:
            features[run] += 1
        else:
            features.update(run[i : i + 2] for i in range(len(run) - 1))
    return features


def token_features(tokens: Iterable[int]) -> Counter[str]:
    """Feature counts of a token-array input: each token id is a feature."""
    return Counter(f"#{token}" for token in tokens)


# Directions are summed as packed integers: each component is an int16 shifted to
# unsigned and held in a 64-bit lane of one big int, so adding (and weighting) a whole
# direction is one C-level big-int operation instead of a Python loop per component.
LANE_BYTES = 8
BIAS = 1 << 15
# Integer weights: a content word 4, a stopword 1 (a quarter).
WORD_WEIGHT = 4
STOPWORD_WEIGHT = 1


@lru_cache(maxsize=8192)
def direction(space: str, feature: str, dims: int) -> int:
    """The feature's fixed direction as packed lanes (components uniform in int16; their
    lengths even out over hundreds of dimensions). Cached: vocabularies repeat."""
    digest = hashlib.shake_256(f"{space}\x00{feature}".encode()).digest(2 * dims)
    components = array("h")
    components.frombytes(digest)
    lanes = array("Q", [c + BIAS for c in components])
    return int.from_bytes(lanes.tobytes(), sys.byteorder)


def embed_features(features: Counter[str], space: str, dims: int) -> list[float]:
    """The unit vector of a feature bag, its components float32-exact (so the float and
    the base64 encodings of one vector decode to identical numbers)."""
    if not features:
        features = Counter({EMPTY_FEATURE: 1})
    packed = 0
    total_weight = 0
    for feature, count in features.items():
        weight = count * (STOPWORD_WEIGHT if feature in STOPWORDS else WORD_WEIGHT)
        packed += weight * direction(space, feature, dims)
        total_weight += weight
    lanes = array("Q")
    lanes.frombytes(packed.to_bytes(LANE_BYTES * dims, sys.byteorder))
    bias = BIAS * total_weight
    summed = [lane - bias for lane in lanes]
    norm = math.hypot(*summed) or 1.0
    scale = 1.0 / norm
    return array("f", [x * scale for x in summed]).tolist()


def embed_text(text: str, space: str, dims: int) -> list[float]:
    return embed_features(text_features(text), space, dims)


def embed_tokens(tokens: Sequence[int], space: str, dims: int) -> list[float]:
    return embed_features(token_features(tokens), space, dims)


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity (the vectors here are unit length, so the dot product)."""
    return math.fsum(x * y for x, y in zip(a, b, strict=True))


def to_base64(vector: Sequence[float]) -> str:
    """Little-endian float32 bytes, base64: what `encoding_format: "base64"` returns and
    the `openai` SDK decodes (`array("f")` / `numpy.frombuffer(dtype=float32)`)."""
    packed = array("f", vector)
    if sys.byteorder != "little":  # pragma: no cover - CI is little-endian
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode()


def from_base64(encoded: str) -> list[float]:
    """The inverse of `to_base64` (for tests and clients)."""
    unpacked = array("f")
    unpacked.frombytes(base64.b64decode(encoded))
    if sys.byteorder != "little":  # pragma: no cover
        unpacked.byteswap()
    return unpacked.tolist()
