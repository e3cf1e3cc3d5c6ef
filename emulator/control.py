"""The control API under /_emulator/: JSON in and out, for tests to steer the emulator."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import jsonutil
from .control_limits import limit_routes

if TYPE_CHECKING:
    from .app import EmulatorApp


class ORJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return jsonutil.dumps(content)


def build_control_app(app: EmulatorApp) -> Starlette:
    state = app.state

    async def health(request: Request) -> Response:
        return ORJSONResponse({"status": "ok", "providers": list(app.profiles)})

    async def reset(request: Request) -> Response:
        state.reset()
        return ORJSONResponse({"status": "reset"})

    async def requests(request: Request) -> Response:
        query = request.query_params
        entries = [e.to_dict() for e in state.journal.select(
            provider=query.get("provider"), path=query.get("path"),
            model=query.get("model"), route_id=query.get("route"))]
        limit = query.get("limit")
        if limit and limit.isdigit():
            entries = entries[-int(limit):]
        return ORJSONResponse({"requests": entries, "count": len(entries),
                               "dropped": state.journal.dropped})

    async def clear_requests(request: Request) -> Response:
        state.journal.clear()
        return ORJSONResponse({"status": "cleared"})

    routes = [
        Route("/_emulator/health", health, methods=["GET"]),
        Route("/_emulator/reset", reset, methods=["POST"]),
        Route("/_emulator/requests", requests, methods=["GET"]),
        Route("/_emulator/requests", clear_requests, methods=["DELETE"]),
        *limit_routes(app),  # /_emulator/keys, /limits, /clock
    ]
    return Starlette(routes=routes)
