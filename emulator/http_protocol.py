"""The emulator's HTTP/1.1 protocol for uvicorn (`http=HTTP_PROTOCOL`, as the CLI and
EmulatorServer run it): uvicorn's httptools protocol with two changes.

- The connection's transport is in each HTTP request's `scope["state"]` (beside a copy of
  the lifespan state, as uvicorn makes), so a fault can close the connection (a drop
  before any byte, a cut mid-stream): ASGI has no message for that.
- A leaner request cycle (http_cycle.py) and keep-alive timer: uvicorn's cost about as
  much per request as all of Starlette does (issue 9). The timer is armed once per idle
  spell rather than armed and cancelled on every request: when it fires, it closes the
  connection if it has been idle for the keep-alive timeout, else waits out the rest.

Parsing, pipelining, flow control, 100-continue, upgrades, limits on concurrency, graceful
shutdown and the 400 for a malformed request are uvicorn's own, inherited.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from typing import Any

from .transport import TRANSPORT_KEY

HTTP_PROTOCOL: type[asyncio.Protocol]
try:  # uvicorn's "auto" choice: httptools when installed (h11 is not even imported then)
    import httptools
    from uvicorn.logging import TRACE_LOG_LEVEL
    from uvicorn.protocols.http.flow_control import HIGH_WATER_LIMIT, service_unavailable
    from uvicorn.protocols.http.httptools_impl import HEADER_RE, HEADER_VALUE_RE, HttpToolsProtocol

    from .http_cycle import RequestCycle

    class EmulatorHttpToolsProtocol(HttpToolsProtocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.idle_since: float | None = None  # None while a request is under way
            self.defaults_of: object = None  # the default headers `defaults` renders
            self.defaults: tuple[bytes, bool] = (b"", True)

        def connection_lost(self, exc: Exception | None) -> None:
            self.connections.discard(self)
            if self.logger.level <= TRACE_LOG_LEVEL:
                prefix = f"{self.client[0]}:{self.client[1]} - " if self.client else ""
                self.logger.log(TRACE_LOG_LEVEL, "%sHTTP connection lost", prefix)
            if self.timeout_keep_alive_task is not None:
                self.timeout_keep_alive_task.cancel()
                self.timeout_keep_alive_task = None
            cycle: Any = self.cycle
            if cycle is not None:
                if not cycle.response_complete:
                    cycle.disconnected = True
                cycle.wake()
            if self.flow is not None:
                self.flow.resume_writing()
            if exc is None:
                self.transport.close()
            self.idle_since = None
            self.parser = None  # type: ignore[assignment]

        def _unset_keepalive_if_required(self) -> None:
            self.idle_since = None  # data came: the armed timer finds the connection busy

        def default_head(self) -> tuple[bytes, bool]:
            """The server's default headers (date, server, --header options) as head
            lines, and whether they can be sent as they are: rendered once a second, when
            uvicorn renews the date. False when one of them shapes the response
            (content-length, transfer-encoding, connection): the cycle then reads them."""
            headers = self.server_state.default_headers
            if headers is not self.defaults_of:
                lines = [name.lower() + b": " + value + b"\r\n" for name, value in headers]
                plain = not any(name.lower() in (b"content-length", b"transfer-encoding",
                                                 b"connection") for name, _ in headers)
                if HEADER_RE.search(b"".join(name for name, _ in headers)) \
                        or HEADER_VALUE_RE.search(b"".join(value for _, value in headers)):
                    plain = False  # let the cycle raise uvicorn's error for it
                self.defaults_of, self.defaults = headers, (b"".join(lines), plain)
            return self.defaults

        def on_message_begin(self) -> None:
            self.url = b""
            self.expect_100_continue = False
            self.headers = []

        def on_headers_complete(self) -> None:
            parser = self.parser
            http_version = parser.get_http_version()
            root = self.root_path
            state = self.app_state.copy()  # the lifespan state, as of this request
            state[TRANSPORT_KEY] = self.transport
            scope: Any = {
                "type": "http",
                "asgi": {"version": self.asgi_version, "spec_version": "2.3"},
                "http_version": http_version,
                "server": self.server,
                "client": self.client,
                "scheme": self.scheme,
                "method": parser.get_method().decode("ascii"),
                "root_path": root,
                "headers": self.headers,
                "state": state,
            }
            self.scope = scope
            if parser.should_upgrade() and self._should_upgrade():
                return  # uvicorn's websocket protocol takes the request as it came
            url = httptools.parse_url(self.url)
            raw_path = url.path
            path = raw_path.decode("ascii")
            if "%" in path:
                path = urllib.parse.unquote(path)
            scope["path"] = root + path
            scope["raw_path"] = root.encode("ascii") + raw_path if root else raw_path
            scope["query_string"] = url.query or b""
            app: Any = self.app
            limit = self.limit_concurrency
            if limit is not None and (len(self.connections) >= limit
                                      or len(self.tasks) >= limit):
                app = service_unavailable
                self.logger.warning("Exceeded concurrency limit.")
            existing: Any = self.cycle
            cycle = RequestCycle(self, scope,
                                 http_version != "1.0" and parser.should_keep_alive(),
                                 self.expect_100_continue)
            self.cycle = cycle  # type: ignore[assignment]
            if existing is None or existing.response_complete:
                self._start_asgi_task(cycle, app)  # type: ignore[arg-type]
            else:  # pipelined requests wait their turn
                self.flow.pause_reading()
                self.pipeline.appendleft((cycle, app))  # type: ignore[arg-type]

        def on_body(self, body: bytes) -> None:
            cycle: Any = self.cycle  # None on a connection being upgraded: checked first
            if (self.parser.should_upgrade() and self._should_upgrade()) \
                    or cycle.response_complete:
                return
            cycle.add_body(body)
            if len(cycle.body) > HIGH_WATER_LIMIT:
                self.flow.pause_reading()
            cycle.wake()

        def on_message_complete(self) -> None:
            cycle: Any = self.cycle
            if (self.parser.should_upgrade() and self._should_upgrade()) \
                    or cycle.response_complete:
                return
            cycle.more_body = False
            cycle.wake()

        def on_response_complete(self) -> None:
            self.server_state.total_requests += 1
            if self.transport.is_closing():
                return
            self.flow.resume_reading()
            if self.pipeline:
                cycle, app = self.pipeline.pop()
                self._start_asgi_task(cycle, app)
                return
            self.idle_since = self.loop.time()
            if self.timeout_keep_alive_task is None:
                self.timeout_keep_alive_task = self.loop.call_later(
                    self.timeout_keep_alive, self.timeout_keep_alive_handler)

        def timeout_keep_alive_handler(self) -> None:
            self.timeout_keep_alive_task = None
            if self.idle_since is None or self.transport.is_closing():
                return  # busy: the timer is armed again when its response completes
            left = self.idle_since + self.timeout_keep_alive - self.loop.time()
            if left > 0:
                self.timeout_keep_alive_task = self.loop.call_later(
                    left, self.timeout_keep_alive_handler)
            else:
                self.transport.close()

    HTTP_PROTOCOL = EmulatorHttpToolsProtocol
except ImportError:  # pragma: no cover - uvicorn without the [standard] extra
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class EmulatorH11Protocol(H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self.app_state = {**self.app_state, TRANSPORT_KEY: transport}

    HTTP_PROTOCOL = EmulatorH11Protocol
