"""Generated reply text: English for English prompts, Chinese for Chinese ones. Words come
from Faker's lorem lists (copied in words.py: importing Faker slowed every start)."""

from __future__ import annotations

import random
import re

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


def reply_length(rng: random.Random) -> int:
    return rng.randint(MIN_REPLY_TOKENS, MAX_REPLY_TOKENS)


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


def generate_tokens(rng: random.Random, chinese: bool, count: int) -> list[str]:
    """`count` token pieces of plausible text; their concatenation re-splits to them."""
    if count <= 0:
        return []
    if not chinese and ENGLISH_SPLITS_ITSELF:
        return english_tokens(rng, count)
    tokens = chinese_tokens(rng, count) if chinese else english_tokens(rng, count)
    # Guarantee the invariant the usage counts rely on.
    return split_tokens("".join(tokens))


def generate_text(rng: random.Random, chinese: bool, count: int | None = None) -> str:
    return "".join(generate_tokens(rng, chinese, reply_length(rng) if count is None else count))
