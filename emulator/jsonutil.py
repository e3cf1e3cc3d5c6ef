"""One JSON codec for the whole emulator (orjson: the hot path serialises every body)."""

from __future__ import annotations

from typing import Any

import orjson

JSONDecodeError = orjson.JSONDecodeError


def dumps(value: Any) -> bytes:
    """Compact JSON bytes, non-ASCII kept as UTF-8 (as the gateways send Chinese text)."""
    return orjson.dumps(value)


def dumps_canonical(value: Any) -> bytes:
    """Sorted keys: the canonical form a request is hashed in for seeding."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def dumps_pretty(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)


def dumps_readable(value: Any) -> bytes:
    """Indented, keys in the order given: a file people read and edit (a recorded
    fixture), whose bodies replay with their keys in the upstream's order."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2)


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)
