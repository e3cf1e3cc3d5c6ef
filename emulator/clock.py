"""The emulator's one clock: real time by default, frozen with `--clock`, and advanceable
from tests (so rate-limit windows and async jobs move without sleeping)."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def parse_instant(text: str) -> float:
    """An ISO-8601 time (`2024-01-15T10:30:00Z`) or Unix seconds, as Unix seconds."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def format_iso(seconds: float) -> str:
    """`2024-01-15T10:30:00Z`, the form aimodels documents for `timestamp`."""
    return datetime.fromtimestamp(int(seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Clock:
    """`now()` = (frozen instant or wall time) + offset. `advance()` moves the offset."""

    def __init__(self, frozen_at: float | None = None) -> None:
        self.frozen_at = frozen_at
        self.offset = 0.0

    def now(self) -> float:
        base = self.frozen_at if self.frozen_at is not None else time.time()
        return base + self.offset

    def advance(self, seconds: float) -> float:
        self.offset += seconds
        return self.now()

    def set(self, instant: float) -> None:
        """Jump to an instant (frozen clocks stay frozen there)."""
        base = self.frozen_at if self.frozen_at is not None else time.time()
        self.offset = instant - base

    def reset(self) -> None:
        self.offset = 0.0

    @property
    def frozen(self) -> bool:
        return self.frozen_at is not None
