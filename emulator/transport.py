"""The send path of a request a fault fired for (app.py calls it only then): added
latency, hangs, dropped and cut connections, stalls, paced streams, and the stream
rewrites (duplicate, out-of-order, malformed, missing terminal frame, error mid-stream).

Closing a connection on purpose needs the socket: ASGI has no message for it, and an app
that raises before starting the response makes uvicorn answer 500. The emulator's uvicorn
protocol (http_protocol.py) puts the connection's transport in `scope["state"]`; under
another server a drop or cut raises instead, which that server turns into its own error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from . import sse
from .context import Receive, RequestContext, Send
from .envelopes import error_object
from .errors import ERROR_KINDS
from .pipeline import HTTPResponse
from .policy.faults import ActiveFault

# Where the emulator's uvicorn protocol puts the connection's transport in scope["state"].
TRANSPORT_KEY = "emulator.transport"
# Journal statuses for answers that never completed: the client went away first (as the
# pipeline records it), or the emulator closed the connection without a response.
CLIENT_GONE = 499
NO_RESPONSE = 0
PING = sse.frame_comment("PING")


class ConnectionDropped(RuntimeError):
    """A drop or cut asked for under a server that does not expose its transport."""


async def send_faulted(ctx: RequestContext, response: HTTPResponse, scope: dict[str, Any],
                       receive: Receive, send: Send,
                       send_plain: Callable[[HTTPResponse, Send], Awaitable[None]]) -> int:
    """Send `response` as `ctx.fault` says; returns the status the journal records."""
    active = ctx.fault
    assert active is not None
    rule = active.rule
    transport = (scope.get("state") or {}).get(TRANSPORT_KEY)
    # Past any unread body (a status fault skips reading it), receive() returns only when
    # the client goes: one watcher serves every wait below.
    gone = asyncio.ensure_future(_wait_disconnect(receive))
    try:
        if rule.latency_ms:
            active.mark(ctx, "latency_ms")
            if await _wait(gone, rule.latency_ms / 1000):
                return CLIENT_GONE
        if rule.drop:
            active.mark(ctx, "drop")
            await _close(transport, gone)
            return NO_RESPONSE
        if rule.hang is not None:
            active.mark(ctx, "hang")
            if await _wait(gone, rule.hang):
                return CLIENT_GONE
            await _close(transport, gone)  # the cap: never hold a task forever
            return NO_RESPONSE
        if response.events is None:
            await send_plain(response, send)
            return response.status
        return await _send_stream(ctx, active, response, transport, gone, send)
    finally:
        gone.cancel()


async def send_paced(response: HTTPResponse, receive: Receive, send: Send) -> int:
    """A fixture's stream script, each frame after its delay; stops as soon as the client
    goes (a long script must not keep writing to nobody). Returns the journal's status."""
    assert response.events is not None and response.delays is not None
    gone = asyncio.ensure_future(_wait_disconnect(receive))
    try:
        await send({"type": "http.response.start", "status": response.status,
                    "headers": response.headers})
        for frame, delay in zip(response.events, response.delays, strict=True):
            if await _wait(gone, delay):
                return CLIENT_GONE
            await send({"type": "http.response.body", "body": frame, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return response.status
    finally:
        gone.cancel()


async def _send_stream(ctx: RequestContext, active: ActiveFault, response: HTTPResponse,
                       transport: asyncio.Transport | None, gone: asyncio.Future[None],
                       send: Send) -> int:
    rule = active.rule
    assert response.events is not None
    frames = rewrite_events(ctx, active, response.events)
    await send({"type": "http.response.start", "status": response.status,
                "headers": response.headers})
    # A fixture's stream script brings its own per-frame delays; kept unless the fault
    # paces the stream itself (indexes shift if a rewrite added or removed frames).
    delays = response.delays or []
    timed = (rule.ttft_ms or rule.tokens_per_second or rule.cut_after is not None
             or rule.stall_after is not None or delays)
    if not timed:  # only rewrites: still one write, like the fast path
        if rule.keepalive and len(frames) > 1:
            active.mark(ctx, "keepalive")
        joiner = PING if rule.keepalive else b""
        await send({"type": "http.response.body", "body": joiner.join(frames)})
        return response.status
    loop = asyncio.get_running_loop()
    if rule.ttft_ms and frames:
        active.mark(ctx, "ttft_ms")
        if await _wait(gone, rule.ttft_ms / 1000):
            return CLIENT_GONE
    interval = 1 / rule.tokens_per_second if rule.tokens_per_second else 0.0
    if interval and len(frames) > 1:
        active.mark(ctx, "tokens_per_second")
    if rule.keepalive and len(frames) > 1:
        active.mark(ctx, "keepalive")
    first_at = loop.time()
    for index, frame in enumerate(frames):
        if index == rule.cut_after:
            active.mark(ctx, "cut_after")
            await _close(transport, gone)
            return response.status
        if index == rule.stall_after:
            active.mark(ctx, "stall_after")
            if await _wait(gone, rule.stall_ms / 1000):
                return CLIENT_GONE
            first_at += rule.stall_ms / 1000  # pacing resumes after the stall
        # Paced against the first event's time, so rounding in sleeps never adds up.
        if interval and index and await _wait(gone, first_at + index * interval - loop.time()):
            return CLIENT_GONE
        if not interval and index < len(delays) and await _wait(gone, delays[index]):
            return CLIENT_GONE
        body = PING + frame if rule.keepalive and index else frame
        await send({"type": "http.response.body", "body": body, "more_body": True})
    await send({"type": "http.response.body", "body": b""})
    return response.status


def rewrite_events(ctx: RequestContext, active: ActiveFault, events: list[bytes]) -> list[bytes]:
    """The stream's frames as the fault garbles them (each rewrite marked when it
    applied); the caller's list is left alone."""
    rule = active.rule
    frames = list(events)
    if rule.no_done and frames:
        frames.pop()  # [DONE], message_stop or response.completed: whatever ends it
        active.mark(ctx, "no_done")
    content = first_content_index(frames)
    if rule.duplicate is not None and frames:
        index = min(content if rule.duplicate is True else rule.duplicate, len(frames) - 1)
        frames.insert(index + 1, frames[index])
        active.mark(ctx, "duplicate")
    if rule.out_of_order is not None and len(frames) > 1:
        where = content if rule.out_of_order is True else rule.out_of_order
        index = min(where, len(frames) - 2)
        frames[index], frames[index + 1] = frames[index + 1], frames[index]
        active.mark(ctx, "out_of_order")
    if rule.malformed_line is not None and frames:
        where = content if rule.malformed_line is True else rule.malformed_line
        index = min(where, len(frames) - 1)
        frames.insert(index, _truncated(frames[index]))
        active.mark(ctx, "malformed_line")
    if rule.stream_error_after is not None:
        index = min(rule.stream_error_after, len(frames))
        frames[index:] = [stream_error_frame(ctx, active, frames, index)]
        active.mark(ctx, "stream_error_after")
    return frames


def first_content_index(frames: list[bytes]) -> int:
    """Where a stream's content starts: the first `...delta` event of an event-framed one
    (Anthropic's content_block_delta after message_start, a block start and a ping; the
    Responses API's output_text.delta), else the chunk after the opening (role) one."""
    if frames and frames[0].startswith(b"event:"):
        for index, frame in enumerate(frames):
            if frame.split(b"\n", 1)[0].endswith(b"delta"):
                return index
    return 1


def stream_error_frame(ctx: RequestContext, active: ActiveFault, frames: list[bytes],
                       index: int) -> bytes:
    """A provider error after the 200, framed as the stream is, as event `index`:
    Anthropic streams get `event: error` + `{"type": "error", "error": ...}` and chat
    completions `data: {"error": ...}` (both SDKs raise on these); the Responses API its
    `error` event, `{"type": "error", "code", "message", "param", "sequence_number"}`
    (ResponseErrorEvent), which the openai SDK hands to the caller as an event."""
    rule = active.rule
    kind = rule.error or "overloaded"
    # Anthropic's own words for its mid-stream overload; other kinds say what they are.
    default = "Overloaded" if kind == "overloaded" else \
        f"The emulator injected this error (fault {active.source})."
    error = ERROR_KINDS[kind](rule.message or default)
    _, inner = error_object(ctx.profile.error_style, error)
    if frames and frames[0].startswith(b"event: response."):
        return sse.frame_event("error", {
            "type": "error", "code": inner.get("code"), "message": inner.get("message", ""),
            "param": inner.get("param"), "sequence_number": index})
    if frames and frames[0].startswith(b"event:"):
        return sse.frame_event("error", {"type": "error", "error": inner})
    return sse.frame_data({"error": inner})


def _truncated(frame: bytes) -> bytes:
    """The frame cut in the middle of its JSON: a chunk a gateway broke in two."""
    start = frame.rfind(b"data: ") + len(b"data: ")
    payload = frame[start:].rstrip(b"\n")
    return frame[:start] + payload[:max(1, len(payload) // 2)] + b"\n\n"


async def _wait_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _wait(gone: asyncio.Future[None], seconds: float) -> bool:
    """Sleep up to `seconds`; True when the client went away meanwhile."""
    if seconds > 0:
        await asyncio.wait({gone}, timeout=seconds)
    return gone.done()


async def _close(transport: asyncio.Transport | None, gone: asyncio.Future[None]) -> None:
    if transport is None:
        raise ConnectionDropped("the fault closes the connection, which needs the "
                                "emulator's uvicorn protocol (emulator.http_protocol)")
    # One turn of the loop first: the server writes a response head it held back for the
    # body (http_cycle.py), so a cut before the first event still follows the headers.
    await asyncio.sleep(0)
    transport.close()  # flushes what was written, then FIN: a cut, not a reset
    # Wait for uvicorn to see the connection lost, so it does not answer 500 after us.
    await asyncio.wait({gone}, timeout=1)
