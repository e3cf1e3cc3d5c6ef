"""EmulatorServer: a real uvicorn server on a free loopback port, in a background thread.
Used by the CLI smoke tests, the SDK tests and the pytest plugin alike. ASGIServer under
it serves any ASGI app the same way (the HTTP protocol's tests use it)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from types import TracebackType
from typing import Any, Self

import uvicorn

from .app import EmulatorApp, create_app
from .config import Config
from .http_protocol import HTTP_PROTOCOL
from .state import EmulatorState


class ASGIServer:
    """Any ASGI app on a real uvicorn server with the emulator's HTTP protocol, in a
    background thread: EmulatorServer's machinery, which the protocol's own tests reuse.
    `options` go to uvicorn.Config."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0,
                 **options: Any) -> None:
        self.host = host
        # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY only on sockets whose proto
        # says TCP, and without it every keep-alive request waits 40 ms on delayed ACKs.
        self._sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                                   socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.port: int = self._sock.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(
            app, **{"log_level": "warning", "access_log": False, "lifespan": "off",
                    "http": HTTP_PROTOCOL,  # exposes the transport, for drop and cut faults
                    **options}))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def _closed(self) -> None:
        """What the app opened on the server's loop, closed on it at the end."""

    def start(self) -> Self:
        async def serve() -> None:
            try:
                await self._server.serve(sockets=[self._sock])
            finally:
                await self._closed()

        def run() -> None:
            asyncio.run(serve())

        self._thread = threading.Thread(target=run, name="llm-emulator", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the emulator server did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


class EmulatorServer(ASGIServer):
    """`with EmulatorServer(Config(seed=1)) as server: OpenAI(base_url=server.base_url("apiyi"))`"""

    def __init__(self, config: Config | None = None, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        self.app: EmulatorApp = create_app(config)
        super().__init__(self.app, host, port, timeout_keep_alive=30)

    async def _closed(self) -> None:
        # lifespan is off here: what the app opened (the recorder's client) is this loop's
        await self.app.aclose()

    def base_url(self, provider: str) -> str:
        """What an SDK takes as `base_url` for a provider: `/apiyi/v1`, or `/xiaoai` for
        the Anthropic SDK (which adds /v1 itself); see `anthropic_base_url`."""
        profile = self.app.profiles[provider]
        return f"{self.url}/{provider}{profile.base_paths[0]}"

    def anthropic_base_url(self, provider: str = "xiaoai") -> str:
        return f"{self.url}/{provider}"

    @property
    def state(self) -> EmulatorState:
        return self.app.state
