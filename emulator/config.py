"""The emulator's configuration: one frozen record, built by the CLI, the pytest plugin or
a user's own code, and handed to `create_app`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .clock import parse_instant

if TYPE_CHECKING:
    from .policy.keys import KeySpec


@dataclass(frozen=True)
class Config:
    """Everything that shapes an emulator instance.

    seed: enters every generated id, text, vector and token count.
    clock: None for real time, else an ISO-8601 instant (or Unix seconds) the clock is
        frozen at; then whole bodies are byte-identical across runs.
    root_provider: a slug also served at the root (`/v1/...`).
    fixtures_dir: a folder of fixture rule files (JSON or YAML) loaded at start.
    record_url: forward every request to `root_provider` to this upstream base URL and
        save each exchange as a fixture file in fixtures_dir (emulator/record.py);
        record_missing: only those no fixture matches, replaying the rest.
    replay_speed: recorded stream delays are divided by it; 0 sends them at once.
    secret_headers / secret_fields: redacted from recordings besides the key headers.
    """

    seed: int = 0
    clock: str | None = None
    root_provider: str | None = None
    fixtures_dir: Path | None = None
    journal_size: int = 1000
    limits_enabled: bool = True
    # {slug: {"rpm": 10, ...}}: overrides the documented limit values per provider.
    limit_overrides: Mapping[str, Mapping[str, Any]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    # Well-formed keys nobody registered: "accept" (the default) or "reject" with 401.
    unknown_keys: str = "accept"
    # Keys known from the start (kept across reset()): KeySpec records or dicts
    # {"key", "state": active|disabled|expired|out_of_quota, "provider"?, "plan"?, "limits"?}.
    keys: tuple[KeySpec | Mapping[str, Any], ...] = ()
    admin_token: str | None = None
    strict_fixtures: bool = False
    quiet: bool = False
    record_url: str | None = None
    record_missing: bool = False
    replay_speed: float = 0.0
    secret_headers: tuple[str, ...] = ()
    secret_fields: tuple[str, ...] = ()

    def frozen_at(self) -> float | None:
        return None if self.clock is None else parse_instant(self.clock)
