"""OpenAI's cursor lists (`after`, `limit`, `order`), as the video list and a stored
response's input items page: one reading of the query, one page shape."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from ..errors import EmulatorError, InvalidRequest

T = TypeVar("T")
DEFAULT_LIMIT, MAX_LIMIT = 20, 100  # OpenAI's default and largest `limit`


def cursor_page(items: Sequence[T], ids: Sequence[str], params: Mapping[str, str],
                unknown_after: Callable[[str], EmulatorError]) -> tuple[list[T], bool]:
    """The page of `items` (oldest first, `ids` beside them) the query's `params` ask for,
    newest first unless `order=asc`, and whether more follow it."""
    order = params.get("order", "desc")
    if order not in ("asc", "desc"):
        raise InvalidRequest(f"Invalid value: '{order[:64]}'. Supported values are: 'asc' "
                             "and 'desc'.", param="order", code="invalid_value")
    raw_limit = params.get("limit", str(DEFAULT_LIMIT))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise InvalidRequest(f"Invalid 'limit': expected an integer from 1 to {MAX_LIMIT}.",
                             param="limit", code="invalid_value")
    ordered, order_ids = list(items), list(ids)
    if order == "desc":
        ordered.reverse()
        order_ids.reverse()
    start = 0
    if "after" in params:
        if params["after"] not in order_ids:
            raise unknown_after(params["after"][:64])
        start = order_ids.index(params["after"]) + 1
    page = ordered[start:start + int(raw_limit)]
    return page, start + len(page) < len(ordered)


def list_object(data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {"object": "list", "data": data, "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None, "has_more": has_more}
