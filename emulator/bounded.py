"""FIFOCache: what the request path memoises (answers, validated bodies), bounded in
entries and in bytes, oldest out first (issue 9).

First in, first out rather than least recently used: as good here, and a hit costs one
dict lookup. An OrderedDict rather than a dict: a plain dict's `next(iter(d))` walks past
every slot deleted since its last resize, so under varied bodies each eviction scanned
ever more dead slots (profiled). The byte bound is the caller's estimate of what an entry
holds: the entry bound alone would let a few hundred big answers (an embeddings answer
holds about 100 KB) grow the process past its memory target.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class FIFOCache(Generic[K, V]):
    def __init__(self, size: int, max_bytes: int) -> None:
        self.size = size  # entries; 0 turns the cache off
        self.max_bytes = max_bytes
        self.bytes = 0
        self.entries: OrderedDict[K, V] = OrderedDict()
        self.costs: dict[K, int] = {}

    def get(self, key: K) -> V | None:
        return self.entries.get(key)

    def put(self, key: K, value: V, cost: int) -> None:
        if self.size <= 0 or cost > self.max_bytes:
            return
        entries = self.entries
        if key in entries:
            self.bytes -= self.costs[key]
            del entries[key]
        while entries and (len(entries) >= self.size or self.bytes + cost > self.max_bytes):
            oldest, _ = entries.popitem(last=False)
            self.bytes -= self.costs.pop(oldest)
        entries[key] = value
        self.costs[key] = cost
        self.bytes += cost

    def clear(self) -> None:
        self.entries.clear()
        self.costs.clear()
        self.bytes = 0
