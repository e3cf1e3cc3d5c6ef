"""The request journal: what each client sent and what it got, bounded, oldest first out."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

SECRET_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "proxy-authorization"})


def mask_secret(value: str) -> str:
    """`Bearer sk-abc...wxyz` style: enough to tell keys apart, never the key."""
    scheme, _, token = value.partition(" ") if value.lower().startswith("bearer ") \
        else ("", "", value)
    token = token.strip()
    shown = f"{token[:3]}...{token[-4:]}" if len(token) > 10 else "***"
    return f"{scheme} {shown}" if scheme else shown


def mask_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: (mask_secret(v) if k in SECRET_HEADERS else v) for k, v in headers.items()}


@dataclass
class JournalEntry:
    id: int
    time: float
    method: str
    provider: str | None
    route_id: str | None
    path: str
    query: str
    headers: dict[str, str]
    body: Any
    status: int
    duration_ms: float
    stream: bool = False
    model: str | None = None
    key: str | None = None
    faults: list[str] = field(default_factory=list)
    # The fixture rule that answered, or for a miss why the nearest rule did not match.
    fixture: str | None = None
    fixture_miss: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Journal:
    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: deque[JournalEntry] = deque(maxlen=size)
        self.dropped = 0
        self.next_id = 1

    def record(self, entry: JournalEntry) -> None:
        if len(self.entries) == self.size:
            self.dropped += 1
        self.entries.append(entry)

    def new_id(self) -> int:
        entry_id = self.next_id
        self.next_id += 1
        return entry_id

    def clear(self) -> None:
        self.entries.clear()
        self.dropped = 0
        self.next_id = 1

    def select(
        self,
        provider: str | None = None,
        path: str | None = None,
        model: str | None = None,
        route_id: str | None = None,
    ) -> Iterable[JournalEntry]:
        for entry in self.entries:
            if provider and entry.provider != provider:
                continue
            if path and path not in entry.path:
                continue
            if model and entry.model != model:
                continue
            if route_id and entry.route_id != route_id:
                continue
            yield entry
