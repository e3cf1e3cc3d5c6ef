"""Server-sent-event framing, shared by every streaming wire format."""

from __future__ import annotations

from typing import Any

from . import jsonutil

DONE = b"data: [DONE]\n\n"


def frame_data(payload: Any) -> bytes:
    """`data: <compact JSON>` + blank line: OpenAI chunk framing (no `event:` line)."""
    return b"data: " + jsonutil.dumps(payload) + b"\n\n"


def frame_event(event: str, payload: Any) -> bytes:
    """`event: <name>` + `data: <JSON>` + blank line: Anthropic and Responses framing."""
    return b"event: " + event.encode() + b"\ndata: " + jsonutil.dumps(payload) + b"\n\n"


def frame_text(text: str, event: str | None = None) -> bytes:
    """Data that is already text (`[DONE]`, a recorded chunk), one `data:` line per line,
    as the SSE spec joins them back; `event:` first when named."""
    head = b"event: " + event.encode() + b"\n" if event else b""
    lines = b"".join(b"data: " + line.encode() + b"\n" for line in text.split("\n"))
    return head + lines + b"\n"


def frame_comment(text: str) -> bytes:
    """A comment line (`: PING`): keep-alives that conforming clients ignore."""
    return b": " + text.encode() + b"\n\n"
