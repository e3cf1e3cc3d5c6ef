"""Status codes and bodies per envelope style: the ONLY place error bodies are built.

Each style is a table from error kind (errors.py) to the provider's documented status,
`type` and `code`; a kind a provider does not document maps to its nearest documented
row (and the table says so). A new error kind is one row per table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .clock import format_iso
from .errors import EmulatorError


@dataclass(frozen=True)
class ErrorRow:
    status: int
    type: str
    code: str | None = None
    # The provider's documented message, used instead of ours where the doc shows one.
    message: str | None = None


# qhaigc and apiyi: OpenAI's body {"error": {message, type, param, code}}. Codes from
# apiyi's "常见错误码" table (invalid_api_key 401, insufficient_quota 429, model_not_found
# 404, invalid_request_error 400, server_error 500, rate_limit_exceeded 429) and qhaigc's
# example ("Invalid API key provided", type invalid_request_error).
OPENAI = {
    "invalid_request": ErrorRow(400, "invalid_request_error", "invalid_request_error"),
    "context_too_long": ErrorRow(400, "invalid_request_error", "context_length_exceeded"),
    "authentication_failed": ErrorRow(
        401, "invalid_request_error", "invalid_api_key", "Invalid API key provided"
    ),
    "permission_denied": ErrorRow(403, "permission_error", "permission_denied"),
    "not_found": ErrorRow(404, "invalid_request_error", None),
    "model_not_found": ErrorRow(404, "invalid_request_error", "model_not_found"),
    "method_not_allowed": ErrorRow(405, "invalid_request_error", "method_not_allowed"),
    "request_too_large": ErrorRow(413, "invalid_request_error", "request_too_large"),
    "unsupported_feature": ErrorRow(404, "invalid_request_error", "unsupported_endpoint"),
    "rate_limited": ErrorRow(429, "requests", "rate_limit_exceeded"),
    "tokens_rate_limited": ErrorRow(429, "tokens", "rate_limit_exceeded"),
    "quota_exceeded": ErrorRow(429, "insufficient_quota", "insufficient_quota"),
    "server_error": ErrorRow(500, "server_error", "server_error"),
    "upstream_error": ErrorRow(502, "server_error", "bad_gateway"),
    "service_unavailable": ErrorRow(503, "server_error", "service_unavailable"),
    "overloaded": ErrorRow(503, "server_error", "engine_overloaded"),
}

# xiaoai "5. 错误处理": {"error": {type, message}}; 400 invalid_request_error,
# 401 authentication_error, 403 permission_error, 429 rate_limit_error, 502 upstream_error.
# Undocumented kinds take Anthropic's types (the SDK the doc shows).
XIAOAI = {
    "invalid_request": ErrorRow(400, "invalid_request_error"),
    "context_too_long": ErrorRow(400, "invalid_request_error"),
    "authentication_failed": ErrorRow(401, "authentication_error"),
    "permission_denied": ErrorRow(403, "permission_error"),
    "not_found": ErrorRow(404, "not_found_error"),
    # No 404 is documented: an unknown model is a bad request parameter here.
    "model_not_found": ErrorRow(400, "invalid_request_error"),
    "method_not_allowed": ErrorRow(405, "invalid_request_error"),
    "request_too_large": ErrorRow(413, "request_too_large"),
    "unsupported_feature": ErrorRow(404, "not_found_error"),
    "rate_limited": ErrorRow(429, "rate_limit_error"),
    "quota_exceeded": ErrorRow(429, "rate_limit_error"),
    "server_error": ErrorRow(500, "api_error"),
    "upstream_error": ErrorRow(502, "upstream_error"),
    "service_unavailable": ErrorRow(503, "api_error"),
    "overloaded": ErrorRow(529, "overloaded_error"),
}

# ruijing "错误码": {"error": {message, type}}; 400 invalid_request_error,
# 401 authentication_error, 403 permission_error, 404 not_found_error,
# 429 rate_limit_error, 500 api_error, 503 service_unavailable.
RUIJING = {
    "invalid_request": ErrorRow(400, "invalid_request_error"),
    "context_too_long": ErrorRow(400, "invalid_request_error"),
    "authentication_failed": ErrorRow(401, "authentication_error"),
    "permission_denied": ErrorRow(403, "permission_error"),
    "not_found": ErrorRow(404, "not_found_error"),
    "model_not_found": ErrorRow(404, "not_found_error"),
    "method_not_allowed": ErrorRow(405, "invalid_request_error"),
    "request_too_large": ErrorRow(413, "invalid_request_error"),
    "unsupported_feature": ErrorRow(404, "not_found_error"),
    "rate_limited": ErrorRow(429, "rate_limit_error"),
    "quota_exceeded": ErrorRow(429, "rate_limit_error"),
    "server_error": ErrorRow(500, "api_error"),
    "upstream_error": ErrorRow(502, "api_error"),
    "service_unavailable": ErrorRow(503, "service_unavailable"),
    "overloaded": ErrorRow(503, "service_unavailable"),
}

# aimodels: {"success": false, "error": {code, message, type}, "timestamp"}; documented
# statuses 200, 400, 401, 403, 429, 500 and the 401 example (invalid_api_key,
# authentication_error, "API密鑰無效或已過期").
AIMODELS = {
    "invalid_request": ErrorRow(400, "invalid_request_error", "invalid_request"),
    "context_too_long": ErrorRow(400, "invalid_request_error", "context_length_exceeded"),
    "authentication_failed": ErrorRow(
        401, "authentication_error", "invalid_api_key", "API密鑰無效或已過期"
    ),
    "permission_denied": ErrorRow(403, "permission_error", "permission_denied"),
    "not_found": ErrorRow(404, "not_found_error", "not_found"),
    # No 404 is documented: an unknown model is a bad request parameter here.
    "model_not_found": ErrorRow(400, "invalid_request_error", "model_not_found"),
    "method_not_allowed": ErrorRow(405, "invalid_request_error", "method_not_allowed"),
    "request_too_large": ErrorRow(413, "invalid_request_error", "request_too_large"),
    "unsupported_feature": ErrorRow(404, "not_found_error", "not_found"),
    "rate_limited": ErrorRow(429, "rate_limit_error", "rate_limit_exceeded"),
    "quota_exceeded": ErrorRow(429, "rate_limit_error", "quota_exceeded"),
    "server_error": ErrorRow(500, "api_error", "internal_error"),
    "upstream_error": ErrorRow(502, "api_error", "bad_gateway"),
    "service_unavailable": ErrorRow(503, "api_error", "service_unavailable"),
    "overloaded": ErrorRow(503, "api_error", "overloaded"),
}

ERROR_TABLES: dict[str, dict[str, ErrorRow]] = {
    "openai": OPENAI,
    "xiaoai": XIAOAI,
    "ruijing": RUIJING,
    "aimodels": AIMODELS,
}


def error_row(style: str, error: EmulatorError) -> ErrorRow:
    """The row of the error's kind, else of the nearest kind it refines (TokensRateLimited
    is a RateLimited where a table has no row of its own), else the 500 row."""
    table = ERROR_TABLES[style]
    for cls in type(error).__mro__:
        row = table.get(getattr(cls, "kind", ""))
        if row is not None:
            return row
    return table["server_error"]


def error_object(style: str, error: EmulatorError) -> tuple[int, dict[str, Any]]:
    """The inner error object (what goes under "error") and its status."""
    row = error_row(style, error)
    status = error.status or row.status
    message = row.message or error.message
    code = error.code or row.code
    if style == "openai":
        return status, {"message": message, "type": row.type, "param": error.param,
                        "code": code}
    if style == "aimodels":
        return status, {"code": code, "message": message, "type": row.type}
    if style == "xiaoai":
        return status, {"type": row.type, "message": message}
    return status, {"message": message, "type": row.type}


def render_error(style: str, error: EmulatorError, now: float) -> tuple[int, dict[str, Any]]:
    """(status, body) of an error in the provider's envelope style."""
    status, inner = error_object(style, error)
    if style == "aimodels":
        return status, {"success": False, "error": inner, "timestamp": format_iso(now)}
    return status, {"error": inner}


def render_ok(style: str, payload: Any, now: float) -> Any:
    """A success body: the payload itself, or aimodels' success/data envelope."""
    if style == "aimodels":
        return {"success": True, "data": payload, "message": "操作成功",
                "timestamp": format_iso(now)}
    return payload
