"""The control API's JSON in and out, shared by its modules (control.py, control_limits.py,
control_faults.py): one body shape for its own errors, `{"error": {message, type, param}}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from . import jsonutil
from .errors import InvalidRequest


def json_response(content: Any, status: int = 200,
                  headers: Mapping[str, str] | None = None) -> Response:
    return Response(jsonutil.dumps(content), status, headers=dict(headers or {}),
                    media_type="application/json")


def error_response(message: str, status: int = 400, *, param: str | None = None,
                   type: str = "invalid_request_error",
                   headers: Mapping[str, str] | None = None) -> Response:
    return json_response({"error": {"message": message, "type": type, "param": param}},
                         status, headers)


async def read_json(request: Request) -> Any:
    """The request's JSON body ({} when empty); InvalidRequest when it does not parse."""
    raw = await request.body()
    try:
        return jsonutil.loads(raw) if raw else {}
    except ValueError as exc:
        raise InvalidRequest(f"The body is not valid JSON: {exc}") from exc
