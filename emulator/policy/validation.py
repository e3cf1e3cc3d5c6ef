"""Request checks: the route exists, the body is within the size limit and parses, and it
validates against the provider's request schema and model catalogue."""

from __future__ import annotations

from ..context import ClientDisconnected, RequestContext
from ..errors import InvalidRequest, ModelNotFound, RequestTooLarge
from ..jsonutil import JSONDecodeError, loads
from .multipart import parse_multipart


async def limit_body(ctx: RequestContext) -> None:
    """Read the body, refusing (413) past the provider's limit without reading it all."""
    limit = ctx.profile.max_body_bytes
    declared = ctx.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise RequestTooLarge(f"Request body is larger than the {limit} byte limit.")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await ctx.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise RequestTooLarge(f"Request body is larger than the {limit} byte limit.")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    ctx.raw_body = chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def parse_body(ctx: RequestContext) -> None:
    route = ctx.route
    content_type = ctx.headers.get("content-type", "").lower()
    if route is not None and route.body == "multipart" \
            and not content_type.startswith("application/json"):
        validator = ctx.state.schemas.validator(ctx.profile.slug, route.route_id)
        schema = validator.schema if validator is not None else None
        ctx.body = await parse_multipart(ctx.headers, ctx.raw_body, schema)
        ctx.body_parsed = True
        return
    if route is None or route.body == "none":
        return
    if not ctx.raw_body.strip():
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


async def validate_body(ctx: RequestContext) -> None:
    route = ctx.route
    if route is None or route.body == "none":
        return
    violation = ctx.state.schemas.violation(ctx.profile.slug, route.route_id, ctx.body)
    if violation is not None:
        message, field = violation
        raise InvalidRequest(message, param=field or None)
    if route.model_kinds and isinstance(ctx.body, dict) and "model" in ctx.body:
        name = ctx.body["model"]
        model = ctx.profile.catalogue.get(name) if isinstance(name, str) else None
        if model is None:
            raise ModelNotFound(
                f"The model `{name}` does not exist or you do not have access to it.",
                param="model")
        if model.kind not in route.model_kinds:
            raise InvalidRequest(
                f"The model `{name}` is a {model.kind} model and does not support "
                f"{route.method} {route.path}.", param="model")
        ctx.model = model
