"""One HTTP/1.1 request and its response, as ASGI's receive and send (http_protocol.py).

The same behaviour as uvicorn's httptools RequestResponseCycle, at about half its cost per
request (issue 9): no asyncio.Event (receive makes a future only when the body is not all
in yet), the server's default headers (`date`, `server`) rendered once per second rather
than per response, and one regular-expression search over all the app's header names and
one over their values, rather than two per header: each pattern is a single-byte class,
so a join matches exactly when one of its parts does (a failed search falls back to
uvicorn's header-by-header check, for its exact error). And the response head waits for
the body's first write, so a whole response is one write: one syscall, one TCP segment.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from uvicorn.protocols.http.httptools_impl import HEADER_RE, HEADER_VALUE_RE, STATUS_LINE
from uvicorn.protocols.utils import get_client_addr, get_path_with_query_string

if TYPE_CHECKING:
    from .http_protocol import EmulatorHttpToolsProtocol

log = logging.getLogger("uvicorn.error")
access_log = logging.getLogger("uvicorn.access")

CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
DISCONNECT = {"type": "http.disconnect"}


def scan_headers(cycle: RequestCycle, headers: Iterable[tuple[bytes, bytes]],
                 content: list[bytes]) -> bool:
    """Add `headers` to the response head in `content`, reading the ones that shape the
    response (length, chunking, connection: close); True if one said close. The headers
    are checked by one search over all names and one over all values afterwards; if that
    fails, the cycle is put back and uvicorn's header-by-header path runs instead, for
    uvicorn's exact error and state (an app may catch the error and go on)."""
    before = (cycle.chunked_encoding, cycle.expected_content_length, cycle.keep_alive)
    start = len(content)
    headers = headers if isinstance(headers, list) else list(headers)
    names: list[bytes] = []
    values: list[bytes] = []
    try:
        close = _read_headers(cycle, headers, content, names, values)
        if not HEADER_RE.search(b"".join(names)) \
                and not HEADER_VALUE_RE.search(b"".join(values)):
            return close
    except (TypeError, ValueError, AttributeError):
        pass  # not bytes, or a bad content-length: uvicorn's path says which, in its order
    cycle.chunked_encoding, cycle.expected_content_length, cycle.keep_alive = before
    del content[start:]
    return _read_headers(cycle, headers, content, None, None)


def _read_headers(cycle: RequestCycle, headers: list[tuple[bytes, bytes]],
                  content: list[bytes], names: list[bytes] | None,
                  values: list[bytes] | None) -> bool:
    """uvicorn's header loop; without `names` to collect, it checks each header first."""
    close = False
    for name, value in headers:
        if names is None:
            if HEADER_RE.search(name):
                raise RuntimeError("Invalid HTTP header name.")
            if HEADER_VALUE_RE.search(value):
                raise RuntimeError("Invalid HTTP header value.")
        name = name.lower()
        if name == b"content-length" and cycle.chunked_encoding is None:
            cycle.expected_content_length = int(value.decode())
            cycle.chunked_encoding = False
        elif name == b"transfer-encoding" and value.lower() == b"chunked":
            cycle.expected_content_length = 0
            cycle.chunked_encoding = True
        elif name == b"connection" and b"close" in [
                token.lower().strip() for token in value.split(b",")]:
            cycle.keep_alive = False
            close = True
        if names is not None and values is not None:
            names.append(name)
            values.append(value)
        content += (name, b": ", value, b"\r\n")
    return close


class RequestCycle:
    __slots__ = ("app_returned", "body", "chunked_encoding", "disconnected",
                 "expected_content_length", "flow", "keep_alive", "more_body", "pending_head",
                 "protocol", "response_complete", "response_started", "scope", "transport",
                 "waiters", "waiting_for_100_continue", "woken")

    def __init__(self, protocol: EmulatorHttpToolsProtocol, scope: dict[str, Any],
                 keep_alive: bool, expect_100_continue: bool) -> None:
        self.protocol = protocol
        self.scope = scope
        self.transport = protocol.transport
        self.flow = protocol.flow
        self.body: bytes | bytearray = b""
        self.more_body = True
        # An asyncio.Event's state, without one: set when body or a disconnect arrives.
        self.woken = False
        self.waiters: list[asyncio.Future[None]] | None = None
        self.disconnected = False
        self.keep_alive = keep_alive
        self.waiting_for_100_continue = expect_100_continue
        self.response_started = False
        self.response_complete = False
        self.chunked_encoding: bool | None = None
        self.expected_content_length = 0
        self.app_returned = False
        # The response head, held back until the body's first write (flush_head).
        self.pending_head = b""

    def add_body(self, chunk: bytes) -> None:
        body = self.body
        if not body:
            self.body = chunk
        else:  # a body in several pieces: a bytearray, so joining them stays linear
            if isinstance(body, bytes):
                body = self.body = bytearray(body)
            body += chunk

    def wake(self) -> None:
        self.woken = True
        waiters = self.waiters
        if waiters:
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)

    async def run_asgi(self, app: Any) -> None:
        try:
            result = await app(self.scope, self.receive, self.send)
        except BaseException as exc:
            log.error("Exception in ASGI application\n", exc_info=exc)
            if not self.response_started:
                await self.send_500_response()
            else:
                self.flush_head()
                self.transport.close()
        else:
            if result is not None:
                log.error("ASGI callable should return None, but returned '%s'.", result)
                self.flush_head()
                self.transport.close()
            elif not self.response_started and not self.disconnected:
                log.error("ASGI callable returned without starting response.")
                await self.send_500_response()
            elif not self.response_complete and not self.disconnected:
                log.error("ASGI callable returned without completing response.")
                self.flush_head()
                self.transport.close()
        finally:
            self.app_returned = True

    async def send_500_response(self) -> None:
        await self.send({"type": "http.response.start", "status": 500, "headers": [
            (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"21"),
            (b"connection", b"close")]})
        await self.send({"type": "http.response.body", "body": b"Internal Server Error",
                         "more_body": False})

    async def receive(self) -> dict[str, Any]:
        if self.waiting_for_100_continue and not self.transport.is_closing():
            self.transport.write(CONTINUE)
            self.waiting_for_100_continue = False
        if not self.disconnected and not self.response_complete:
            self.flow.resume_reading()
            if not self.woken:
                waiter = self.protocol.loop.create_future()
                if self.waiters is None:
                    self.waiters = []
                self.waiters.append(waiter)
                try:
                    await waiter
                finally:
                    self.waiters.remove(waiter)
            self.woken = False
        if self.disconnected or self.response_complete:
            return DISCONNECT.copy()
        body = self.body
        self.body = b""
        return {"type": "http.request", "body": body if isinstance(body, bytes) else bytes(body),
                "more_body": self.more_body}

    async def send(self, message: dict[str, Any]) -> None:
        if self.flow.write_paused and not self.disconnected:
            await self.flow.drain()
        if self.disconnected:
            return
        if not self.response_started:
            if message["type"] != "http.response.start":
                raise RuntimeError("Expected ASGI message 'http.response.start', but got "
                                   f"'{message['type']}'.")
            self.response_started = True
            self.waiting_for_100_continue = False
            # Held back to go out with the body in one write: one syscall and one TCP
            # segment for a whole response instead of two (the second cost about 9 us of
            # kernel time, measured). An app that awaits before its body has the head
            # written on the loop's next turn all the same.
            self.pending_head = self.head(message["status"], message.get("headers", ()))
            self.protocol.loop.call_soon(self.flush_head)
        elif not self.response_complete:
            if message["type"] != "http.response.body":
                raise RuntimeError("Expected ASGI message 'http.response.body', but got "
                                   f"'{message['type']}'.")
            self.write_body(message.get("body", b""), message.get("more_body", False))
        else:
            raise RuntimeError(f"Unexpected ASGI message '{message['type']}' sent, after "
                               "response already completed.")

    def head(self, status: int, headers: Iterable[tuple[bytes, bytes]]) -> bytes:
        scope = self.scope
        protocol = self.protocol
        if protocol.access_log:
            access_log.info('%s - "%s %s HTTP/%s" %d', get_client_addr(scope),  # type: ignore[arg-type]
                            scope["method"], get_path_with_query_string(scope),  # type: ignore[arg-type]
                            scope["http_version"], status)
        content = [STATUS_LINE[status]]
        defaults, plain = protocol.default_head()
        if plain:
            content.append(defaults)
            close = False
        else:  # a default header (a --header option) that shapes the response: read it
            close = scan_headers(self, protocol.server_state.default_headers, content)
        close = scan_headers(self, headers, content) or close
        if not self.keep_alive and not close:
            content.append(b"connection: close\r\n")
        if self.chunked_encoding is None and scope["method"] != "HEAD" \
                and status not in (204, 304):
            self.chunked_encoding = True  # neither content-length nor transfer-encoding
            content.append(b"transfer-encoding: chunked\r\n")
        content.append(b"\r\n")
        return b"".join(content)

    def flush_head(self) -> None:
        """Write the held-back response head, if it is still held back."""
        head = self.pending_head
        if head:
            self.pending_head = b""
            if not self.transport.is_closing():
                self.transport.write(head)

    def write_body(self, body: bytes, more_body: bool) -> None:
        head = self.pending_head
        self.pending_head = b""
        if self.scope["method"] == "HEAD":
            self.expected_content_length = 0
            if head:
                self.transport.write(head)
        elif self.chunked_encoding:
            content = [head, b"%x\r\n" % len(body), body, b"\r\n"] if body else [head]
            if not more_body:
                content.append(b"0\r\n\r\n")
            self.transport.write(b"".join(content))
        else:
            if len(body) > self.expected_content_length:
                self.pending_head = head  # uvicorn's error, with the head not yet sent
                raise RuntimeError("Response content longer than Content-Length")
            self.expected_content_length -= len(body)
            if head:  # one vectored write (uvloop); asyncio's transports join the two
                self.transport.writelines((head, body))
            else:
                self.transport.write(body)
        if not more_body:
            if self.expected_content_length != 0:
                raise RuntimeError("Response content shorter than Content-Length")
            self.response_complete = True
            self.wake()
            if not self.keep_alive:
                self.transport.close()
            if not self.app_returned:
                self.protocol.on_response_complete()
