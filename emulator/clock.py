"""The emulator's one clock: real time by default, frozen with `--clock`, and advanceable
from tests (so rate-limit windows and async jobs move without sleeping)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

# The instants the clock may be set to: from the Unix epoch to the end of year 9998. Every
# answer renders those (aimodels' ISO `timestamp` stops at 9999), and a live clock set
# there has a year before it runs out of dates.
LATEST = 253370764799.0


def check_instant(seconds: float) -> float:
    """`seconds` if the clock may show it, else ValueError saying the range."""
    if not 0 <= seconds <= LATEST:  # False for NaN too
        raise ValueError(f"the clock must stay between 1970-01-01T00:00:00Z and "
                         f"9998-12-31T23:59:59Z (got {seconds!r} Unix seconds)")
    return seconds


def parse_instant(text: str) -> float:
    """An ISO-8601 time (`2024-01-15T10:30:00Z`) or Unix seconds, as Unix seconds, within
    the range the clock may show (check_instant)."""
    text = text.strip()
    try:
        seconds = float(text)
    except ValueError:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        seconds = parsed.timestamp()
    return check_instant(seconds)


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
        """Move the clock on by `seconds`; ValueError (and no move) past what it may show."""
        check_instant(self.now() + seconds)
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
