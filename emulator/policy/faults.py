"""Fault injection: which rule fires for a request, and the store of rules.

The pipeline step `apply_faults` decides: the request's `X-Emulator-Fault` header if it
has one, else the stored rules, newest first. A status fault raises its error kind at
once (so auth and every later check are skipped); any other action is left on the
context as an `ActiveFault` for the send path (emulator/transport.py), the only place
that sleeps, paces, hangs, drops or cuts. Rules and their parser: fault_rules.py.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import jsonutil
from ..errors import (
    ERROR_KINDS,
    STATUS_KINDS,
    EmulatorError,
    InvalidRequest,
    RateLimited,
    TokensRateLimited,
    default_retry_after,
    kind_for_status,
)
from .fault_rules import FAULT_HEADER, FaultRule, parse_fault_header, parse_fault_rule
from .validation import limit_body

if TYPE_CHECKING:
    from ..context import RequestContext
    from ..providers.base import Profile

__all__ = ["ActiveFault", "FaultRule", "FaultStore", "apply_faults", "parse_fault_header",
           "parse_fault_rule"]


@dataclass(frozen=True)
class ActiveFault:
    """The rule that fired for one request and where it came from (a rule id or
    "header"); `mark` names each action on the journal entry once it took effect."""

    rule: FaultRule
    source: str

    def mark(self, ctx: RequestContext, action: str) -> None:
        value = getattr(self.rule, action)
        ctx.faults.append(f"{action}={_show(value)} ({self.source})")


def _show(value: Any) -> str:
    return "true" if value is True else f"{value:g}" if isinstance(value, float) else str(value)


@dataclass
class FaultEntry:
    id: str
    rule: FaultRule
    rng: random.Random
    seen: int = 0  # matching requests this rule was asked about
    hits: int = 0

    @property
    def remaining(self) -> int | None:
        return None if self.rule.times is None else self.rule.times - self.hits

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "rule": self.rule.to_dict(), "remaining": self.remaining,
                "hits": self.hits, "seen": self.seen}


class FaultStore:
    """The fault rules of one emulator, newest first. The first rule (newest) that
    matches and whose count says "now" fires; a rule that passes lets older ones try."""

    def __init__(self, seed: int, profiles: Mapping[str, Profile]) -> None:
        self.seed = seed
        self.providers = frozenset(profiles)
        self.routes = frozenset(r.route_id for p in profiles.values() for r in p.routes)
        self.entries: list[FaultEntry] = []
        self.wants_model = False  # some rule matches on the model: read the body early
        self._next = 1

    def add(self, rule: FaultRule) -> str:
        """Store a rule (tried before every older one); returns its id (`fault_1`, ...)."""
        self.check(rule)
        fault_id = f"fault_{self._next}"
        self._next += 1
        # Seeded per rule id, so the same rules in the same order fire the same way.
        digest = hashlib.blake2b(f"{self.seed}\x00{fault_id}".encode(), digest_size=8)
        entry = FaultEntry(fault_id, rule, random.Random(int.from_bytes(digest.digest())))
        # A new list, not an insert: a test thread adds while the server's loop may be
        # iterating the old one.
        self.entries = [entry, *self.entries]
        self.wants_model = self.wants_model or rule.model is not None
        return fault_id

    def check(self, rule: FaultRule) -> None:
        """InvalidRequest if the rule names a provider or route id this app lacks."""
        if rule.provider is not None and rule.provider not in self.providers:
            raise InvalidRequest(f"Unknown provider {rule.provider!r}; providers: "
                                 f"{', '.join(sorted(self.providers))}.", param="provider")
        if rule.route is not None and rule.route not in self.routes:
            raise InvalidRequest(f"Unknown route id {rule.route!r} (e.g. "
                                 "openai.chat_completions).", param="route")

    def remove(self, fault_id: str) -> bool:
        before = len(self.entries)
        self.entries = [e for e in self.entries if e.id != fault_id]
        self.wants_model = any(e.rule.model is not None for e in self.entries)
        return len(self.entries) != before

    def clear(self) -> None:
        self.entries = []
        self.wants_model = False
        self._next = 1

    def listing(self) -> list[dict[str, Any]]:
        return [e.to_dict() for e in self.entries]

    snapshot = listing

    def select(self, provider: str, route_id: str | None, path: str,
               model: str | None) -> FaultEntry | None:
        for entry in self.entries:
            rule = entry.rule
            if entry.remaining == 0 or not rule.matches(provider, route_id, path, model):
                continue
            entry.seen += 1
            if rule.every is not None and entry.seen % rule.every:
                continue
            if rule.probability is not None and entry.rng.random() >= rule.probability:
                continue
            entry.hits += 1
            return entry
        return None


def apply_faults(ctx: RequestContext) -> Awaitable[None] | None:
    """Pick the fault for this request (the header's, else the stored rules'); raise a
    status fault's error, leave any other on `ctx.fault` for the send path."""
    if FAULT_HEADER not in ctx.headers and not ctx.state.faults.entries:
        return None  # the hot path, no faults anywhere: no coroutine (issue 9)
    return _apply_faults(ctx)


async def _apply_faults(ctx: RequestContext) -> None:
    store = ctx.state.faults
    header = ctx.headers.get(FAULT_HEADER)
    slug = ctx.profile.slug
    if header is not None:
        rule = parse_fault_header(header)
        model = await _request_model(ctx) if rule.model is not None else None
        if not rule.matches(slug, ctx.route_id, ctx.path, model):
            return
        active = ActiveFault(rule, "header")
    else:
        model = await _request_model(ctx) if store.wants_model else None
        entry = store.select(slug, ctx.route_id, ctx.path, model)
        if entry is None:
            return
        active = ActiveFault(entry.rule, entry.id)
    ctx.fault = active
    rule = active.rule
    if rule.is_status:
        active.mark(ctx, "status" if rule.status is not None else "error")
        error = fault_error(rule, active.source)
        if isinstance(error, RateLimited):  # its headers say the window is used up
            unit = "tokens" if isinstance(error, TokensRateLimited) else "requests"
            ctx.state.limiter.describe_exhausted(
                ctx, unit, int(error.headers.get("retry-after", 0)))
        raise error


def fault_error(rule: FaultRule, source: str) -> EmulatorError:
    """The error kind a status fault stands for, rendered later by envelopes.py."""
    kind = rule.error or kind_for_status(rule.status or 500)
    retry_after = rule.retry_after if rule.retry_after is not None else \
        default_retry_after(kind)
    headers = {"retry-after": str(retry_after)} if retry_after else {}
    message = rule.message or f"The emulator injected this error (fault {source})."
    # A status of its own kind takes the provider's status for that kind (529 is
    # apiyi's documented 503); any other keeps the status asked for.
    status = rule.status if rule.status not in STATUS_KINDS else None
    return ERROR_KINDS[kind](message, headers=headers, status=status)


async def _request_model(ctx: RequestContext) -> str | None:
    """The body's `model`, read ahead of the pipeline's own parse (which still runs):
    only when some rule matches on the model, so the usual path reads nothing here."""
    if not ctx.raw_body:
        await limit_body(ctx)
        raw = ctx.raw_body

        async def replay() -> dict[str, Any]:  # limit_body reads it again, unchanged
            return {"type": "http.request", "body": raw, "more_body": False}

        ctx.receive = replay
    try:
        body = jsonutil.loads(ctx.raw_body)
    except jsonutil.JSONDecodeError:
        return None
    model = body.get("model") if isinstance(body, dict) else None
    return model if isinstance(model, str) else None
