"""Record mode: `serve --record <upstream> --provider <slug> --fixtures DIR`.

Every request to the recorded provider skips the emulator's own pipeline (the upstream
judges keys, bodies and limits): it is forwarded to the upstream as it came, answered as
the upstream answered (an SSE stream relayed chunk by chunk as it arrives), and saved as
an ordinary fixture file (record_files.py) that a later `serve --fixtures DIR` replays.
With `record_missing`, a request a rule of the folder matches is replayed instead, and
only the others are forwarded; what they record is replayed from then on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator

import httpx

from . import jsonutil
from .config import Config
from .context import ClientDisconnected, RequestContext
from .errors import EmulatorError, UpstreamError
from .fixture_replies import render_fixture_reply
from .fixtures_match import FixtureRequest
from .pipeline import HTTPResponse, render_failure, render_reply
from .policy.validation import is_json_media, limit_body, media_type, parse_body
from .protocols.base import CannedReply
from .record_files import REQUEST_DROP, RESPONSE_DROP, Exchange, RecordingFolder, split_frames
from .record_secrets import Redactor
from .routing import resolve_route

log = logging.getLogger("emulator.record")

# A model may think for minutes before its first token; connecting should be quick.
UPSTREAM_TIMEOUT = httpx.Timeout(300.0, connect=10.0)


class Recorder:
    """Forwards one provider's requests to an upstream and records the exchanges."""

    def __init__(self, config: Config) -> None:
        if config.record_url is None or config.root_provider is None \
                or config.fixtures_dir is None:
            raise ValueError("recording needs record_url, root_provider (the provider "
                             "recorded) and fixtures_dir (where the fixtures go)")
        if not config.record_url.startswith(("http://", "https://")):
            raise ValueError(f"record_url must be an http(s) URL, not {config.record_url!r}")
        if config.replay_speed < 0:
            raise ValueError("replay_speed must be >= 0")
        self.provider = config.root_provider
        self.upstream = config.record_url.rstrip("/")
        self.missing = config.record_missing
        self.redactor = Redactor.build(config.secret_headers, config.secret_fields)
        # Created before the app's state loads the folder, which must then exist.
        self.folder = RecordingFolder(config.fixtures_dir, self.upstream, self.redactor)
        self._client: httpx.AsyncClient | None = None

    def client(self) -> httpx.AsyncClient:
        """One client per app, made on first use: in the loop that serves the app."""
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=UPSTREAM_TIMEOUT, follow_redirects=False)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def answer(self, ctx: RequestContext) -> HTTPResponse:
        """The response to one request to the recorded provider."""
        try:
            await self._read(ctx)
            # A path the emulator does not route is always forwarded: its recording is
            # kept, not replayed (as plain replay answers it with the emulator's 404).
            if self.missing and ctx.route is not None \
                    and (replayed := self._replay(ctx)) is not None:
                return replayed
            return await self._forward(ctx)
        except ClientDisconnected:
            raise
        except EmulatorError as error:  # too large a body, an unreachable upstream
            return render_failure(ctx, error)

    async def _read(self, ctx: RequestContext) -> None:
        try:
            resolve_route(ctx)
        except EmulatorError:  # a path the emulator does not know: forwarded all the same
            ctx.route = None
        await limit_body(ctx)
        media = media_type(ctx.headers.get("content-type", ""))
        if ctx.raw_body and (not media or is_json_media(media)):
            try:
                ctx.body = jsonutil.loads(ctx.raw_body)
                ctx.body_parsed = True
            except jsonutil.JSONDecodeError:
                pass  # forwarded as it came; the upstream says what is wrong with it
        elif ctx.raw_body and ctx.route is not None and ctx.route.body == "multipart":
            # An upload is recorded as replay will read it (its fields, and each file's
            # name, type, size and digest), so a replay matches the same form and file
            # whatever multipart boundary the client picks this time.
            try:
                pending = parse_body(ctx)
                if pending is not None:
                    await pending
            except EmulatorError:
                ctx.body, ctx.body_parsed = None, False  # forwarded as it came

    def _replay(self, ctx: RequestContext) -> HTTPResponse | None:
        """`record_missing`: the answer of the folder's matching rule, if any. Shipped
        example exchanges and content rules (which need the generator) do not count."""
        store = ctx.state.fixtures
        rule = store.match(FixtureRequest(ctx.profile.slug, ctx.route_id, ctx.path,
                                          ctx.body, ctx.query)).rule
        if rule is None or isinstance(rule.reply, CannedReply) \
                or any(rule is shipped for shipped in store.shipped):
            return None
        ctx.fixture = rule.name
        speed = ctx.state.config.replay_speed if rule.recorded else None
        reply = render_fixture_reply(rule.reply, ctx.profile, ctx.state.clock.now(), speed)
        assert not isinstance(reply, CannedReply)
        return render_reply(ctx, reply)

    async def _forward(self, ctx: RequestContext) -> HTTPResponse:
        url = self.upstream + ctx.path + (f"?{ctx.query}" if ctx.query else "")
        headers = [(k, v) for k, v in ctx.headers.items() if k not in REQUEST_DROP]
        client = self.client()
        started = asyncio.get_running_loop().time()
        request = client.build_request(ctx.method, url, headers=headers,
                                       content=ctx.raw_body or None)
        try:
            upstream = await client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise UpstreamError(f"llm-emulator record: the upstream {self.upstream} did "
                                f"not answer ({type(exc).__name__}: {exc}).") from None
        relayed = [(k.encode("latin-1"), v.encode("latin-1"))
                   for k, v in upstream.headers.multi_items() if k not in RESPONSE_DROP]
        exchange = Exchange(
            provider=ctx.profile.slug, route_id=ctx.route_id, method=ctx.method,
            path=ctx.path, query=ctx.query, request_headers=ctx.headers,
            request_body=ctx.body if ctx.body_parsed else None,
            status=upstream.status_code, headers=dict(upstream.headers.items()))
        content_type = upstream.headers.get("content-type", "")
        if upstream.status_code == 200 and content_type.startswith("text/event-stream"):
            ctx.notes.append(f"recorded from {self.upstream} (stream)")
            return HTTPResponse(200, relayed, events=[],
                                chunks=self._relay(ctx, upstream, exchange, started))
        try:
            exchange.content = await upstream.aread()
        except httpx.HTTPError as exc:
            raise UpstreamError(f"llm-emulator record: the upstream {self.upstream} broke "
                                f"off its answer ({type(exc).__name__}: {exc}).") from None
        finally:
            await upstream.aclose()
        ctx.notes.append(f"recorded from {self.upstream}")
        self._save(ctx, exchange)
        return HTTPResponse(upstream.status_code, relayed, exchange.content)

    async def _relay(self, ctx: RequestContext, upstream: httpx.Response, exchange: Exchange,
                     started: float) -> AsyncGenerator[bytes, None]:
        """The upstream's stream, each chunk passed on as it arrives; each SSE event's
        delay is measured from the previous one (the first from the request: its time to
        first token). Saved once the stream ended; a cut or abandoned one is not."""
        loop = asyncio.get_running_loop()
        frames: list[tuple[bytes, float]] = []
        buffer, last = b"", started
        try:
            async for chunk in upstream.aiter_bytes():
                complete, buffer = split_frames(buffer + chunk)
                now = loop.time()
                for frame in complete:
                    frames.append((frame, now - last))
                    last = now
                yield chunk
        except httpx.HTTPError as exc:
            log.warning("record: the upstream stream of %s %s broke off (%s); not recorded",
                        ctx.method, ctx.path, exc)
            return
        finally:
            await upstream.aclose()
        if buffer.strip():  # an event without its blank line at the very end
            frames.append((buffer, loop.time() - last))
        exchange.frames = frames
        self._save(ctx, exchange)

    def _save(self, ctx: RequestContext, exchange: Exchange) -> None:
        try:
            rule = self.folder.save(exchange)
        except Exception:  # the client still gets its answer; the log says what failed
            log.exception("record: could not save %s %s", ctx.method, ctx.path)
            return
        if rule is not None and self.missing:
            # Replayed from now on, as it will be from the file after a restart.
            ctx.state.fixtures.loaded.append(rule)
