"""A JSON text cut short, read as far as it goes: what the anthropic SDK makes of a tool
call's `input_json_delta` pieces (jiter's partial mode), so a `tool_use` block cut by
`max_tokens` carries the same `input` streamed or not. Open objects and arrays are
closed; a value cut inside (a string, a literal, a number ending in `.`, `e` or a sign)
is left out, with its key; a key with no value yet is left out too."""

from __future__ import annotations

import json
import re
from typing import Any

MISSING = object()  # a value the text ends inside of
NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
NUMBER_CHARS = frozenset("0123456789+-.eE")
LITERALS = (("true", True), ("false", False), ("null", None))


def partial_json(text: str) -> Any:
    """The value of `text`, complete or cut short; None for an empty text."""
    try:
        return json.loads(text)
    except ValueError:
        value, _, _ = _value(text, 0)
        if value is MISSING:
            return None
        return value


def _skip(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\n\r":
        at += 1
    return at


def _value(text: str, at: int) -> tuple[Any, int, bool]:
    """(value or MISSING, where it ends, whether the text ended inside it)."""
    at = _skip(text, at)
    if at >= len(text):
        return MISSING, at, True
    first = text[at]
    if first == "{":
        return _object(text, at + 1)
    if first == "[":
        return _array(text, at + 1)
    if first == '"':
        return _string(text, at)
    for word, value in LITERALS:
        if text.startswith(word, at):
            return value, at + len(word), False
        if word.startswith(text[at:]):
            return MISSING, len(text), True
    end = at
    while end < len(text) and text[end] in NUMBER_CHARS:
        end += 1
    match = NUMBER.fullmatch(text, at, end)
    if end == len(text):  # a number the text ends in: kept if it reads as one
        return (json.loads(text[at:end]) if match else MISSING), end, True
    if match is None:
        raise ValueError(f"not JSON at {at}: {text[at:at + 20]!r}")
    return json.loads(text[at:end]), end, False


def _string(text: str, at: int) -> tuple[Any, int, bool]:
    end = at + 1
    while end < len(text):
        if text[end] == "\\":
            end += 2
            continue
        if text[end] == '"':
            return json.loads(text[at:end + 1]), end + 1, False
        end += 1
    return MISSING, len(text), True


def _object(text: str, at: int) -> tuple[Any, int, bool]:
    return _members(text, at, {})


def _array(text: str, at: int) -> tuple[Any, int, bool]:
    return _members(text, at, [])


def _members(text: str, at: int, out: dict[str, Any] | list[Any]) -> tuple[Any, int, bool]:
    """An object's or an array's members up to its end or the text's: `out` is filled."""
    closing = "}" if isinstance(out, dict) else "]"
    while True:
        at = _skip(text, at)
        if at >= len(text):
            return out, at, True
        if text[at] == closing:
            return out, at + 1, False
        if text[at] == ",":
            at = _skip(text, at + 1)
        key = None
        if isinstance(out, dict):
            key, at, ended = _string(text, at)
            at = _skip(text, at)
            if ended or at >= len(text):
                return out, at, True
            if text[at] != ":":
                raise ValueError(f"not JSON at {at}: expected ':'")
            at += 1
        value, at, ended = _value(text, at)
        if value is not MISSING:
            if isinstance(out, dict):
                out[key] = value
            else:
                out.append(value)
        if ended:
            return out, at, True
