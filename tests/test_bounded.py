"""FIFOCache (emulator/bounded.py): bounded in entries and in bytes, oldest out first."""

from __future__ import annotations

from emulator.bounded import FIFOCache


def test_the_oldest_entries_go_first_when_the_count_is_reached() -> None:
    cache: FIFOCache[str, int] = FIFOCache(size=3, max_bytes=1000)
    for index, key in enumerate("abcde"):
        cache.put(key, index, 10)
    assert list(cache.entries) == ["c", "d", "e"]
    assert cache.get("a") is None and cache.get("e") == 4
    assert cache.bytes == 30


def test_the_oldest_entries_go_first_when_the_bytes_are_reached() -> None:
    cache: FIFOCache[str, int] = FIFOCache(size=100, max_bytes=100)
    for key, cost in (("a", 40), ("b", 40), ("c", 30)):
        cache.put(key, 0, cost)
    assert list(cache.entries) == ["b", "c"] and cache.bytes == 70
    cache.put("d", 0, 100)  # everything else has to go to make room
    assert list(cache.entries) == ["d"] and cache.bytes == 100


def test_an_entry_past_the_byte_bound_is_not_kept_and_evicts_nothing() -> None:
    cache: FIFOCache[str, int] = FIFOCache(size=10, max_bytes=100)
    cache.put("a", 1, 60)
    cache.put("huge", 2, 101)
    assert list(cache.entries) == ["a"] and cache.bytes == 60


def test_putting_a_key_again_replaces_it_and_its_cost() -> None:
    cache: FIFOCache[str, int] = FIFOCache(size=2, max_bytes=100)
    cache.put("a", 1, 50)
    cache.put("b", 2, 10)
    cache.put("a", 3, 20)
    assert cache.entries == {"b": 2, "a": 3} and cache.bytes == 30
    assert list(cache.entries) == ["b", "a"]  # the new value is the newest


def test_size_zero_keeps_nothing_and_clear_empties() -> None:
    off: FIFOCache[str, int] = FIFOCache(size=0, max_bytes=100)
    off.put("a", 1, 1)
    assert not off.entries and off.bytes == 0
    cache: FIFOCache[str, int] = FIFOCache(size=5, max_bytes=100)
    cache.put("a", 1, 5)
    cache.clear()
    assert not cache.entries and not cache.costs and cache.bytes == 0
