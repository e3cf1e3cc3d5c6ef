"""The request journal: what each client sent and what it got, bounded, oldest first out."""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
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


@dataclass(slots=True)
class JournalEntry:
    """One request. Recorded on every request, so recording only stores references (the
    request's own header dict, its key, its lists); masking and copying happen when the
    entry is read, which is rare (issue 9). `headers` and `key` read masked.
    app.py builds it with positional arguments (cheaper): keep the field order."""

    id: int
    time: float
    method: str
    provider: str | None
    route_id: str | None
    path: str
    query: str
    raw_headers: dict[str, str]  # as received, secrets included: read `headers`
    body: Any
    status: int
    duration_ms: float
    stream: bool = False
    model: Any = None  # the body's `model` as sent: any JSON value, not only a name
    raw_key: str | None = None  # read `key`
    faults: list[str] = field(default_factory=list)
    # The fixture rule that answered, or for a miss why the nearest rule did not match.
    fixture: str | None = None
    fixture_miss: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return mask_headers(self.raw_headers)

    @property
    def key(self) -> str | None:
        return mask_secret(self.raw_key) if self.raw_key else None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "time": self.time, "method": self.method,
                "provider": self.provider, "route_id": self.route_id, "path": self.path,
                "query": self.query, "headers": self.headers,
                "body": copy.deepcopy(self.body), "status": self.status,
                "duration_ms": self.duration_ms, "stream": self.stream, "model": self.model,
                "key": self.key, "faults": list(self.faults), "fixture": self.fixture,
                "fixture_miss": self.fixture_miss, "notes": list(self.notes)}


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
        method: str | None = None,
        status: int | None = None,
        after: int | None = None,
    ) -> Iterable[JournalEntry]:
        """Entries that pass every filter given; `after` keeps those recorded after the
        entry of that id (what a client polling the journal has not seen yet)."""
        for entry in self.entries:
            if after is not None and entry.id <= after:
                continue
            if provider and entry.provider != provider:
                continue
            if path and path not in entry.path:
                continue
            if model and entry.model != model:
                continue
            if route_id and entry.route_id != route_id:
                continue
            if method and entry.method != method.upper():
                continue
            if status is not None and entry.status != status:
                continue
            yield entry
