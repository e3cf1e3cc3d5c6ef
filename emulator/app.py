"""The ASGI application: provider dispatch by mount prefix or Host header, the control
API under /_emulator/, and the transport effects (sending, journaling).

Provider routes are dispatched by plain dict lookups rather than Starlette's router: the
hot path of a mock must cost less than a framework's routing does (issue: performance).
The control API, off the hot path, is an ordinary Starlette app.
"""

from __future__ import annotations

import time
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

from . import jsonutil
from .config import Config
from .context import ClientDisconnected, Receive, RequestContext, Send
from .journal import JournalEntry
from .pipeline import HTTPResponse, run_pipeline
from .providers import PROFILES
from .providers.base import Profile
from .state import EmulatorState
from .transport import send_faulted, send_paced

if TYPE_CHECKING:
    from .record import Recorder

CONTROL_PREFIX = "/_emulator"
# Where a provider's OpenAPI document is served, relative to its mount (emulator/openapi.py).
OPENAPI_PATHS = frozenset({"/openapi.json"})


class EmulatorApp:
    """The emulator as one ASGI callable. `state` is this instance's own state."""

    def __init__(self, config: Config, profiles: dict[str, Profile] | None = None) -> None:
        from .control import build_control_app

        self.config = config
        self.profiles = dict(profiles or PROFILES)
        if config.root_provider is not None and config.root_provider not in self.profiles:
            raise ValueError(f"unknown provider {config.root_provider!r}; "
                             f"choose one of {', '.join(self.profiles)}")
        # Record mode (record.py, imported only then: httpx costs 70 ms of every start);
        # made before the state, which loads the folder it creates.
        self.recorder: Recorder | None = None
        if config.record_url is not None or config.record_missing:  # the latter: an error
            from .record import Recorder

            self.recorder = Recorder(config)
        # Validators are compiled on each route's first request (once): compiling all of
        # them here cost a tenth of a second of every start (issue 9).
        self.state = EmulatorState(config, self.profiles)
        self.hosts = {host: slug for slug, p in self.profiles.items() for host in p.hosts}
        self.control = build_control_app(self)
        # The CLI turns this on: one line per request (method, provider, path, status, ms).
        self.request_log = False

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        if kind != "http":
            return
        path: str = scope["path"]
        if path.startswith(CONTROL_PREFIX):
            await self.control(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope["headers"]}
        # A provider's own host name (e.g. in /etc/hosts) serves it at the root.
        host = headers.get("host") if self.hosts else None
        slug = self.hosts.get(host.rsplit(":", 1)[0]) if host else None
        mount = ""
        if slug is None:
            first = path.split("/", 2)[1] if path.count("/") >= 1 else ""
            if first in self.profiles:
                slug, mount = first, "/" + first
                path = path[len(mount):] or "/"
            elif self.config.root_provider is not None:
                slug = self.config.root_provider
            else:
                await self._index(scope, send)
                return
        if path in OPENAPI_PATHS and scope["method"] in ("GET", "HEAD"):
            await self._openapi(slug, self._base_url(scope, headers, mount), send)
            return
        ctx = RequestContext(
            state=self.state,
            profile=self.profiles[slug],
            method=scope["method"],
            path=path,
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            receive=receive,
            base_url=self._base_url(scope, headers, mount),
        )
        try:
            try:
                recorder = self.recorder
                if recorder is not None and slug == recorder.provider:
                    response = await recorder.answer(ctx)  # forwarded to the upstream
                else:
                    response = await run_pipeline(ctx)
            except ClientDisconnected:
                self._record(ctx, 499, stream=False)
                return
            stream = response.events is not None
            if ctx.fault is None and response.delays is not None:  # a paced stream script
                status = await send_paced(response, receive, send)
                self._record(ctx, status, stream=True)
            elif ctx.fault is None:
                # Journaled before the answer goes out: a client that has its answer finds
                # it in the journal (a test's next line may read it, or reset).
                self._record(ctx, response.status, stream=stream)
                await self._send(response, send)
            else:  # latency, hangs, drops, cuts, pacing: transport.py; the status it
                # ends with (a drop, a client gone) is only known afterwards.
                status = await send_faulted(ctx, response, scope, receive, send, self._send)
                self._record(ctx, status, stream=stream)
        finally:
            for release in ctx.on_complete:
                release()

    async def _send(self, response: HTTPResponse, send: Send) -> None:
        if response.events is None:
            if response.head is None:
                response.head = [*response.headers,
                                 (b"content-length", str(len(response.body)).encode())]
            await send({"type": "http.response.start", "status": response.status,
                        "headers": response.head})
            await send({"type": "http.response.body", "body": response.body})
            return
        await send({"type": "http.response.start", "status": response.status,
                    "headers": response.headers})
        if response.chunks is not None:  # a recorded upstream's stream, as it arrives
            async with aclosing(response.chunks) as chunks:
                async for chunk in chunks:
                    await send({"type": "http.response.body", "body": chunk,
                                "more_body": True})
            await send({"type": "http.response.body", "body": b""})
            return
        # No pacing asked for: the whole stream in one write is the cheapest correct form.
        await send({"type": "http.response.body", "body": b"".join(response.events)})

    def _record(self, ctx: RequestContext, status: int, stream: bool) -> None:
        journal = self.state.journal
        body: Any = ctx.body if ctx.body_parsed else _raw_text(ctx.raw_body)
        elapsed = time.perf_counter() - ctx.started
        entry_id = journal.next_id
        journal.next_id = entry_id + 1
        # Positional, in the order JournalEntry declares its fields: every request makes
        # one, and 18 keyword arguments cost 0.7 us more than positions (issue 9).
        journal.record(JournalEntry(
            entry_id,
            self.state.clock.now(),
            ctx.method,
            ctx.profile.slug,
            ctx.route_id,
            ctx.path,
            ctx.query,
            ctx.headers,  # raw_headers: masked when read, so recording stays cheap
            body,
            status,
            # duration_ms to 3 decimals; int() rounding is 3x cheaper than round(x, 3).
            int(elapsed * 1_000_000 + 0.5) / 1000,
            stream,
            ctx.body.get("model") if isinstance(ctx.body, dict) else None,
            ctx.key,  # raw_key
            ctx.faults,  # the request's own lists: nothing adds to them after this
            ctx.fixture,
            ctx.fixture_miss,
            ctx.notes,
        ))
        if self.request_log:
            entry = journal.entries[-1]
            print(f"{entry.method} {entry.provider} {entry.path} {status} "
                  f"{entry.duration_ms:.1f}ms", flush=True)

    def _base_url(self, scope: dict[str, Any], headers: dict[str, str], mount: str) -> str:
        host = headers.get("host")
        if not host:
            server = scope.get("server") or ("127.0.0.1", 80)
            host = f"{server[0]}:{server[1]}"
        return f"{scope.get('scheme', 'http')}://{host}{mount}"

    async def _openapi(self, slug: str, base_url: str, send: Send) -> None:
        """The provider's OpenAPI document (no key needed: it is documentation)."""
        from .openapi import build_openapi

        body = jsonutil.dumps(build_openapi(self.profiles[slug], self.state.schemas,
                                            emulator_url=base_url))
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def _index(self, scope: dict[str, Any], send: Send) -> None:
        """No provider named: a 404 that lists where the providers are."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope["headers"]}
        base = self._base_url(scope, headers, "")
        status = 200 if scope["path"] == "/" else 404
        body = jsonutil.dumps({
            "error": None if status == 200 else {
                "message": f"Invalid URL ({scope['method']} {scope['path']}): no provider "
                           "here; use /<provider>/... (see 'providers').",
                "type": "invalid_request_error", "param": None, "code": None},
            "providers": {slug: f"{base}/{slug}" + p.base_paths[0]
                          for slug, p in self.profiles.items()},
            "control": f"{base}{CONTROL_PREFIX}",
        })
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def aclose(self) -> None:
        """Release what the app opened on first use: the recorder's upstream client."""
        if self.recorder is not None:
            await self.recorder.aclose()


def _raw_text(raw: bytes) -> str | None:
    if not raw:
        return None
    text = raw[:65536].decode("utf-8", "replace")
    return text if len(raw) <= 65536 else text + f"... ({len(raw)} bytes)"


def create_app(config: Config | None = None) -> EmulatorApp:
    """The emulator as an ASGI app: all five providers under /<slug>, the control API
    under /_emulator/. Each call builds an independent instance with its own state."""
    return EmulatorApp(config or Config())
