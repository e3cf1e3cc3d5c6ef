"""The control API under /_emulator/: JSON in and out, for tests to steer the emulator.

GET    /_emulator/health             {"status": "ok", "providers": [...]} (never needs a token)
POST   /_emulator/reset              journal, runtime fixtures and counts, faults, keys,
                                     limits, jobs and clock back to a fresh start
GET    /_emulator/requests           the journal: ?provider=&path=&model=&route=&method=
                                     &status=&after=&limit=
DELETE /_emulator/requests           empties it
GET    /_emulator/fixtures           every rule in the order tried (?origin=runtime|file|exchange)
POST   /_emulator/fixtures           a rule or a list of rules (fixtures_parse.py); 201
DELETE /_emulator/fixtures           runtime rules (?name= just those)
GET|POST|DELETE /_emulator/faults    fault rules (control_faults.py); DELETE .../faults/{id}
With an admin token (Config.admin_token) every call but health needs
`Authorization: Bearer <token>` or `X-Emulator-Token: <token>`, else a 401.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .context import Receive, Send
from .control_faults import fault_routes
from .control_http import error_response, json_response, read_json
from .control_limits import limit_routes
from .errors import InvalidRequest
from .fixtures_parse import FixtureError, parse_rule

if TYPE_CHECKING:
    from .app import EmulatorApp


class AdminGate:
    """Lets a control call through only with the admin token (when one is set). Health
    stays open so container health checks and wait-for scripts need no secret."""

    OPEN_PATHS = frozenset({"/_emulator/health"})

    def __init__(self, app: Starlette, token: str | None) -> None:
        self.app = app
        self.token = token.encode() if token else None

    def allows(self, scope: dict[str, Any]) -> bool:
        if self.token is None or scope["path"] in self.OPEN_PATHS:
            return True
        headers = dict(scope["headers"])
        given = headers.get(b"x-emulator-token", b"")
        scheme, _, bearer = headers.get(b"authorization", b"").partition(b" ")
        if scheme.lower() == b"bearer":
            given = given or bearer.strip()
        return hmac.compare_digest(given, self.token)  # constant time: no timing oracle

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.allows(scope):
            response = error_response(
                "This control call needs the admin token: send "
                "'Authorization: Bearer <token>' or 'X-Emulator-Token: <token>'.", 401,
                type="unauthorized", headers={"www-authenticate": 'Bearer realm="llm-emulator"'})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def build_control_app(app: EmulatorApp) -> AdminGate:
    state = app.state

    async def health(request: Request) -> Response:
        return json_response({"status": "ok", "providers": list(app.profiles)})

    async def reset(request: Request) -> Response:
        state.reset()
        return json_response({"status": "reset"})

    async def requests(request: Request) -> Response:
        query = request.query_params
        numbers: dict[str, int | None] = {}
        for name, what in (("limit", "a whole number of entries"),
                           ("status", "an HTTP status"), ("after", "an entry id")):
            given = query.get(name)
            if given is not None and not (given.isascii() and given.isdigit()):
                # '²' is a digit to isdigit(): ASCII digits only.
                return error_response(f"'{name}' must be {what} (a whole number >= 0).",
                                      param=name)
            # More digits than any id, status or journal size: past all of them (and no
            # int() of thousands of digits, which Python refuses).
            numbers[name] = None if given is None else \
                int(given) if len(given) <= 18 else 10**18
        entries = [e.to_dict() for e in state.journal.select(
            provider=query.get("provider"), path=query.get("path"),
            model=query.get("model"), route_id=query.get("route"),
            method=query.get("method"), status=numbers["status"], after=numbers["after"])]
        count = numbers["limit"]
        if count is not None:
            entries = entries[-count:] if count else []
        return json_response({"requests": entries, "count": len(entries),
                               "dropped": state.journal.dropped})

    async def clear_requests(request: Request) -> Response:
        state.journal.clear()
        return json_response({"status": "cleared"})

    async def list_fixtures(request: Request) -> Response:
        origin = request.query_params.get("origin")
        rules = [{"name": r.name, "origin": kind, "source": r.source, "nth": r.nth,
                  "count": state.fixtures.count(r), "rule": r.spec}
                 for kind, r in state.fixtures.listing() if origin in (None, kind)]
        return json_response({"fixtures": rules, "count": len(rules)})

    async def add_fixtures(request: Request) -> Response:
        try:
            data = await read_json(request)
            items = data if isinstance(data, list) else [data]
            # All or nothing: a bad rule in a list adds none of them.
            rules = [parse_rule(item, f"api[{i}]" if isinstance(data, list) else "api")
                     for i, item in enumerate(items)]
        except InvalidRequest as exc:  # not JSON at all
            return error_response(exc.message, type="invalid_fixture")
        except FixtureError as exc:
            return error_response(str(exc), type="invalid_fixture")
        for rule in reversed(rules):  # a list keeps its order: its first rule is tried first
            state.fixtures.add(rule)
        return json_response({"added": [r.name for r in rules]}, 201)

    async def remove_fixtures(request: Request) -> Response:
        removed = state.fixtures.remove(request.query_params.get("name"))
        return json_response({"removed": removed})

    routes = [
        Route("/_emulator/health", health, methods=["GET"]),
        Route("/_emulator/reset", reset, methods=["POST"]),
        Route("/_emulator/requests", requests, methods=["GET"]),
        Route("/_emulator/requests", clear_requests, methods=["DELETE"]),
        Route("/_emulator/fixtures", list_fixtures, methods=["GET"]),
        Route("/_emulator/fixtures", add_fixtures, methods=["POST"]),
        Route("/_emulator/fixtures", remove_fixtures, methods=["DELETE"]),
        *limit_routes(app),  # /_emulator/keys, /limits, /clock
        *fault_routes(app),  # /_emulator/faults
    ]
    control = Starlette(routes=routes, exception_handlers={
        HTTPException: http_error, Exception: server_error})
    # `/_emulator/faults/` is no call: answered 404, not redirected to `/faults` (a client
    # that follows redirects would DELETE every rule).
    control.router.redirect_slashes = False
    return AdminGate(control, app.config.admin_token)


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's 404 and 405 in the control API's own JSON error body."""
    assert isinstance(exc, HTTPException)
    kinds = {404: "not_found", 405: "method_not_allowed"}
    message = "No such control call" if exc.status_code == 404 else \
        f"{request.method} is not allowed here"
    return error_response(f"{message}: {request.method} {request.url.path}.", exc.status_code,
                          type=kinds.get(exc.status_code, "invalid_request_error"),
                          headers=exc.headers)


async def server_error(request: Request, exc: Exception) -> Response:
    """A bug of ours: JSON like every other answer (the traceback goes to the log)."""
    return error_response(f"The emulator failed on {request.method} {request.url.path}: "
                          f"{type(exc).__name__}.", 500, type="server_error")
