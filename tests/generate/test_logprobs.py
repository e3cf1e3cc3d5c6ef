"""Token logprobs: a token's values do not depend on how many alternatives were asked for,
and what one position lists is a probability distribution's top (it sums to at most 1)."""

from __future__ import annotations

import itertools
import math

from hypothesis import given
from hypothesis import strategies as st

from emulator.generate.logprobs import MOST_TOP, token_logprobs
from emulator.generate.seed import Draws

TOKENS = ["Hello", " world", ",", " this", " is", " a", " test", "."]


@given(st.binary(min_size=1, max_size=16))
def test_asking_for_more_alternatives_changes_no_value(key: bytes) -> None:
    lists = {top: token_logprobs(Draws(key), TOKENS, top) for top in (0, 1, 2, 5, MOST_TOP)}
    for top, entries in lists.items():
        assert [e["token"] for e in entries] == TOKENS
        assert [e["logprob"] for e in entries] == [e["logprob"] for e in lists[0]]
        for entry, fullest in zip(entries, lists[MOST_TOP], strict=True):
            assert entry["top_logprobs"] == fullest["top_logprobs"][:top]


@given(st.binary(min_size=1, max_size=16))
def test_each_position_lists_the_likeliest_tokens_of_one_distribution(key: bytes) -> None:
    for entry in token_logprobs(Draws(key), TOKENS, MOST_TOP):
        listed = entry["top_logprobs"]
        assert listed[0]["token"] == entry["token"] and listed[0]["logprob"] == entry["logprob"]
        values = [t["logprob"] for t in listed]
        assert all(a > b for a, b in itertools.pairwise(values))
        assert -1.5 - 1e-6 <= entry["logprob"] < 0
        assert sum(math.exp(v) for v in values) <= 1 + 1e-6
        assert len({t["token"] for t in listed}) == MOST_TOP
