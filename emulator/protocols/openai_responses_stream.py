"""The Responses API event stream (wire-formats.md 1.5): `event:` + `data:` frames whose
JSON `type` equals the event name, each with an increasing `sequence_number`, no [DONE].

response.created -> response.in_progress -> per output item: output_item.added, then for
a message content_part.added, output_text.delta (one per token), output_text.done,
content_part.done; for a function call function_call_arguments.delta*/.done; then
output_item.done -> response.completed (response.incomplete when max_output_tokens cut
it). The `openai` SDK's `responses.stream()` checks exactly this order and that the
response id never changes.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from .. import sse
from .answers import fragments


class EventLog:
    """Frames with their sequence numbers."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []

    def add(self, kind: str, **fields: Any) -> None:
        payload = {"type": kind, "sequence_number": len(self.frames), **fields}
        self.frames.append(sse.frame_event(kind, payload))


def snapshot(response: Mapping[str, Any]) -> dict[str, Any]:
    """The response as it looks before any output: in progress, no usage yet (left out:
    the spec types `usage` as an object, never null)."""
    early = copy.deepcopy(dict(response))
    early.pop("usage", None)
    early.update(status="in_progress", output=[], completed_at=None,
                 incomplete_details=None)
    return early


def message_events(log: EventLog, index: int, item: Mapping[str, Any],
                   tokens: Sequence[str]) -> None:
    item_id = item["id"]
    log.add("response.output_item.added", output_index=index,
            item={**item, "status": "in_progress", "content": []})
    for content_index, part in enumerate(item["content"]):
        where = {"item_id": item_id, "output_index": index, "content_index": content_index}
        log.add("response.content_part.added", **where,
                part={**part, "text": "", "annotations": [], "logprobs": []})
        pieces = tokens if content_index == 0 else (part["text"],)
        # Each delta carries its token's logprob entry when `include` asked for them.
        entries = part.get("logprobs") or []
        for k, token in enumerate(pieces):
            log.add("response.output_text.delta", **where, delta=token,
                    logprobs=entries[k:k + 1] if len(entries) == len(pieces) else [])
        log.add("response.output_text.done", **where, text=part["text"], logprobs=entries)
        log.add("response.content_part.done", **where, part=part)
    log.add("response.output_item.done", output_index=index, item=item)


def function_call_events(log: EventLog, index: int, item: Mapping[str, Any]) -> None:
    item_id = item["id"]
    log.add("response.output_item.added", output_index=index,
            item={**item, "status": "in_progress", "arguments": ""})
    for piece in fragments(item["arguments"]):
        if piece:
            log.add("response.function_call_arguments.delta", item_id=item_id,
                    output_index=index, delta=piece)
    log.add("response.function_call_arguments.done", item_id=item_id, output_index=index,
            name=item["name"], arguments=item["arguments"])
    log.add("response.output_item.done", output_index=index, item=item)


def response_events(response: Mapping[str, Any],
                    tokens: Mapping[int, Sequence[str]]) -> list[bytes]:
    log = EventLog()
    early = snapshot(response)
    log.add("response.created", response=early)
    log.add("response.in_progress", response=early)
    for index, item in enumerate(response["output"]):
        if item["type"] == "message":
            message_events(log, index, item, tokens.get(index, ()))
        else:
            function_call_events(log, index, item)
    final = "response.incomplete" if response["status"] == "incomplete" \
        else "response.completed"
    log.add(final, response=response)
    return log.frames
