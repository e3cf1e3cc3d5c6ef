"""enforce_rate_limit: per (provider, key) request, token and concurrency limits.

Windows are FIXED windows aligned to the first request: the first charged request opens
a window of 60 s (per-minute limits) or 86,400 s (per-day limits); every request in it
counts; when it ends the whole window frees at once and the next request opens a new one.
That choice makes both documented promises exactly true at once: `remaining` goes down
by one per request, and the reset time is when the window really frees (the next
request at or after it succeeds). A sliding log could not say both in one number.

Time comes only from the state's clock, so `POST /_emulator/clock {"advance": 60}`
refills a minute window without sleeping. Check and charge run with no `await` between
them: on one event loop, N parallel requests against a limit of L get exactly L through.

Tokens are estimated cheaply when the request arrives, as OpenAI does: prompt tokens by
the emulator's tokenizer plus `max_tokens` (or `max_completion_tokens`), charged in full.
A request the handler then refuses (a prompt over the context, `max_tokens` over the cap)
is given its charge back: a refused request costs nothing, wherever it was refused.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from ..errors import AuthenticationFailed, RateLimited, TokensRateLimited
from ..generate.tokens import count_message_tokens, count_tokens
from ..providers.base import LimitPolicy, Profile
from .auth import extract_key
from .keys import KeyRegistry, KeySpec, parse_limit_values

if TYPE_CHECKING:
    from ..clock import Clock
    from ..context import RequestContext

MINUTE = 60.0
DAY = 86_400.0
# dimension -> (unit, window length, how OpenAI's messages name it)
DIMENSIONS: dict[str, tuple[str, float, str]] = {
    "rpm": ("requests", MINUTE, "requests per min (RPM)"),
    "rpd": ("requests", DAY, "requests per day (RPD)"),
    "tpm": ("tokens", MINUTE, "tokens per min (TPM)"),
    "tpd": ("tokens", DAY, "tokens per day (TPD)"),
}


@dataclass(frozen=True)
class Limits:
    """The limits in force for one key at one provider (None = no such limit)."""

    rpm: int | None = None
    rpd: int | None = None
    tpm: int | None = None
    tpd: int | None = None
    concurrency: int | None = None

    def primary(self, unit: str) -> str | None:
        """The dimension the headers report for a unit: the minute one if set, else the day."""
        minute, day = ("rpm", "rpd") if unit == "requests" else ("tpm", "tpd")
        if getattr(self, minute) is not None:
            return minute
        return day if getattr(self, day) is not None else None


@dataclass
class Window:
    start: float
    used: int


def go_duration(seconds: float) -> str:
    """Go's time.Duration format, as OpenAI's x-ratelimit-reset-*: `12ms`, `1s`, `6m0s`."""
    ms = max(0, round(seconds * 1000))
    if ms == 0:
        return "0s"
    if ms < 1000:
        return f"{ms}ms"
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs = f"{rest / 1000:.3f}".rstrip("0").rstrip(".")
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"


def estimate_tokens(body: Any, max_output: int | None = None) -> int:
    """What a request may cost in tokens: prompt plus the completion it reserves, which is
    at most the model's output cap (`max_output`): a request asking for more is refused
    with the model's 400 when it is answered, not with a "Request too large" 429 here."""
    if not isinstance(body, Mapping):
        return 0
    total = 0
    messages = body.get("messages")
    if isinstance(messages, list):
        total += count_message_tokens(messages)
    for name in ("input", "prompt"):
        value = body.get(name)
        if isinstance(value, str):
            total += count_tokens(value)
        elif isinstance(value, list):
            total += sum(count_tokens(v) if isinstance(v, str) else 1 for v in value)
    reserved = body.get("max_completion_tokens") or body.get("max_tokens") \
        or body.get("max_output_tokens")
    if isinstance(reserved, int) and not isinstance(reserved, bool) and reserved > 0:
        total += reserved if max_output is None else min(reserved, max_output)
    return total


def check_overrides(raw: Mapping[str, Any], profiles: Mapping[str, Profile]) -> dict[str, Any]:
    """{slug: {"rpm": 5, "plans": {"free": {"rpm": 1}}}} checked against the profiles."""
    checked: dict[str, Any] = {}
    for slug, values in raw.items():
        if slug not in profiles:
            raise ValueError(f"limit override for unknown provider {slug!r}")
        if not isinstance(values, Mapping):
            raise ValueError(f"the limits of {slug} must be an object: {{'rpm': 5, ...}}")
        values = dict(values)
        plans = values.pop("plans", None)
        if plans is None:
            plans = {}
        if not isinstance(plans, Mapping) \
                or not all(isinstance(v, Mapping) for v in plans.values()):
            raise ValueError(f"{slug}.plans must be an object of objects: "
                             "{'free': {'rpm': 1}}")
        entry: dict[str, Any] = parse_limit_values(values, slug)
        unknown = set(plans) - set(profiles[slug].limits.plans)
        if unknown:
            raise ValueError(f"unknown plan(s) for {slug}: {', '.join(sorted(unknown))}")
        if plans:
            entry["plans"] = {name: parse_limit_values(v, f"{slug}.plans.{name}")
                              for name, v in plans.items()}
        checked[slug] = entry
    return checked


class RateLimiter:
    def __init__(self, profiles: Mapping[str, Profile], keys: KeyRegistry, clock: Clock,
                 enabled: bool = True, overrides: Mapping[str, Any] | None = None) -> None:
        self.profiles = profiles
        self.keys = keys
        self.clock = clock
        self.configured_enabled = enabled
        self.configured_overrides = check_overrides(overrides or {}, profiles)
        self.reset()

    def reset(self) -> None:
        """Back to the configured values: no windows, no runtime overrides."""
        self.enabled = self.configured_enabled
        self.runtime_overrides: dict[str, Any] = {}
        self.windows: dict[tuple[str, str, str], Window] = {}
        self.in_flight: dict[tuple[str, str], int] = {}
        self._cache: dict[tuple[str, str | None, str | None, str | None], Limits] = {}
        self._cache_version = -1

    def override(self, raw: Mapping[str, Any]) -> None:
        """Merge runtime overrides (same shape as Config.limit_overrides)."""
        for slug, entry in check_overrides(raw, self.profiles).items():
            merged = self.runtime_overrides.setdefault(slug, {})
            plans = entry.pop("plans", {})
            merged.update(entry)
            for name, values in plans.items():
                merged.setdefault("plans", {}).setdefault(name, {}).update(values)
        self._cache.clear()

    # -- resolution ------------------------------------------------------------------

    def limits_for(self, profile: Profile, spec: KeySpec | None) -> Limits:
        if self._cache_version != self.keys.version:
            self._cache.clear()
            self._cache_version = self.keys.version
        slot = (profile.slug, spec.provider if spec else None, spec.key if spec else None,
                spec.plan if spec else None)
        limits = self._cache.get(slot)
        if limits is None:
            limits = self._cache[slot] = self._resolve(profile, spec)
        return limits

    def _resolve(self, profile: Profile, spec: KeySpec | None) -> Limits:
        policy: LimitPolicy = profile.limits
        plan = (spec.plan if spec else None) or policy.default_plan
        if plan is not None and plan in policy.plans:
            policy = policy.plans[plan]
        values: dict[str, int | None] = {f.name: getattr(policy, f.name)
                                         for f in fields(Limits)}
        for layer in (self.configured_overrides, self.runtime_overrides):
            entry = layer.get(profile.slug, {})
            values.update({k: v for k, v in entry.items() if k != "plans"})
            values.update(entry.get("plans", {}).get(plan, {}))
        if spec is not None:
            values.update(spec.limits)
        return Limits(**values)

    # -- the check -------------------------------------------------------------------

    def admit(self, ctx: RequestContext) -> None:
        """Charge this request or raise RateLimited; sets the rate-limit headers."""
        if not self.enabled:
            return
        profile, key = ctx.profile, ctx.key or ""
        limits = self.limits_for(profile, self.keys.lookup(profile.slug, key))
        now = self.clock.now()
        cost = {"requests": 1}
        if limits.tpm is not None or limits.tpd is not None:
            cost["tokens"] = estimate_tokens(
                ctx.body, ctx.model.max_output_tokens if ctx.model is not None else None)
        blocked: tuple[float, str, str] | None = None
        model = ctx.body.get("model") if isinstance(ctx.body, Mapping) else None
        # "for gpt-4o on ...", or just "on ..." for a route with no model (models list).
        subject = f"for {model} " if isinstance(model, str) else ""
        for dim, (unit, _length, label) in DIMENSIONS.items():
            limit = getattr(limits, dim)
            if limit is None:
                continue
            if unit == "tokens" and cost[unit] > limit:
                # No window will ever hold it, so no retry-after: waiting cannot help
                # (OpenAI's "Request too large" 429; the SDK gives up after its retries).
                ctx.response_headers.update(self.headers(profile, key, limits, now))
                raise TokensRateLimited(
                    f"Request too large {subject}on {label}: Limit {limit}, Requested "
                    f"{cost[unit]}. The input or output tokens must be reduced in order to "
                    "run successfully.")
            used, end = self._usage(profile.slug, key, dim, now)
            if used + cost[unit] > limit and (blocked is None or end - now > blocked[0]):
                blocked = (end - now, f"Rate limit reached {subject}on {label}: "
                           f"Limit {limit}, Used {used}, Requested {cost[unit]}. "
                           f"Please try again in {go_duration(end - now)}.", unit)
        slot = (profile.slug, key)
        if blocked is None and limits.concurrency is not None \
                and self.in_flight.get(slot, 0) >= limits.concurrency:
            # No window here: a slot frees when a running request ends, so retry soon.
            blocked = (1.0, f"Too many concurrent requests: Limit {limits.concurrency} "
                       "requests in flight for this API key. Please try again in 1s.",
                       "requests")
        if blocked is not None:
            headers = self.headers(profile, key, limits, now)
            # Integer seconds >= 1, rounded up: at now + retry-after the window has freed.
            headers["retry-after"] = str(max(1, math.ceil(blocked[0])))
            # On the context (not the error) so render_failure sends each header once.
            ctx.response_headers.update(headers)
            kind = TokensRateLimited if blocked[2] == "tokens" else RateLimited
            raise kind(blocked[1])
        charged = []
        for dim, (unit, length, _) in DIMENSIONS.items():
            if getattr(limits, dim) is None:
                continue
            window = self.windows.get((profile.slug, key, dim))
            opened = window is None or now >= window.start + length
            if opened:
                window = self.windows[(profile.slug, key, dim)] = Window(now, 0)
            window.used += cost[unit]
            charged.append((dim, window, cost[unit], opened))
        ctx.charged = tuple(charged)
        if limits.concurrency is not None:
            self.in_flight[slot] = self.in_flight.get(slot, 0) + 1
            ctx.on_complete.append(lambda: self._release(slot))
        ctx.response_headers.update(self.headers(profile, key, limits, now))

    def refund(self, ctx: RequestContext) -> None:
        """Give back an admitted request's charge when it is refused after all (a prompt
        over the model's context, `max_tokens` over its cap, a named tool not in `tools`): a
        refused request costs nothing, like one the schema check refuses before the limit.
        A window the request opened closes again, and the headers show the usage left."""
        charged, ctx.charged = ctx.charged, None
        if not charged:
            return
        profile, key = ctx.profile, ctx.key or ""
        for dim, window, amount, opened in charged:
            window.used = max(0, window.used - amount)
            slot = (profile.slug, key, dim)
            if opened and window.used == 0 and self.windows.get(slot) is window:
                del self.windows[slot]
        limits = self.limits_for(profile, self.keys.lookup(profile.slug, key))
        ctx.response_headers.update(self.headers(profile, key, limits, self.clock.now()))

    def _release(self, slot: tuple[str, str]) -> None:
        left = self.in_flight.get(slot, 0) - 1
        if left > 0:
            self.in_flight[slot] = left
        else:
            self.in_flight.pop(slot, None)

    def _usage(self, slug: str, key: str, dim: str, now: float) -> tuple[int, float]:
        """(used, when the window frees); an ended or unopened window is empty and frees
        now."""
        window = self.windows.get((slug, key, dim))
        if window is None or now >= window.start + DIMENSIONS[dim][1]:
            return 0, now
        return window.used, window.start + DIMENSIONS[dim][1]

    # -- headers ---------------------------------------------------------------------

    def headers(self, profile: Profile, key: str, limits: Limits,
                now: float) -> dict[str, str]:
        """The rate-limit headers of `profile.limits.header_style` for the current usage."""
        style = profile.limits.header_style
        headers: dict[str, str] = {}
        if style == "openai":
            for unit in ("requests", "tokens"):
                dim = limits.primary(unit)
                if dim is None:
                    continue
                limit: int = getattr(limits, dim)
                used, end = self._usage(profile.slug, key, dim, now)
                headers[f"x-ratelimit-limit-{unit}"] = str(limit)
                headers[f"x-ratelimit-remaining-{unit}"] = str(max(0, limit - used))
                headers[f"x-ratelimit-reset-{unit}"] = go_duration(end - now)
        elif style == "aimodels":
            dim = limits.primary("requests")
            if dim is not None:
                limit = getattr(limits, dim)
                used, end = self._usage(profile.slug, key, dim, now)
                headers["x-ratelimit-limit"] = str(limit)
                headers["x-ratelimit-remaining"] = str(max(0, limit - used))
                headers["x-ratelimit-reset"] = str(math.ceil(end))
        return headers

    def describe(self, ctx: RequestContext) -> None:
        """Rate-limit headers for a response that was not charged (an error raised before
        enforce_rate_limit): aimodels documents them on every response."""
        if not self.enabled:
            return
        profile, key = ctx.profile, ctx.key or sent_key(ctx)
        limits = self.limits_for(profile, self.keys.lookup(profile.slug, key))
        for name, value in self.headers(profile, key, limits, self.clock.now()).items():
            ctx.response_headers.setdefault(name, value)  # a charged request's stay

    def describe_exhausted(self, ctx: RequestContext, unit: str, seconds: int) -> None:
        """describe(), for an injected 429 (a fault): the `unit` ("requests" or "tokens")
        window shown used up until `seconds` from now, what its retry-after says, as a
        real limit's 429 shows it."""
        if not self.enabled:
            return
        self.describe(ctx)
        headers = ctx.response_headers
        if f"x-ratelimit-remaining-{unit}" in headers:  # OpenAI's style
            headers[f"x-ratelimit-remaining-{unit}"] = "0"
            headers[f"x-ratelimit-reset-{unit}"] = go_duration(seconds)
        elif "x-ratelimit-remaining" in headers:  # aimodels': requests only, a Unix time
            headers["x-ratelimit-remaining"] = "0"
            headers["x-ratelimit-reset"] = str(math.ceil(self.clock.now() + seconds))

    def snapshot(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "runtime_overrides": copy.deepcopy(self.runtime_overrides),
            "windows": {"|".join(k): [w.start, w.used] for k, w in self.windows.items()},
            "in_flight": {"|".join(k): n for k, n in self.in_flight.items()},
        }


def sent_key(ctx: RequestContext) -> str:
    """The key a request sent, for a response refused before auth ran (an unknown path, a
    wrong method): its headers describe that key's windows, not a stranger's."""
    try:
        return extract_key(ctx.headers, ctx.profile.auth_schemes)
    except AuthenticationFailed:
        return ""


def enforce_rate_limit(ctx: RequestContext) -> None:
    if ctx.route is not None and not ctx.route.auth:
        return  # a generated file's download link is not an API call
    ctx.state.limiter.admit(ctx)
