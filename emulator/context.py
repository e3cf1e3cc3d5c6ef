"""The request context the pipeline steps read and fill in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from time import perf_counter
from typing import TYPE_CHECKING, Any

from .generate.seed import RequestSeed
from .providers.base import Model, Profile, RouteSpec

if TYPE_CHECKING:
    from .answer_cache import AnswerKey
    from .policy.faults import ActiveFault
    from .state import EmulatorState

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class ClientDisconnected(Exception):
    """The client went away before the request body was read."""


class RequestContext:
    """One request's state as the steps fill it in. A slotted class with a hand-written
    __init__, not a dataclass: every request builds one, and a dataclass's default
    factories cost a call per list (issue 9)."""

    __slots__ = ("answer_key", "base_url", "body", "body_json", "body_parsed", "body_valid",
                 "charged", "fault", "faults", "fixture", "fixture_miss", "headers", "key",
                 "method", "model", "notes", "on_complete", "path", "path_params", "profile",
                 "query", "raw_body", "receive", "response_headers", "route", "seed",
                 "started", "state")

    def __init__(self, state: EmulatorState, profile: Profile, method: str, path: str,
                 query: str, headers: dict[str, str], receive: Receive,
                 base_url: str = "") -> None:
        self.state = state
        self.profile = profile
        self.method = method
        self.path = path  # relative to the provider's mount, e.g. /v1/chat/completions
        self.query = query
        self.headers = headers  # lower-case names
        self.receive = receive
        # The emulator's own URL for this provider, for links to generated media.
        self.base_url = base_url
        self.started = perf_counter()
        self.route: RouteSpec | None = None
        self.path_params: dict[str, str] = {}
        self.raw_body = b""
        self.body: Any = None
        self.body_parsed = False
        # The body came from JSON (not a form), and it is known to pass the route's
        # schema (policy/validation.ValidBodies: these bytes were validated before).
        self.body_json = False
        self.body_valid = False
        self.key: str | None = None
        self.model: Model | None = None
        self.seed: RequestSeed | None = None
        # The answer cache's key for this request when it has one (answer_cache.py).
        self.answer_key: AnswerKey | None = None
        # What the rate limiter charged this request (policy/ratelimit.py), so a request
        # rejected after it was admitted can be given its charge back; None if uncharged.
        self.charged: tuple[tuple[str, Any, int, bool], ...] | None = None
        # Headers steps add to the response (rate-limit headers, ...).
        self.response_headers: dict[str, str] = {}
        # What the journal entry should say: faults that fired, the fixture that answered
        # (or why the nearest did not), anything else a user debugging a test wants.
        self.faults: list[str] = []
        self.fixture: str | None = None
        self.fixture_miss: str | None = None
        self.notes: list[str] = []
        # The fault rule that fired (policy/faults.py): its transport effects are applied
        # by the send path (transport.py); None on the hot path.
        self.fault: ActiveFault | None = None
        # Called once the response is sent and journaled (or the client went away):
        # releases what a step holds for the request's lifetime, e.g. a concurrency slot.
        self.on_complete: list[Callable[[], None]] = []

    @property
    def route_id(self) -> str | None:
        return self.route.route_id if self.route else None
