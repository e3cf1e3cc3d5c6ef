"""Generated reply text: English for English prompts, Chinese for Chinese ones. Words come
from Faker's lorem lists (copied in words.py: importing Faker slowed every start)."""

from __future__ import annotations

import random
import re
import struct

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
# Each English word in the three forms a token takes (sentence start, first of the reply,
# inside a sentence), built once rather than by capitalize() and " " + per token.
BARE_CAPS = tuple(w.capitalize() for w in ENGLISH_WORDS)
SPACED_CAPS = tuple(" " + w for w in BARE_CAPS)
SPACED = tuple(" " + w for w in ENGLISH_WORDS)

Source = Draws | random.Random


def reply_length(source: Source) -> int:
    if isinstance(source, Draws):  # one byte: 37 lengths, the first 34 a little likelier
        return MIN_REPLY_TOKENS + source.take(1)[0] % (MAX_REPLY_TOKENS - MIN_REPLY_TOKENS + 1)
    return source.randint(MIN_REPLY_TOKENS, MAX_REPLY_TOKENS)


def english_tokens_from(draws: Draws, count: int) -> list[str]:
    """english_tokens' shape (sentences of 5-12 words, a full stop token between them,
    ending on one) from a draw stream: two bytes a word, one a sentence length, read in
    one take; the per-request Mersenne Twister seeding it avoids cost more than the text
    (issue 9). A 16-bit draw modulo the word count favours no word by more than 1.5%."""
    raw = draws.take(3 * count)
    picks = struct.unpack_from(f"<{count}H", raw)
    lengths = raw[2 * count:]
    words = len(SPACED)
    spaced = [SPACED[i % words] for i in picks]  # one comprehension, sliced per sentence
    tokens: list[str] = []
    used = sentence = 0
    while len(tokens) < count:  # every sentence adds a token per word: picks never run out
        size = 5 + (lengths[sentence] & 7)
        sentence += 1
        first = picks[used] % words
        if tokens:
            tokens.append(".")
            tokens.append(SPACED_CAPS[first])
        else:
            tokens.append(BARE_CAPS[first])
        tokens += spaced[used + 1:used + size]
        used += size
    del tokens[count:]
    if count >= 2 and tokens[-1] != "." and tokens[-2] != ".":
        tokens[-1] = "."
    return tokens


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


def generate_text(source: Source, chinese: bool, count: int | None = None) -> str:
    return "".join(generate_tokens(source, chinese,
                                   reply_length(source) if count is None else count))
