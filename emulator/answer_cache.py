"""Memoised answers of the pure routes: a repeated request skips the generator (issue 9).

A test suite sends the same request again and again; generating its answer (seeded
generators, text, ids) is most of what the emulator spends on it. For a route whose
handler is a pure function of the request (protocols.PURE_ROUTES), the Reply is memoised
under everything it depends on: provider, route, path, base URL, the raw body bytes and
the clock's whole second (`created` is the only time they show, so the clock still moves
it). The seed and the catalogue are the app's own, and the cache is the app's own too.

Everything per request still runs around it: routing, faults, auth, limits, validation,
fixtures (a rule answers before the cache is asked), headers and the journal. Bounded in
entries and in body size, oldest out first, so memory stays flat under varied bodies. A
JSON body's answer is kept from the body's second sighting on (policy/validation's
ValidBodies remembers the first), so one-off bodies do not churn the cache.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

from .protocols import PURE_ROUTES
from .protocols.base import Handler, Reply

if TYPE_CHECKING:
    from .context import RequestContext

AnswerKey = tuple[Handler, str, str, str, str, bytes, int]


class AnswerCache:
    def __init__(self, size: int = 256, max_body: int = 16_384) -> None:
        self.size = size
        self.max_body = max_body
        # Insertion order: the first key is the oldest (FIFO eviction is as good as LRU
        # here and costs nothing on a hit). An OrderedDict, not a dict: a plain dict's
        # `next(iter(d))` walks past every slot deleted since its last resize, so under
        # varied bodies each eviction scanned ever more dead slots (issue 9, profiled).
        self.entries: OrderedDict[AnswerKey, Reply] = OrderedDict()

    def key(self, ctx: RequestContext, now: float, handler: Handler) -> AnswerKey | None:
        """The request's key, or None when its answer must be generated afresh. The handler
        is part of it: one swapped in (a test's monkeypatch) is never bypassed."""
        route = ctx.route
        if route is None or route.route_id not in PURE_ROUTES \
                or len(ctx.raw_body) > self.max_body or not ctx.body_parsed:
            return None
        if ctx.body_json and not ctx.body_valid:
            # A JSON body seen for the first time (not yet in ValidBodies) is not kept:
            # under varied bodies every kept answer was evicted unused, and freeing it
            # long after cost more than generating it did. Its second sighting is kept.
            return None
        return (handler, ctx.profile.slug, route.route_id, ctx.path, ctx.base_url,
                ctx.raw_body, int(now))

    def get(self, key: AnswerKey) -> Reply | None:
        return self.entries.get(key)

    def put(self, key: AnswerKey, reply: Reply) -> None:
        entries = self.entries
        if self.size <= 0:  # caching off
            return
        if len(entries) >= self.size:
            entries.popitem(last=False)
        entries[key] = reply

    def clear(self) -> None:
        self.entries.clear()
