"""Stored Responses API answers: `GET /responses/{id}`, `DELETE /responses/{id}`, `GET
/responses/{id}/input_items`, and the `previous_response_id` check.

A response is kept unless the request said `"store": false` (the job store holds it, so
`POST /_emulator/reset` forgets it); a `previous_response_id` must name a kept one, as
OpenAI's 400 says. State is per worker, like the rest of the emulator's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from ..errors import InvalidRequest, NotFound
from ..jobs import JobStore, StoredResponse
from .base import Call, JSONReply

ITEM_PREFIXES = {"message": "msg_", "function_call": "fc_", "function_call_output": "fco_"}
PAGE, MAX_PAGE = 20, 100  # OpenAI's default and largest `limit`


def _store(call: Call) -> JobStore:
    assert call.jobs is not None, "stored responses need the job store"
    return call.jobs


def check_previous(call: Call) -> None:
    previous = call.body.get("previous_response_id")
    if previous is not None and previous not in _store(call).responses:
        raise InvalidRequest(f"Previous response with id '{str(previous)[:64]}' not found.",
                             param="previous_response_id")


def keep(call: Call, response: dict[str, Any]) -> None:
    if call.body.get("store") is not False:
        _store(call).keep_response(StoredResponse(response, input_items(call, response)))


def input_items(call: Call, response: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The request's input as the items OpenAI lists: each with an id, messages with
    their content as parts."""
    value = call.body.get("input")
    raw = [{"type": "message", "role": "user", "content": value}] \
        if isinstance(value, str) else [v for v in value if isinstance(v, Mapping)]
    items = []
    for index, item in enumerate(raw):
        entry = dict(item)
        kind = entry.setdefault("type", "message")
        entry.setdefault("id", f"{ITEM_PREFIXES.get(kind, 'item_')}"
                               f"{response['id'][5:37]}{index:04x}")
        if kind == "message":
            if isinstance(entry.get("content"), str):
                entry["content"] = [{"type": "input_text", "text": entry["content"]}]
            entry.setdefault("status", "completed")
        items.append(entry)
    return items


def _stored(call: Call) -> StoredResponse:
    response_id = call.path_params.get("response_id", "")
    stored = _store(call).responses.get(response_id)
    if stored is None:
        raise NotFound(f"Response with id '{response_id[:64]}' not found.",
                       param="response_id")
    return stored


def handle_responses_retrieve(call: Call) -> JSONReply:
    return JSONReply(_stored(call).response)


def handle_responses_delete(call: Call) -> JSONReply:
    stored = _stored(call)
    del _store(call).responses[stored.response["id"]]
    return JSONReply({"id": stored.response["id"], "object": "response", "deleted": True})


def handle_responses_input_items(call: Call) -> JSONReply:
    """A cursor page of the input items, newest first unless `order=asc`."""
    params = {k: v[-1] for k, v in parse_qs(call.query).items()}
    order = params.get("order", "desc")
    if order not in ("asc", "desc"):
        raise InvalidRequest(f"Invalid value: '{order[:64]}'. Supported values are: 'asc' "
                             "and 'desc'.", param="order", code="invalid_value")
    raw_limit = params.get("limit", str(PAGE))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_PAGE:
        raise InvalidRequest(f"Invalid 'limit': expected an integer from 1 to {MAX_PAGE}.",
                             param="limit", code="invalid_value")
    items = list(_stored(call).input_items)
    if order == "desc":
        items.reverse()
    start = 0
    if "after" in params:
        ids = [item["id"] for item in items]
        if params["after"] not in ids:
            raise InvalidRequest(f"No input item has the id '{params['after'][:64]}'.",
                                 param="after")
        start = ids.index(params["after"]) + 1
    page = items[start:start + int(raw_limit)]
    return JSONReply({"object": "list", "data": page,
                      "first_id": page[0]["id"] if page else None,
                      "last_id": page[-1]["id"] if page else None,
                      "has_more": start + len(page) < len(items)})
