"""Request checks: the route exists, the body is within the size limit and parses, and it
validates against the provider's request schema and model catalogue."""

from __future__ import annotations

import re
from collections.abc import Awaitable
from functools import lru_cache
from typing import Any

from ..bounded import FIFOCache
from ..context import ClientDisconnected, RequestContext
from ..errors import InvalidRequest, ModelNotFound, RequestTooLarge
from ..jsonutil import JSONDecodeError, loads

# Deepest JSON nesting a body may have. The parser's own limit (1024) is past what the
# rest of the emulator can walk (canonical JSON, token counts, schema checks recurse), and
# no real request nests this deep: a JSON Schema of tool parameters 60 levels deep is 120.
MAX_JSON_DEPTH = 128
# A number literal that may be integral: `5.0`, `5.00`, `1e3`, `1.5E1` (a false hit in a
# string only costs a walk of the body).
INTEGRAL_FLOAT = re.compile(rb"\d\.0*[,\]}\s]|\d[eE][+-]?\d")
# How much of a client's value an error message quotes back.
QUOTE_LIMIT = 256


class ValidBodies(FIFOCache[tuple[str, str, bytes], Any]):
    """JSON bodies already parsed and found valid, by (provider, route, raw bytes).

    A test suite sends the same body again and again, and parsing it, settling its numbers
    and checking it against the route's schema give the same result every time: a repeat
    skips them (issue 9). The model check still runs, and an invalid body is never kept,
    so its error is worded afresh. The parsed body is shared by the requests that sent
    those bytes: nothing after parse_body changes a body (handlers are pure) and the
    journal copies one when it is read. Bounded in entries, body size and bytes.
    """

    # A parsed body's objects take about this many times its JSON's bytes (measured).
    OBJECTS_PER_BYTE = 8

    def __init__(self, size: int = 512, max_body: int = 16_384,
                 max_bytes: int = 2 * 2**20) -> None:
        super().__init__(size, max_bytes)
        self.max_body = max_body

    def lookup(self, slug: str, route_id: str, raw: bytes) -> Any | None:
        return self.entries.get((slug, route_id, raw))

    def keep(self, slug: str, route_id: str, raw: bytes, body: Any) -> None:
        if len(raw) <= self.max_body:
            self.put((slug, route_id, raw), body, len(raw) * self.OBJECTS_PER_BYTE)


async def limit_body(ctx: RequestContext) -> None:
    """Read the body, refusing (413) past the provider's limit without reading it all."""
    limit = ctx.profile.max_body_bytes
    declared = ctx.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise RequestTooLarge(f"Request body is larger than the {limit} byte limit.")
    message = await ctx.receive()
    if message["type"] == "http.request" and not message.get("more_body", False):
        # The usual case: the whole body in one message (issue 9).
        body = message.get("body", b"")
        if len(body) > limit:
            raise RequestTooLarge(f"Request body is larger than the {limit} byte limit.")
        ctx.raw_body = body
        return
    chunks: list[bytes] = []
    size = 0
    while True:
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise RequestTooLarge(f"Request body is larger than the {limit} byte limit.")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
        message = await ctx.receive()
    ctx.raw_body = chunks[0] if len(chunks) == 1 else b"".join(chunks)


@lru_cache(maxsize=64)  # a client sends the same content type every time (issue 9)
def media_type(content_type: str) -> str:
    """`application/json` of `Application/JSON; charset=utf-8`."""
    return content_type.split(";", 1)[0].strip().lower()


def is_json_media(media: str) -> bool:
    return media in ("application/json", "text/json") or media.endswith("+json")


def normalize_json(value: dict[str, Any] | list[Any], limit: int) -> bool:
    """Check the nesting and settle the numbers of a parsed body, in one pass.

    Returns whether containers nest deeper than `limit` (iterative: no recursion to
    exhaust). Integral floats become ints: JSON Schema counts `5.0` as an integer (so
    `"max_tokens": 5.0` validates) while the handlers index, slice and count with it."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        keys = node.keys() if isinstance(node, dict) else range(len(node))
        for key in keys:
            child = node[key]
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
            elif isinstance(child, float) and child.is_integer() and abs(child) < 2**63:
                node[key] = int(child)
    return False


def quote(value: Any) -> str:
    """A client's value as an error message may echo it: cut to QUOTE_LIMIT characters."""
    text = str(value)
    return text if len(text) <= QUOTE_LIMIT else \
        f"{text[:QUOTE_LIMIT]}... ({len(text)} characters)"


def parse_body(ctx: RequestContext) -> Awaitable[None] | None:
    """Parse the body: JSON here, an upload (multipart form) in a coroutine."""
    route = ctx.route
    if route is None or route.body == "none":
        return None
    media = media_type(ctx.headers.get("content-type", ""))
    if route.body == "multipart" and not is_json_media(media):
        return _parse_form(ctx, route.route_id)
    _parse_json(ctx, route.route_id, media)
    return None


async def _parse_form(ctx: RequestContext, route_id: str) -> None:
    from .multipart import parse_multipart  # python-multipart: only for uploads

    validator = ctx.state.schemas.validator(ctx.profile.slug, route_id)
    schema = validator.schema if validator is not None else None
    ctx.body = await parse_multipart(ctx.headers, ctx.raw_body, schema)
    ctx.body_parsed = True


def _parse_json(ctx: RequestContext, route_id: str, media: str) -> None:
    # A declared type must be JSON; an undeclared one is read as JSON (curl -d, bare
    # clients), as the gateways' OpenAI-style servers do.
    if media and not is_json_media(media):
        raise InvalidRequest(
            f"Unsupported content type: '{quote(media)}'. This endpoint only accepts "
            "'application/json' requests; send the body as JSON with "
            "'Content-Type: application/json'.")
    known = ctx.state.valid_bodies.lookup(ctx.profile.slug, route_id, ctx.raw_body)
    if known is not None:  # these very bytes parsed and validated before
        ctx.body, ctx.body_parsed, ctx.body_valid = known, True, True
        return
    if not ctx.raw_body or ctx.raw_body.isspace():  # no strip(): that copies the body
        raise InvalidRequest("We could not parse the JSON body of your request: the body is "
                             "empty. Send a JSON object.")
    try:
        ctx.body = loads(ctx.raw_body)
    except JSONDecodeError as exc:
        raise InvalidRequest(f"We could not parse the JSON body of your request ({exc}).") \
            from None
    ctx.body_parsed = True
    if not isinstance(ctx.body, dict):
        raise InvalidRequest("The request body must be a JSON object.")
    ctx.body_json = True  # validate_body may keep it in ValidBodies
    # Walked only when it may matter (the hot path skips it): each level opens a bracket,
    # so a body with fewer brackets than the limit cannot be too deep, and one without an
    # integral float literal (5.0, 1e3) has no number to settle.
    raw = ctx.raw_body
    if (raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH or INTEGRAL_FLOAT.search(raw)) \
            and normalize_json(ctx.body, MAX_JSON_DEPTH):
        raise InvalidRequest(f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels.")


def validate_body(ctx: RequestContext) -> None:
    route = ctx.route
    if route is None or route.body == "none":
        return
    if not ctx.body_valid:
        violation = ctx.state.schemas.violation(ctx.profile.slug, route.route_id, ctx.body)
        if violation is not None:
            message, field = violation
            raise InvalidRequest(message, param=field or None)
        if ctx.body_json:
            ctx.state.valid_bodies.keep(ctx.profile.slug, route.route_id, ctx.raw_body,
                                       ctx.body)
    if route.model_kinds and isinstance(ctx.body, dict) and "model" in ctx.body:
        name = ctx.body["model"]
        model = ctx.profile.catalogue.get(name) if isinstance(name, str) else None
        if model is None:
            raise ModelNotFound(
                f"The model `{quote(name)}` does not exist or you do not have access to it.",
                param="model")
        if model.kind not in route.model_kinds:
            raise InvalidRequest(
                f"The model `{name}` is a {model.kind} model and does not support "
                f"{route.method} {route.path}.", param="model")
        ctx.model = model
