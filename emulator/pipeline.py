"""The request pipeline: the ONLY place the order of checks lives.

route -> auth -> body size -> parse -> validate -> dispatch to the wire format (or a
fixture) -> envelope. Each step is a plain (or async) function on the RequestContext that
raises an error kind from errors.py; `run_pipeline` turns the outcome into an
HTTPResponse in the provider's format, and never lets an exception escape as a 500
traceback.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass

from . import jsonutil
from .context import ClientDisconnected, RequestContext
from .envelopes import render_error, render_ok
from .errors import EmulatorError, ServerError
from .fixture_replies import Replayed, consult_fixtures, replay_recorded
from .generate.seed import derive_seed, hash_head
from .policy.auth import check_auth
from .policy.faults import apply_faults
from .policy.ratelimit import enforce_rate_limit
from .policy.validation import limit_body, parse_body, validate_body
from .protocols import HANDLERS
from .protocols.base import BinaryReply, Call, CannedReply, JSONReply, Reply, StreamReply
from .routing import resolve_route

log = logging.getLogger("emulator")

# A step is a plain function, or a coroutine function where it awaits (the body, a
# multipart parse): the loop awaits only what returns an awaitable, since a coroutine
# per step costs more than most steps do (issue 9).
Step = Callable[[RequestContext], Awaitable[None] | None]

STEPS: tuple[Step, ...] = (
    resolve_route,
    apply_faults,  # first check after routing: fault rules match on the route id
    check_auth,
    limit_body,
    parse_body,
    replay_recorded,  # a recorded exchange answers as the upstream did, unchecked
    validate_body,
    enforce_rate_limit,
)


@dataclass
class HTTPResponse:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes = b""
    # SSE frames for a streamed answer (body is then empty).
    events: list[bytes] | None = None
    # Seconds to wait before each frame (fixture stream scripts); None: no pacing.
    delays: list[float] | None = None
    # A stream relayed as it arrives (a recorded upstream's, emulator/record.py); `events`
    # is then empty. Closed by the sender, whether or not it was read to the end.
    chunks: AsyncGenerator[bytes, None] | None = None
    # `headers` plus content-length, as the sender sends them: built on the first send,
    # kept for a cached answer's next ones (issue 9).
    head: list[tuple[bytes, bytes]] | None = None


def dispatch(ctx: RequestContext) -> Reply:
    """Answer with the matching fixture rule if any, else the route's generator."""
    route = ctx.route
    assert route is not None
    state = ctx.state
    slug = ctx.profile.slug
    canned = consult_fixtures(ctx)
    if canned is not None and not isinstance(canned, CannedReply):
        return canned  # a raw body, stream script or error, sent as the rule wrote it
    now = state.clock.now()
    # A repeated request to a pure route gets its memoised reply: same bytes, no generator.
    handler = HANDLERS[route.route_id]
    key = state.answers.key(ctx, handler) if canned is None else None
    if key is not None:
        ctx.answer_key = key
        if (cached := state.answers.lookup(key, now)) is not None:
            return cached
    ctx.seed = derive_seed(state.config.seed, slug, route.route_id, ctx.body)
    # Positional, in the order Call declares its fields: keywords cost more (issue 9).
    call = Call(ctx.body, ctx.profile, route, ctx.seed, now, ctx.model, ctx.path_params,
                ctx.query, canned, ctx.base_url, state.jobs, state.config.seed)
    reply = handler(call)
    if key is not None:
        state.answers.keep(key, reply, now)
    return reply


def request_id(ctx: RequestContext) -> str:
    """Deterministic: the same request gets the same id."""
    # One call on the joined bytes: the same digest as two update()s, one call fewer.
    head = hash_head(ctx.state.config.seed, ctx.profile.slug, ctx.method, ctx.path)
    return "req_" + hashlib.blake2b(head + ctx.raw_body, digest_size=16).hexdigest()


def base_headers(ctx: RequestContext, content_type: bytes) -> list[tuple[bytes, bytes]]:
    rid = request_id(ctx).encode()
    route = ctx.route
    if route is not None:
        id_header = b"request-id" if route.family == "anthropic" else b"x-request-id"
        headers = [(b"content-type", content_type), (id_header, rid)]
    elif ctx.profile.serves_anthropic:
        # No route (an unknown path): either SDK may have sent it, so both read their id.
        headers = [(b"content-type", content_type), (b"x-request-id", rid),
                   (b"request-id", rid)]
    else:
        headers = [(b"content-type", content_type), (b"x-request-id", rid)]
    if ctx.response_headers:  # rate-limit headers; none on the usual path
        headers.extend((k.encode(), str(v).encode()) for k, v in ctx.response_headers.items())
    return headers


def with_headers(headers: list[tuple[bytes, bytes]],
                 extra: dict[str, str]) -> list[tuple[bytes, bytes]]:
    """`headers` plus a reply's own; a reply header replaces a base one of the same name
    (a recorded request id or rate-limit header must not be sent twice)."""
    if not extra:
        return headers
    names = {k.lower().encode() for k in extra}
    return [*(h for h in headers if h[0] not in names),
            *((k.lower().encode(), v.encode()) for k, v in extra.items())]


def render_reply(ctx: RequestContext, reply: Reply) -> HTTPResponse:
    """The reply as HTTP; a cached answer's rendering is kept with it (answer_cache.py)
    unless this request adds headers of its own (rate limits)."""
    if ctx.answer_key is None or ctx.response_headers:
        return _render(ctx, reply)
    if reply.rendered is None:
        rendered = _render(ctx, reply)
        if isinstance(reply, JSONReply) and rendered.body is not reply.encoded:
            # An enveloped answer's own encoding, kept exact-size (see answer_cache.py).
            rendered.body = memoryview(rendered.body).tobytes()
        reply.rendered = rendered
    return reply.rendered  # type: ignore[no-any-return]


def _render(ctx: RequestContext, reply: Reply) -> HTTPResponse:
    if isinstance(reply, JSONReply):
        payload = reply.payload
        if reply.enveloped:
            payload = render_ok(ctx.profile.success_style, payload, ctx.state.clock.now())
        headers = with_headers(base_headers(ctx, b"application/json"), reply.headers)
        if payload is not reply.payload:  # enveloped: the envelope's timestamp moves
            return HTTPResponse(reply.status, headers, jsonutil.dumps(payload))
        if reply.encoded is None:
            reply.encoded = jsonutil.dumps(payload)
        return HTTPResponse(reply.status, headers, reply.encoded)
    if isinstance(reply, StreamReply):
        headers = base_headers(ctx, reply.media_type.encode())
        headers.append((b"cache-control", b"no-cache"))
        return HTTPResponse(reply.status, with_headers(headers, reply.headers),
                            events=reply.events, delays=reply.delays)
    assert isinstance(reply, BinaryReply)
    headers = with_headers(base_headers(ctx, reply.media_type.encode()), reply.headers)
    return HTTPResponse(reply.status, headers, reply.content)


def render_failure(ctx: RequestContext, error: EmulatorError) -> HTTPResponse:
    if ctx.charged is not None:  # refused after the limiter admitted it: no charge
        ctx.state.limiter.refund(ctx)
    ctx.state.limiter.describe(ctx)  # aimodels sends X-RateLimit-* on every response
    status, body = render_error(ctx.profile.error_style, error, ctx.state.clock.now())
    headers = base_headers(ctx, b"application/json")
    headers.extend((k.encode(), v.encode()) for k, v in error.headers.items())
    return HTTPResponse(status, headers, jsonutil.dumps(body))


async def run_pipeline(ctx: RequestContext) -> HTTPResponse:
    try:
        for step in STEPS:
            pending = step(ctx)
            if pending is not None:
                await pending
        return render_reply(ctx, dispatch(ctx))
    except Replayed as replayed:
        return render_reply(ctx, replayed.reply)
    except ClientDisconnected:
        raise
    except EmulatorError as error:
        return render_failure(ctx, error)
    except Exception as exc:  # the catch-all: a bug of ours is the provider's 500
        log.exception("unexpected error on %s %s", ctx.method, ctx.path)
        ctx.notes.append(f"internal error: {type(exc).__name__}: {exc}")
        return render_failure(ctx, ServerError(
            "The server had an error while processing your request. Sorry about that!"))
