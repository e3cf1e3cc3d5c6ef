"""Generated reply text: English for English prompts, Chinese for Chinese ones. Words come
from Faker's lorem lists (copied in words.py: importing Faker slowed every start)."""

from __future__ import annotations

import hashlib
import random
import re
import struct
from collections.abc import Iterator
from functools import cache

from .seed import Draws
from .tokens import split_tokens
from .words import LOREM_EN, LOREM_ZH

ENGLISH_WORDS: tuple[str, ...] = tuple(w for w in LOREM_EN if w.isalpha())
CHINESE_WORDS: tuple[str, ...] = LOREM_ZH
# English pieces are ASCII words (with their leading space) and full stops, each exactly one
# token: re-splitting their join gives them back, so that check is skipped for English.
ENGLISH_SPLITS_ITSELF = all(re.fullmatch("[A-Za-z]+", w) for w in ENGLISH_WORDS)

# Reply lengths in tokens when nothing caps them.
MIN_REPLY_TOKENS = 12
MAX_REPLY_TOKENS = 48
REPLY_LENGTHS = MAX_REPLY_TOKENS - MIN_REPLY_TOKENS + 1
# Each English word in the three forms a token takes (sentence start, first of the reply,
# inside a sentence), built once rather than by capitalize() and " " + per token.
BARE_CAPS = tuple(w.capitalize() for w in ENGLISH_WORDS)
SPACED_CAPS = tuple(" " + w for w in BARE_CAPS)
SPACED = tuple(" " + w for w in ENGLISH_WORDS)

Source = Draws | random.Random


def reply_length(source: Source) -> int:
    if isinstance(source, Draws):  # one byte: 37 lengths, the first 34 a little likelier
        return MIN_REPLY_TOKENS + source.take(1)[0] % REPLY_LENGTHS
    return source.randint(MIN_REPLY_TOKENS, MAX_REPLY_TOKENS)


Sentences = tuple[tuple[str, ...], ...]
# Replies from a draw stream are made of whole sentences from a fixed pool, not word by
# word: a few list extends instead of a word lookup per token (issue 9). 1024 sentences
# keep repeats rare; a power of two, so a 16-bit draw masked to 10 bits picks each one
# equally often.
SENTENCE_POOL = 1024
# Every sentence is at least 6 tokens (5 words and its full stop).
SHORTEST_SENTENCE = 6


@cache  # built on the first English reply, not at import: it takes a few ms (issue 9)
def sentence_pool() -> tuple[Sentences, Sentences]:
    """SENTENCE_POOL fixed sentences of 5-12 words ending on a full stop, each as a reply's
    first (bare capital) and as a later one (spaced capital). Words come from one SHAKE
    call of a fixed key: a Mersenne Twister here took three times as long."""
    size, words = SENTENCE_POOL, len(ENGLISH_WORDS)
    raw = hashlib.shake_128(b"emulator sentences").digest(25 * size)
    # 12 two-byte word picks a sentence (the longest), then one byte a sentence length. A
    # 16-bit pick modulo the word count favours no word by more than 1.5%.
    picks = [i % words for i in struct.unpack_from(f"<{12 * size}H", raw)]
    lengths = raw[24 * size:]
    spaced = [SPACED[i] for i in picks]
    firsts: list[tuple[str, ...]] = []
    laters: list[tuple[str, ...]] = []
    for n in range(size):
        start = 12 * n
        rest = spaced[start + 1:start + 5 + (lengths[n] & 7)]
        firsts.append((BARE_CAPS[picks[start]], *rest, "."))
        laters.append((SPACED_CAPS[picks[start]], *rest, "."))
    return tuple(firsts), tuple(laters)


def _pooled_sentences(picks: Iterator[int], count: int) -> list[str]:
    """english_tokens' shape (sentences of 5-12 words, a full stop token between them,
    ending on one) in `count` tokens: whole pooled sentences, one pick each, rather than
    word by word (issue 9). `picks` must last: count // SHORTEST_SENTENCE + 1 do."""
    firsts, laters = sentence_pool()
    mask = SENTENCE_POOL - 1
    tokens = list(firsts[next(picks) & mask])
    while len(tokens) < count:
        tokens += laters[next(picks) & mask]
    del tokens[count:]
    # End on a full stop where that does not leave two in a row.
    if count >= 2 and tokens[-1] != "." and tokens[-2] != ".":
        tokens[-1] = "."
    return tokens


def english_tokens_from(draws: Draws, count: int) -> list[str]:
    """English from a draw stream: two bytes a sentence, read in one take; the
    per-request Mersenne Twister seeding this avoids cost more than the text (issue 9)."""
    sentences = count // SHORTEST_SENTENCE + 1
    return _pooled_sentences(iter(struct.unpack(f"<{sentences}H", draws.take(2 * sentences))),
                             count)


def english_tokens(rng: random.Random, count: int) -> list[str]:
    tokens: list[str] = []
    left = 0  # words left in the current sentence
    for word in rng.choices(ENGLISH_WORDS, k=count):  # one draw: the hot path of every reply
        if left == 0:
            if tokens:
                tokens.append(".")
            # randint(5, 12) is 5 + _randbelow(8) in CPython: the same draw, minus two
            # Python-level calls on the hot path of every reply.
            left = 5 + rng._randbelow(8)  # type: ignore[attr-defined]
            word = word.capitalize()
        tokens.append(" " + word if tokens else word)
        left -= 1
    tokens = tokens[:count]
    # End on a full stop where that does not leave two in a row.
    if count >= 2 and tokens[-1] != "." and tokens[-2] != ".":
        tokens[-1] = "."
    return tokens


def chinese_tokens(rng: random.Random, count: int) -> list[str]:
    chars: list[str] = []
    since_mark = 0
    while len(chars) < count:
        word = rng.choice(CHINESE_WORDS)
        chars.extend(word)
        since_mark += len(word)
        if since_mark >= rng.randint(8, 16):
            chars.append("，" if rng.random() < 0.6 else "。")
            since_mark = 0
    chars = chars[:count]
    if (chars and chars[-1] == "，") or (count > 1 and chars[-1] != "。"):
        chars[-1] = "。"
    return chars


def generate_tokens(source: Source, chinese: bool, count: int) -> list[str]:
    """`count` token pieces of plausible text; their concatenation re-splits to them.
    From a Draws stream English reads its bytes, Chinese (rarer) the stream's rng."""
    if count <= 0:
        return []
    if isinstance(source, Draws):
        if not chinese:
            tokens = english_tokens_from(source, count)
            return tokens if ENGLISH_SPLITS_ITSELF else split_tokens("".join(tokens))
        source = source.rng
    if not chinese and ENGLISH_SPLITS_ITSELF:
        return english_tokens(source, count)
    tokens = chinese_tokens(source, count) if chinese else english_tokens(source, count)
    # Guarantee the invariant the usage counts rely on.
    return split_tokens("".join(tokens))


# A default reply's draws: its length byte, then two bytes for each sentence it may need.
REPLY_DRAWS = struct.Struct(f"<B{MAX_REPLY_TOKENS // SHORTEST_SENTENCE + 1}H")


def reply_tokens(source: Source, chinese: bool) -> list[str]:
    """generate_tokens(source, chinese, reply_length(source)), a reply of the default
    length. From a draw stream, English reads the same bytes (so gives the same text) in
    one take and one unpack rather than two (issue 9)."""
    if isinstance(source, Draws) and not chinese and ENGLISH_SPLITS_ITSELF:
        picks = iter(REPLY_DRAWS.unpack(source.take(REPLY_DRAWS.size)))
        return _pooled_sentences(picks, MIN_REPLY_TOKENS + next(picks) % REPLY_LENGTHS)
    return generate_tokens(source, chinese, reply_length(source))


def generate_text(source: Source, chinese: bool, count: int | None = None) -> str:
    return "".join(generate_tokens(source, chinese,
                                   reply_length(source) if count is None else count))
