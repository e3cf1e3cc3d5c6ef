"""Error kinds the emulator can raise. No HTTP here: `envelopes.py` turns a kind into the
provider's status code and body, one table per envelope style."""

from __future__ import annotations


class EmulatorError(Exception):
    """Base of every error the emulator answers with on purpose.

    `kind` names the condition and is the key of the envelope tables; `param` names the
    offending request field (OpenAI's `error.param`), when there is one.
    """

    kind = "server_error"

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        headers: dict[str, str] | None = None,
        code: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.headers = headers or {}
        # Overrides the table's code where one kind has several documented codes.
        self.code = code
        # Overrides the table's status: a fault asking for a status no kind stands for
        # (408, 409, 504, ...: the SDKs retry or classify them) keeps it, in the body of
        # its nearest kind.
        self.status = status


class InvalidRequest(EmulatorError):
    kind = "invalid_request"


class ContextTooLong(EmulatorError):
    kind = "context_too_long"


class AuthenticationFailed(EmulatorError):
    kind = "authentication_failed"


class PermissionDenied(EmulatorError):
    kind = "permission_denied"


class NotFound(EmulatorError):
    kind = "not_found"


class ModelNotFound(EmulatorError):
    kind = "model_not_found"


class MethodNotAllowed(EmulatorError):
    kind = "method_not_allowed"


class RequestTooLarge(EmulatorError):
    kind = "request_too_large"


class UnsupportedFeature(EmulatorError):
    kind = "unsupported_feature"


class RateLimited(EmulatorError):
    kind = "rate_limited"


class TokensRateLimited(RateLimited):
    """Over a token limit (TPM/TPD) rather than a request count: OpenAI says so in the
    body's `type` ("tokens", not "requests"); other formats render it as RateLimited."""

    kind = "tokens_rate_limited"


class QuotaExceeded(EmulatorError):
    kind = "quota_exceeded"


class ServerError(EmulatorError):
    kind = "server_error"


class UpstreamError(EmulatorError):
    kind = "upstream_error"


class ServiceUnavailable(EmulatorError):
    kind = "service_unavailable"


class Overloaded(EmulatorError):
    kind = "overloaded"


ERROR_KINDS: dict[str, type[EmulatorError]] = {
    cls.kind: cls
    for cls in (
        InvalidRequest,
        ContextTooLong,
        AuthenticationFailed,
        PermissionDenied,
        NotFound,
        ModelNotFound,
        MethodNotAllowed,
        RequestTooLarge,
        UnsupportedFeature,
        RateLimited,
        TokensRateLimited,
        QuotaExceeded,
        ServerError,
        UpstreamError,
        ServiceUnavailable,
        Overloaded,
    )
}


# The kind an HTTP status stands for, where a rule names a status rather than a kind
# (fixture error replies, faults): rendered by envelopes.py in the provider's own body.
STATUS_KINDS: dict[int, str] = {
    400: "invalid_request",
    401: "authentication_failed",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    429: "rate_limited",
    500: "server_error",
    502: "upstream_error",
    503: "service_unavailable",
    529: "overloaded",
}


def kind_for_status(status: int) -> str:
    """The error kind of a status; one without its own row is a bad request (4xx) or a
    server error (5xx)."""
    return STATUS_KINDS.get(status) or ("server_error" if status >= 500 else "invalid_request")


def is_error_status(status: object) -> bool:
    """Whether a rule may ask for this status: any 4xx or 5xx, as an int."""
    return isinstance(status, int) and not isinstance(status, bool) and 400 <= status <= 599


def default_retry_after(kind: str) -> int | None:
    """The `retry-after` seconds of a 429 nobody gave one to (a fault, a fixture's error):
    1 for a rate limit, whose window frees soon; none for an exhausted quota, which needs
    the user to act (OpenAI's TooManyRequests omits it then, as a real out-of-quota key's
    429 here does)."""
    return 1 if kind in ("rate_limited", "tokens_rate_limited") else None
