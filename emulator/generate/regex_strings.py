"""Strings that match a regular expression, drawn from a seeded generator: a schema's
`pattern` (a zip code, an id like `AB-123`) gets a value that passes it.

Walks the pattern as Python's own parser reads it, drawing only what is sure to match:
anchors other than a leading `^` and a closing `$`, lookarounds, backreferences to a group
not drawn, classes it cannot complement exactly and surrogates raise Unmatchable, and the
caller falls back. So no match is tried afterwards: a client's pattern with nested
repeats could make that backtrack for ever."""

from __future__ import annotations

import random
import re
import string
from functools import lru_cache
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

# Repeats without an upper bound (`+`, `*`, `{2,}`) stop a few past their minimum.
EXTRA_REPEATS = 3
LONGEST = 256
CATEGORIES = {
    sre.CATEGORY_DIGIT: string.digits,
    sre.CATEGORY_NOT_DIGIT: string.ascii_letters + "_- ",
    sre.CATEGORY_SPACE: " ",
    sre.CATEGORY_NOT_SPACE: string.ascii_letters + string.digits,
    sre.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    sre.CATEGORY_NOT_WORD: " -.,",
}
PRINTABLE = string.ascii_letters + string.digits + " -_.,"
SURROGATES = (0xD800, 0xDFFF)


class Unmatchable(ValueError):
    """The pattern uses something this generator does not draw (lookarounds, ...)."""


def string_matching(pattern: str, rng: random.Random) -> str:
    """A string that `re.search(pattern, ...)` accepts; Unmatchable when none is drawn."""
    items = _parsed(pattern)
    if items is None:
        raise Unmatchable(pattern)
    return _draw(items, rng, {}, [LONGEST])


@lru_cache(maxsize=256)  # a tool's schema comes back request after request
def _parsed(pattern: str) -> list[tuple[Any, Any]] | None:
    """The pattern's items without its leading `^` and closing `$`; None when it cannot be
    drawn (too long, not a pattern, or anchored elsewhere)."""
    if len(pattern) > LONGEST * 4:  # a client's schema is input: no huge parse
        return None
    try:
        parsed = _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    if "[^" in pattern and (parsed.state.flags & re.IGNORECASE or "(?i" in pattern):
        return None  # a complement is drawn case-sensitively: `(?i)[^a]` must not give A
    items = list(parsed)
    if items and items[0][0] is sre.AT and items[0][1] in (sre.AT_BEGINNING,
                                                           sre.AT_BEGINNING_STRING):
        items = items[1:]
    if items and items[-1][0] is sre.AT and items[-1][1] in (sre.AT_END, sre.AT_END_STRING):
        items = items[:-1]
    return items


def _draw(items: list[tuple[Any, Any]], rng: random.Random, groups: dict[int, str],
          left: list[int]) -> str:
    """The string `items` stand for; `left` counts the characters still allowed, so nested
    repeats (`((a{200}){200}){200}`) give up instead of building millions."""
    out = []
    for op, arg in items:
        # Every item spends one at least, so empty repeats (`(?:){4000000000}`) end too.
        left[0] -= 1 if op is not sre.GROUPREF else max(1, len(groups.get(arg, "")))
        if left[0] < 0:
            raise Unmatchable("too long")
        if op is sre.LITERAL:
            out.append(_char(arg))
        elif op is sre.NOT_LITERAL:
            out.append(next(c for c in PRINTABLE if ord(c) != arg))
        elif op is sre.ANY:
            out.append(rng.choice(string.ascii_letters))
        elif op is sre.IN:
            out.append(_one_of(arg, rng))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            low, high, sub = arg
            if low > left[0]:
                raise Unmatchable("too long")
            high = low + EXTRA_REPEATS if high == sre.MAXREPEAT else \
                min(high, low + EXTRA_REPEATS)
            out.extend(_draw(list(sub), rng, groups, left)
                       for _ in range(rng.randint(low, high)))
        elif op is sre.SUBPATTERN:
            group, _, _, sub = arg
            text = _draw(list(sub), rng, groups, left)
            if group is not None:
                groups[group] = text
            out.append(text)
        elif op is sre.BRANCH:
            out.append(_draw(list(rng.choice(arg[1])), rng, groups, left))
        elif op is sre.GROUPREF and arg in groups:
            out.append(groups[arg])
        else:  # anchors inside, lookarounds, conditionals, a group not drawn
            raise Unmatchable(str(op))
    return "".join(out)


def _one_of(items: list[tuple[Any, Any]], rng: random.Random) -> str:
    """One character of a class `[...]`."""
    if items and items[0][0] is sre.NEGATE:
        banned = items[1:]
        if any(op is not sre.LITERAL and op is not sre.RANGE for op, _ in banned):
            raise Unmatchable("negated class")  # [^\d...]: not complemented exactly here
        for candidate in PRINTABLE:
            if not any(_in(candidate, item) for item in banned):
                return candidate
        raise Unmatchable("negated class")
    op, arg = rng.choice(items)
    if op is sre.LITERAL:
        return _char(arg)
    if op is sre.RANGE:
        low, high = arg
        if low <= SURROGATES[1] and high >= SURROGATES[0]:  # keep clear of the block
            high = min(high, SURROGATES[0] - 1) if low < SURROGATES[0] else high
            low = max(low, SURROGATES[1] + 1) if low >= SURROGATES[0] else low
            if low > high:
                raise Unmatchable("surrogates")
        return chr(rng.randint(low, high))
    if op is sre.CATEGORY and arg in CATEGORIES:
        return rng.choice(CATEGORIES[arg])
    raise Unmatchable(str(op))


def _char(code: int) -> str:
    """A literal's character; a lone surrogate is no text (JSON cannot carry it)."""
    if SURROGATES[0] <= code <= SURROGATES[1]:
        raise Unmatchable("surrogate")
    return chr(code)


def _in(char: str, item: tuple[Any, Any]) -> bool:
    """Whether `char` is in one literal or range of a class."""
    op, arg = item
    if op is sre.LITERAL:
        return ord(char) == arg
    return bool(arg[0] <= ord(char) <= arg[1])
