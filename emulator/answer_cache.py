"""Memoised answers of the pure routes: a repeated request skips the generator (issue 9).

A test suite sends the same request again and again; generating its answer (seeded
generators, text, ids) is most of what the emulator spends on it. For a route whose
handler is a pure function of the request (protocols.PURE_ROUTES), the Reply is memoised
under everything it depends on: provider, route, path, base URL and the raw body bytes,
and kept with the clock's whole second it was made in (`created` is the only time an
answer shows): in a later second it is made again and replaces the old one, so a body
repeated over minutes holds one entry, not one a second. The seed and the catalogue are
the app's own, and the cache is the app's own too.

Everything per request still runs around it: routing, faults, auth, limits, validation,
fixtures (a rule answers before the cache is asked), headers and the journal. A JSON
body's answer is kept from the body's second sighting on (policy/validation's ValidBodies
remembers the first), so one-off bodies do not churn the cache.

512 answers, oldest out first, bodies up to 16 KB, bounded in bytes too (bounded.py):
chat answers take about 4 KB each, so 512 of them take 2 MB, while embeddings answers
(100 KB each: 30 KB of JSON, the rest its floats) stop at about 40. The bounds keep the
process's memory flat under load (issue 9: within 10% from 10k to 100k requests, where a
cache filling up counts as growth). A kept JSON answer holds its encoding as an
exact-size copy: orjson's bytes keep the whole buffer they were written in, 4 KB at least
and up to 8x the JSON (an embeddings answer's 30 KB sat in 260 KB).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .bounded import FIFOCache
from .jsonutil import dumps
from .protocols import PURE_ROUTES
from .protocols.base import Handler, JSONReply, Reply, StreamReply

if TYPE_CHECKING:
    from .context import RequestContext

AnswerKey = tuple[Handler, str, str, str, str, bytes]


class AnswerCache(FIFOCache[AnswerKey, tuple[int, Reply]]):
    def __init__(self, size: int = 512, max_body: int = 16_384,
                 max_bytes: int = 4 * 2**20) -> None:
        super().__init__(size, max_bytes)
        self.max_body = max_body

    def key(self, ctx: RequestContext, handler: Handler) -> AnswerKey | None:
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
                ctx.raw_body)

    def lookup(self, key: AnswerKey, now: float) -> Reply | None:
        """The kept answer, if it was made in this second of the clock."""
        kept = self.entries.get(key)
        return kept[1] if kept is not None and kept[0] == int(now) else None

    def keep(self, key: AnswerKey, reply: Reply, now: float) -> None:
        self.put(key, (int(now), reply), len(key[5]) + reply_bytes(reply))


def reply_bytes(reply: Reply) -> int:
    """What a kept reply holds, about (measured with tracemalloc): a JSON answer's
    encoding (made here, exact size, and then sent as it is) and twice as much in its
    payload's objects, a stream's frames, a file; and 2 KB of records and headers."""
    if isinstance(reply, JSONReply):
        if reply.encoded is None:
            reply.encoded = memoryview(dumps(reply.payload)).tobytes()
        return 3 * len(reply.encoded) + 2048
    if isinstance(reply, StreamReply):
        return sum(len(event) + 64 for event in reply.events) + 2048
    return len(reply.content) + 2048
