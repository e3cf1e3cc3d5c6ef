"""Strings that match a regular expression, drawn from a seeded generator: a schema's
`pattern` (a zip code, an id like `AB-123`) gets a value that passes it.

Walks the pattern as Python's own parser reads it; lookarounds and other constructs that
cannot be generated forwards raise Unmatchable, and the caller falls back."""

from __future__ import annotations

import random
import re
import string
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


class Unmatchable(ValueError):
    """The pattern uses something this generator does not draw (lookarounds, ...)."""


def string_matching(pattern: str, rng: random.Random) -> str:
    """A string that `re.search(pattern, ...)` accepts; Unmatchable when none is drawn."""
    if len(pattern) > LONGEST * 4:  # a client's schema is input: no huge parse
        raise Unmatchable("pattern too long")
    try:
        parsed = _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise Unmatchable(str(exc)) from None
    groups: dict[int, str] = {}
    value = _draw(list(parsed), rng, groups, [LONGEST])
    if len(value) > LONGEST or re.search(pattern, value) is None:
        raise Unmatchable(pattern)
    return value


def _draw(items: list[tuple[Any, Any]], rng: random.Random, groups: dict[int, str],
          left: list[int]) -> str:
    """The string `items` stand for; `left` counts the characters still allowed, so nested
    repeats (`((a{200}){200}){200}`) give up instead of building millions."""
    out = []
    for op, arg in items:
        if left[0] < 0:
            raise Unmatchable("too long")
        if op in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN, sre.GROUPREF):
            left[0] -= 1 if op is not sre.GROUPREF else len(groups.get(arg, ""))
        if op is sre.LITERAL:
            out.append(chr(arg))
        elif op is sre.NOT_LITERAL:
            out.append(next(c for c in PRINTABLE if ord(c) != arg))
        elif op is sre.ANY:
            out.append(rng.choice(string.ascii_letters))
        elif op is sre.IN:
            out.append(_one_of(arg, rng))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            low, high, sub = arg
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
        elif op is sre.GROUPREF:
            out.append(groups.get(arg, ""))
        elif op is sre.AT:
            continue  # anchors: the drawn string is the whole match
        else:  # lookarounds, conditionals, atomic groups
            raise Unmatchable(str(op))
    return "".join(out)


def _one_of(items: list[tuple[Any, Any]], rng: random.Random) -> str:
    """One character of a class `[...]`."""
    if items and items[0][0] is sre.NEGATE:
        banned = items[1:]
        for candidate in PRINTABLE:
            if not any(_in(candidate, item) for item in banned):
                return candidate
        raise Unmatchable("negated class")
    op, arg = rng.choice(items)
    if op is sre.LITERAL:
        return chr(arg)
    if op is sre.RANGE:
        return chr(rng.randint(arg[0], arg[1]))
    if op is sre.CATEGORY and arg in CATEGORIES:
        return rng.choice(CATEGORIES[arg])
    raise Unmatchable(str(op))


def _in(char: str, item: tuple[Any, Any]) -> bool:
    """Whether `char` is in one part of a class (categories by their drawn characters:
    a miss here is caught by the final search)."""
    op, arg = item
    if op is sre.LITERAL:
        return ord(char) == arg
    if op is sre.RANGE:
        return bool(arg[0] <= ord(char) <= arg[1])
    if op is sre.CATEGORY:
        return char in CATEGORIES.get(arg, "")
    return True
