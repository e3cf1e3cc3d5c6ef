"""EmulatorServer: a real uvicorn server on a free loopback port, in a background thread.
Used by the CLI smoke tests, the SDK tests and the pytest plugin alike."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from types import TracebackType

import uvicorn

from .app import EmulatorApp, create_app
from .config import Config
from .http_protocol import HTTP_PROTOCOL
from .state import EmulatorState


class EmulatorServer:
    """`with EmulatorServer(Config(seed=1)) as server: OpenAI(base_url=server.base_url("apiyi"))`"""

    def __init__(self, config: Config | None = None, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        self.app: EmulatorApp = create_app(config)
        self.host = host
        # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY only on sockets whose proto
        # says TCP, and without it every keep-alive request waits 40 ms on delayed ACKs.
        self._sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                                   socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.port: int = self._sock.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(
            self.app, log_level="warning", access_log=False, lifespan="off",
            http=HTTP_PROTOCOL,  # exposes the transport, for drop and cut faults
            timeout_keep_alive=30))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

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

    def start(self) -> EmulatorServer:
        async def serve() -> None:
            try:
                await self._server.serve(sockets=[self._sock])
            finally:  # lifespan is off here: what the app opened belongs to this loop
                await self.app.aclose()

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

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
