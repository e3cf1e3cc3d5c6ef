"""Generated reply text: English for English prompts, Chinese for Chinese ones. Words come
from Faker's lorem lists (read once from the class, no Faker instance per request)."""

from __future__ import annotations

import random

from faker.providers.lorem.en_US import Provider as EnglishLorem
from faker.providers.lorem.zh_CN import Provider as ChineseLorem

from .tokens import split_tokens

ENGLISH_WORDS: tuple[str, ...] = tuple(w for w in EnglishLorem.word_list if w.isalpha())
CHINESE_WORDS: tuple[str, ...] = tuple(ChineseLorem.word_list)

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
            left = rng.randint(5, 12)
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
    tokens = chinese_tokens(rng, count) if chinese else english_tokens(rng, count)
    # Guarantee the invariant the usage counts rely on.
    return split_tokens("".join(tokens))


def generate_text(rng: random.Random, chinese: bool, count: int | None = None) -> str:
    return "".join(generate_tokens(rng, chinese, reply_length(rng) if count is None else count))
