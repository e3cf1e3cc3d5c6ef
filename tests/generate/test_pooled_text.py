"""English from a draw stream is made of pooled sentences (issue 9): the same shape as
word-by-word text, and the same text however a reply's draws are read."""

from __future__ import annotations

from itertools import pairwise

from emulator.generate.seed import Draws
from emulator.generate.text import (
    BARE_CAPS,
    ENGLISH_WORDS,
    MAX_REPLY_TOKENS,
    MIN_REPLY_TOKENS,
    SENTENCE_POOL,
    generate_tokens,
    reply_length,
    reply_tokens,
    sentence_pool,
)
from emulator.generate.tokens import (
    CACHED_TEXT_CHARS,
    count_tokens,
    is_chinese,
    split_tokens,
)
from emulator.protocols.answers import Conversation, compose_text


def check_shape(tokens: list[str], count: int) -> None:
    assert len(tokens) == count
    assert tokens == split_tokens("".join(tokens))
    assert tokens[0] in BARE_CAPS
    words = 1  # in the current sentence
    for index, (previous, token) in enumerate(pairwise(tokens), 2):
        if token == ".":
            assert previous != "."
            # Only the last sentence may be cut short (by the reply's length).
            assert 5 <= words <= 12 or index == count
            words = 0
            continue
        assert token[0] == " "
        assert token[1:] in (BARE_CAPS if previous == "." else ENGLISH_WORDS)
        words += 1
    assert words <= 12
    # A full stop last, unless that would make two in a row.
    assert count < 2 or "." in tokens[-2:]


def test_drawn_english_has_sentences_of_5_to_12_words() -> None:
    for n in range(400):
        count = 1 + n % 120
        check_shape(generate_tokens(Draws(n.to_bytes(4, "big")), False, count), count)


def test_a_default_reply_reads_the_same_bytes_as_length_then_words() -> None:
    for n in range(500):
        key = n.to_bytes(4, "big") + b"choice:0"
        fused = reply_tokens(Draws(key), False)
        draws = Draws(key)
        count = reply_length(draws)
        assert fused == generate_tokens(draws, False, count)
        assert MIN_REPLY_TOKENS <= len(fused) <= MAX_REPLY_TOKENS
        check_shape(fused, len(fused))


def test_the_sentence_pool_is_fixed_and_its_two_forms_differ_only_in_the_first_word() -> None:
    firsts, laters = sentence_pool()
    assert len(firsts) == len(laters) == SENTENCE_POOL
    for first, later in zip(firsts, laters, strict=True):
        assert later[0] == " " + first[0] and first[1:] == later[1:]
        assert 6 <= len(first) <= 13 and first[-1] == "."
    sentence_pool.cache_clear()
    assert sentence_pool() == (firsts, laters)


def test_text_answers_carry_their_tokens_joined() -> None:
    talk = Conversation("user", "Describe a forest", None)
    tool = Conversation("tool", "Describe a forest", '{"temperature": 21}')
    for n in range(50):
        key = n.to_bytes(4, "big")
        for answer in (compose_text(Draws(key), talk, max_tokens=None),
                       compose_text(Draws(key), talk, max_tokens=5),
                       compose_text(Draws(key), talk, max_tokens=None, stop=["e"]),
                       compose_text(Draws(key), tool, max_tokens=None)):
            assert answer.text == "".join(answer.tokens)
            assert list(answer.tokens) == split_tokens(answer.text)
        assert answer.text.startswith('Based on the tool result: {"temperature": 21} ')


def test_counts_are_the_splits_length_remembered_or_not() -> None:
    for text in ("", " ", "Hello, world! ", "it's 3 o'clock\n\n", "a" * 5 + " b" * 100,
                 "word " * (CACHED_TEXT_CHARS // 5 + 10)):
        assert count_tokens(text) == count_tokens(text) == len(split_tokens(text))


def test_chinese_is_found_past_an_ascii_check() -> None:
    assert not is_chinese("Describe a forest")
    assert not is_chinese("Décris une forêt")
    assert is_chinese("描述一片森林")
    assert is_chinese("Describe 森林")
    assert Conversation("user", "Describe 森林", None).chinese
    assert not Conversation("user", "Describe a forest", None).chinese
