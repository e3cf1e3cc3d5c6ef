"""Stored Responses API answers: `GET /responses/{id}`, `DELETE /responses/{id}`, `GET
/responses/{id}/input_items`, and the `previous_response_id` check.

A response is kept unless the request said `"store": false` (the job store holds it, so
`POST /_emulator/reset` forgets it); a `previous_response_id` must name a kept one, as
OpenAI's 400 says. State is per worker, like the rest of the emulator's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InvalidRequest, NotFound
from ..jobs import JobStore, StoredResponse
from .base import Call, JSONReply
from .paging import cursor_page, list_object

ITEM_PREFIXES = {"message": "msg_", "function_call": "fc_", "function_call_output": "fco_"}


def _store(call: Call) -> JobStore:
    assert call.jobs is not None, "stored responses need the job store"
    return call.jobs


def check_previous(call: Call) -> None:
    previous = call.body.get("previous_response_id")
    if previous is not None and previous not in _store(call).responses:
        raise InvalidRequest(f"Previous response with id '{str(previous)[:64]}' not found.",
                             param="previous_response_id")


def previous_tokens(call: Call) -> int:
    """What the conversation so far adds to a follow-up's input tokens: the previous
    response's input and output, which the model reads again (OpenAI counts the chain)."""
    previous = call.body.get("previous_response_id")
    if previous is None:
        return 0
    usage = _store(call).responses[previous].response.get("usage") or {}
    return int(usage.get("input_tokens", 0)) + int(usage.get("output_tokens", 0))


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
    items = _stored(call).input_items
    page, has_more = cursor_page(items, [item["id"] for item in items], call.query_params,
                                 lambda after: InvalidRequest(
                                     f"No input item has the id '{after}'.", param="after"))
    return JSONReply(list_object(page, has_more))
