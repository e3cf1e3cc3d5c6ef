"""Strings drawn to match a schema's `pattern`: they match, the same seed draws the same
one, and what cannot be drawn (or would be huge) is refused at once."""

from __future__ import annotations

import random
import re
import time

import pytest

from emulator.generate.regex_strings import Unmatchable, string_matching

PATTERNS = [r"^[0-9]{5}$", r"^[A-Z]{2}-\d{3}$", r"^(foo|bar)+$", r"^[a-z]+@[a-z]+\.com$",
            r"^id_[0-9]+$", r"[^abc]x", r"(\w)\1", r"^\S+ \S+$", r"^[^0-9]{3}$", r".",
            r"^v\d+\.\d+(\.\d+)?$", r"^[\u4e00-\u9fa5]{2,4}$", r"colou?r", r"(?i)^abc$",
            r"\A[a-z]+\Z", "[\ud7f0-\udfff]"]


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("seed", range(10))
def test_a_drawn_string_matches_its_pattern(pattern: str, seed: int) -> None:
    value = string_matching(pattern, random.Random(seed))
    assert re.search(pattern, value)
    assert value == string_matching(pattern, random.Random(seed))


@pytest.mark.parametrize("pattern", [
    r"^(?=a)b", r"(?<!x)y", "((a{200}){200}){200}", "(a{1000}){1000}", "a" * 5000,
    "(unclosed", "(?:){4000000000}", r"(?:\b){100000}", "(?:a{0}){4000000000}",
    r"^(?:x+x+){20}$y", "[\ud800-\udfff]", "\ud800", "(?i)[^a]", r"[^\d]"])
def test_what_cannot_be_drawn_is_refused_at_once(pattern: str) -> None:
    started = time.monotonic()
    with pytest.raises(Unmatchable):
        string_matching(pattern, random.Random(0))
    assert time.monotonic() - started < 1
