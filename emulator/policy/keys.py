"""KeyRegistry: which API keys exist, in which state, on which plan.

Keys come from `Config.keys` (kept across `reset()`) and from the control API
(`POST /_emulator/keys`, dropped by `reset()`). A key registered without a provider
applies to every provider; one registered with a provider wins there. Keys nobody
registered follow `Config.unknown_keys`: "accept" (the default) or "reject" with the
provider's 401.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .. import jsonutil
from ..errors import AuthenticationFailed, InvalidRequest, PermissionDenied, QuotaExceeded
from ..providers.base import Profile

KEY_STATES = ("active", "disabled", "expired", "out_of_quota")
LIMIT_FIELDS = ("rpm", "rpd", "tpm", "tpd", "concurrency")


@dataclass(frozen=True)
class KeySpec:
    """One registered key. `limits` overrides the provider's values for this key only,
    e.g. {"rpm": 5}; `plan` names one of the provider's plans (ruijing)."""

    key: str
    state: str = "active"
    provider: str | None = None
    plan: str | None = None
    limits: Mapping[str, int | None] = field(default_factory=lambda: MappingProxyType({}))

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "state": self.state, "provider": self.provider,
                "plan": self.plan, "limits": dict(self.limits)}


def parse_key_spec(raw: KeySpec | Mapping[str, Any],
                   profiles: Mapping[str, Profile]) -> KeySpec:
    """A KeySpec from config or control-API data; InvalidRequest names the bad field."""
    if isinstance(raw, KeySpec):
        data: Mapping[str, Any] = raw.to_dict()
    elif isinstance(raw, Mapping):
        data = raw
    else:
        raise InvalidRequest("A key must be an object with at least 'key'.")
    unknown = set(data) - {"key", "state", "provider", "plan", "limits"}
    if unknown:
        raise InvalidRequest(f"Unknown key field(s): {', '.join(sorted(unknown))}.",
                             param=sorted(unknown)[0])
    key = data.get("key")
    if not isinstance(key, str) or not key:
        raise InvalidRequest("'key' must be a non-empty string.", param="key")
    # Types before membership: a list or an object is no name (and not hashable).
    state = data.get("state")
    if state is None:
        state = "active"
    if not isinstance(state, str) or state not in KEY_STATES:
        raise InvalidRequest(f"'state' must be one of {', '.join(KEY_STATES)}.", param="state")
    provider = data.get("provider")
    if provider is not None and (not isinstance(provider, str) or provider not in profiles):
        raise InvalidRequest(f"Unknown provider {provider!r}.", param="provider")
    plan = data.get("plan")
    if plan is not None:
        plans = {name for slug, p in profiles.items()
                 if provider in (None, slug) for name in p.limits.plans}
        if not isinstance(plan, str) or plan not in plans:
            raise InvalidRequest(f"Unknown plan {plan!r}; plans: {', '.join(sorted(plans))}.",
                                 param="plan")
    limits = data.get("limits")
    if limits is None:
        limits = {}
    if not isinstance(limits, Mapping):
        raise InvalidRequest("'limits' must be an object.", param="limits")
    return KeySpec(key=key, state=state, provider=provider, plan=plan,
                   limits=MappingProxyType(dict(parse_limit_values(limits, "limits"))))


def parse_limit_values(raw: Mapping[str, Any], where: str) -> dict[str, int | None]:
    """{"rpm": 10, "tpd": null} checked: known fields, non-negative integers or null
    (null = no such limit)."""
    values: dict[str, int | None] = {}
    for name, value in raw.items():
        if name not in LIMIT_FIELDS:
            raise InvalidRequest(f"Unknown limit {name!r} in {where}; known: "
                                 f"{', '.join(LIMIT_FIELDS)}.", param=f"{where}.{name}")
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 0):
            raise InvalidRequest(f"{where}.{name} must be a non-negative integer or null.",
                                 param=f"{where}.{name}")
        values[name] = value
    return values


def read_json_file(path: Path) -> Any:
    return jsonutil.loads(path.read_bytes())


def read_keys_file(path: Path) -> tuple[dict[str, Any], ...]:
    """`--keys FILE`: a JSON list of key objects, or {"keys": [...]}."""
    data = read_json_file(path)
    if isinstance(data, dict):
        data = data.get("keys")
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list of keys or {{'keys': [...]}}")
    return tuple(data)


class KeyRegistry:
    def __init__(self, configured: Iterable[KeySpec | Mapping[str, Any]],
                 profiles: Mapping[str, Profile], unknown_keys: str = "accept") -> None:
        if unknown_keys not in ("accept", "reject"):
            raise ValueError("unknown_keys must be 'accept' or 'reject'")
        self.profiles = profiles
        self.unknown_keys = unknown_keys
        self._configured = {self._slot(s): s
                            for s in (parse_key_spec(raw, profiles) for raw in configured)}
        self._runtime: dict[tuple[str | None, str], KeySpec] = {}
        # Bumped on every change, so the rate limiter can cache resolved limits.
        self.version = 0

    @staticmethod
    def _slot(spec: KeySpec) -> tuple[str | None, str]:
        return (spec.provider, spec.key)

    def register(self, spec: KeySpec) -> None:
        self._runtime[self._slot(spec)] = spec
        self.version += 1

    def remove(self, key: str | None = None, provider: str | None = None) -> int:
        """Drop runtime keys (all of them when `key` is None); returns how many went."""
        gone = [slot for slot in self._runtime
                if key is None or (slot[1] == key and slot[0] == provider)]
        for slot in gone:
            del self._runtime[slot]
        self.version += 1
        return len(gone)

    def reset(self) -> None:
        self._runtime.clear()
        self.version += 1

    def lookup(self, slug: str, key: str) -> KeySpec | None:
        """The spec for this key at this provider: runtime before config, provider-specific
        before global."""
        if not self._runtime and not self._configured:
            return None  # no key registered: the usual case in tests (issue 9)
        for table in (self._runtime, self._configured):
            spec = table.get((slug, key)) or table.get((None, key))
            if spec is not None:
                return spec
        return None

    def admit(self, profile: Profile, key: str) -> KeySpec | None:
        """The key's spec when it may call `profile`; else the provider's documented error."""
        spec = self.lookup(profile.slug, key)
        if spec is None:
            if self.unknown_keys == "reject":
                raise AuthenticationFailed("Incorrect API key provided: the key is not "
                                           "registered with this emulator.")
            return None
        if spec.state in ("disabled", "expired"):
            message = f"The API key has been {spec.state}."
            # xiaoai "5. 错误处理" documents 403 for a disabled or expired key, ruijing and
            # aimodels list 403; qhaigc and apiyi document no 403, so theirs is the 401.
            if profile.documents_forbidden:
                raise PermissionDenied(message)
            raise AuthenticationFailed(message)
        if spec.state == "out_of_quota":
            # apiyi "常见错误码": insufficient_quota 429. No retry-after: waiting does not
            # help, as on OpenAI (spec TooManyRequests: omitted when user action is needed).
            raise QuotaExceeded("You exceeded your current quota, please check your plan "
                                "and billing details.")
        return spec

    def snapshot(self) -> list[dict[str, Any]]:
        return [s.to_dict() for s in self._runtime.values()]

    def listing(self) -> list[dict[str, Any]]:
        merged = {**self._configured, **self._runtime}
        return [dict(s.to_dict(), source="runtime" if slot in self._runtime else "config")
                for slot, s in merged.items()]
