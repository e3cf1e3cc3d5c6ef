"""Control API for keys, limits and the clock (/_emulator/keys, /limits, /clock).

POST /_emulator/clock   {"advance": 60} or {"set": "2024-01-15T10:31:00Z"}; GET reads it.
POST /_emulator/keys    {"key", "state"?, "provider"?, "plan"?, "limits"?}; GET lists;
                        DELETE ?key=...&provider=... (no key: every runtime key).
PUT  /_emulator/limits  {"enabled"?: bool, "<slug>": {"rpm": 5, ..., "plans": {...}}};
                        GET shows what is in force; DELETE drops runtime overrides and usage.
Everything set here is undone by POST /_emulator/reset.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .clock import format_iso, parse_instant
from .control_http import error_response, json_response, read_json
from .errors import InvalidRequest
from .policy.keys import KeySpec, parse_key_spec

if TYPE_CHECKING:
    from .app import EmulatorApp


def limit_routes(app: EmulatorApp) -> list[Route]:
    state = app.state

    def clock_view() -> dict[str, Any]:
        now = state.clock.now()
        return {"now": now, "iso": format_iso(now), "frozen": state.clock.frozen,
                "offset": state.clock.offset}

    async def get_clock(request: Request) -> Response:
        return json_response(clock_view())

    async def move_clock(request: Request) -> Response:
        try:
            body = await read_json(request)
        except InvalidRequest as exc:
            return error_response(exc.message)
        if not isinstance(body, dict) or len(set(body) & {"advance", "set"}) != 1:
            return error_response("Send exactly one of {'advance': seconds} or {'set': time}.")
        if "advance" in body:
            seconds = body["advance"]
            if isinstance(seconds, bool) or not isinstance(seconds, int | float) \
                    or seconds < 0:
                return error_response(
                    "'advance' must be a non-negative number of seconds.", param="advance")
            try:
                state.clock.advance(float(seconds))
            except (ValueError, OverflowError) as exc:  # past the end of 9998 (clock.py)
                return error_response(f"'advance' is too far: {exc}.", param="advance")
        else:
            try:
                state.clock.set(parse_instant(str(body["set"])))
            except (ValueError, OverflowError) as exc:
                return error_response(f"'set' is not a time the clock can show: {exc}.",
                                      param="set")
        return json_response(clock_view())

    async def list_keys(request: Request) -> Response:
        return json_response({"keys": state.keys.listing(),
                              "unknown_keys": state.keys.unknown_keys})

    async def add_key(request: Request) -> Response:
        try:
            spec = parse_key_spec(await read_json(request), app.profiles)
        except InvalidRequest as exc:
            return error_response(exc.message, param=exc.param)
        state.keys.register(spec)
        return json_response({"key": spec.to_dict()})

    async def delete_keys(request: Request) -> Response:
        query = request.query_params
        removed = state.keys.remove(query.get("key"), query.get("provider"))
        return json_response({"removed": removed})

    async def show_limits(request: Request) -> Response:
        limiter = state.limiter
        providers = {}
        for slug, profile in app.profiles.items():
            entry: dict[str, Any] = asdict(limiter.limits_for(profile, None))
            entry["header_style"] = profile.limits.header_style
            if profile.limits.plans:
                entry["default_plan"] = profile.limits.default_plan
                entry["plans"] = {
                    name: asdict(limiter.limits_for(profile, KeySpec(key="", plan=name)))
                    for name in profile.limits.plans}
            providers[slug] = entry
        return json_response({"enabled": limiter.enabled, "providers": providers,
                      "runtime_overrides": limiter.runtime_overrides,
                      "usage": limiter.snapshot()["windows"]})

    async def set_limits(request: Request) -> Response:
        try:
            body = await read_json(request)
            if not isinstance(body, dict):
                return error_response(
                    "Send an object: {'enabled'?: bool, '<provider>': {'rpm': ...}}.")
            enabled = body.pop("enabled", None)
            if enabled is not None and not isinstance(enabled, bool):
                return error_response("'enabled' must be true or false.", param="enabled")
            state.limiter.override(body)
        except (InvalidRequest, ValueError, TypeError) as exc:
            return error_response(str(exc))
        if enabled is not None:
            state.limiter.enabled = enabled
        return await show_limits(request)

    async def clear_limits(request: Request) -> Response:
        state.limiter.reset()
        return await show_limits(request)

    return [
        Route("/_emulator/clock", get_clock, methods=["GET"]),
        Route("/_emulator/clock", move_clock, methods=["POST"]),
        Route("/_emulator/keys", list_keys, methods=["GET"]),
        Route("/_emulator/keys", add_key, methods=["POST"]),
        Route("/_emulator/keys", delete_keys, methods=["DELETE"]),
        Route("/_emulator/limits", show_limits, methods=["GET"]),
        Route("/_emulator/limits", set_limits, methods=["PUT", "POST"]),
        Route("/_emulator/limits", clear_limits, methods=["DELETE"]),
    ]
