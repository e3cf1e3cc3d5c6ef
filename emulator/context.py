"""The request context the pipeline steps read and fill in."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .generate.seed import RequestSeed
from .providers.base import Model, Profile, RouteSpec

if TYPE_CHECKING:
    from .policy.faults import ActiveFault
    from .state import EmulatorState

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class ClientDisconnected(Exception):
    """The client went away before the request body was read."""


@dataclass
class RequestContext:
    state: EmulatorState
    profile: Profile
    method: str
    path: str  # relative to the provider's mount, e.g. /v1/chat/completions
    query: str
    headers: dict[str, str]  # lower-case names
    receive: Receive
    # The emulator's own URL for this provider, for links to generated media.
    base_url: str = ""
    started: float = field(default_factory=time.perf_counter)
    route: RouteSpec | None = None
    path_params: dict[str, str] = field(default_factory=dict)
    raw_body: bytes = b""
    body: Any = None
    body_parsed: bool = False
    # The body came from JSON (not a form), and it is known to pass the route's schema
    # (policy/validation.ValidBodies: these bytes were validated before).
    body_json: bool = False
    body_valid: bool = False
    key: str | None = None
    model: Model | None = None
    seed: RequestSeed | None = None
    # Headers steps add to the response (rate-limit headers, ...).
    response_headers: dict[str, str] = field(default_factory=dict)
    # What the journal entry should say: faults that fired, the fixture that answered
    # (or why the nearest did not), anything else a user debugging a test wants.
    faults: list[str] = field(default_factory=list)
    fixture: str | None = None
    fixture_miss: str | None = None
    notes: list[str] = field(default_factory=list)
    # The fault rule that fired (policy/faults.py): its transport effects are applied
    # by the send path (transport.py); None on the hot path.
    fault: ActiveFault | None = None
    # Called once the response is sent and journaled (or the client went away): releases
    # what a step holds for the request's lifetime, e.g. a concurrency slot.
    on_complete: list[Callable[[], None]] = field(default_factory=list)

    @property
    def route_id(self) -> str | None:
        return self.route.route_id if self.route else None
