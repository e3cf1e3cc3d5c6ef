"""uvicorn's HTTP/1.1 protocol with the connection's transport in `scope["state"]`, so a
fault can close the connection (a drop before any byte, a cut mid-stream): ASGI has no
message for that. Used by EmulatorServer and the CLI (`http=HTTP_PROTOCOL`).

uvicorn copies the protocol's `app_state` into each request's `scope["state"]`; giving
each connection its own copy with the transport in it costs nothing per request.
"""

from __future__ import annotations

import asyncio

from .transport import TRANSPORT_KEY

HTTP_PROTOCOL: type[asyncio.Protocol]
try:  # uvicorn's "auto" choice: httptools when installed (h11 is not even imported then)
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class EmulatorHttpToolsProtocol(HttpToolsProtocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self.app_state = {**self.app_state, TRANSPORT_KEY: transport}

    HTTP_PROTOCOL = EmulatorHttpToolsProtocol
except ImportError:  # pragma: no cover - uvicorn without the [standard] extra
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class EmulatorH11Protocol(H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self.app_state = {**self.app_state, TRANSPORT_KEY: transport}

    HTTP_PROTOCOL = EmulatorH11Protocol
