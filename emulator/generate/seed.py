"""Seeding: one digest per request, from which every random choice is derived."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .. import jsonutil
from .tokens import DICT_OR_MAPPING

# Fields that change how an answer is delivered or where it is cut, not what it says: the
# streamed and the non-streamed answer carry the same text and ids, and `max_tokens`,
# `stop` or `n` cut (or add to) the same answer rather than draw a new one, as a model at
# temperature 0 would; `logprobs` (and the Responses API's `include`) only adds the
# probabilities of that answer's tokens; a streamed image's `partial_images` come before
# the same final image.
DELIVERY_FIELDS = frozenset({
    "stream", "stream_options", "max_tokens", "max_completion_tokens", "max_output_tokens",
    "stop", "stop_sequences", "n", "logprobs", "top_logprobs", "include", "partial_images",
})


# A stream's first bytes come from one BLAKE2b call (64 bytes, half the cost of starting
# SHAKE): a reply made of pooled sentences needs a few dozen (issue 9). Past them the
# stream continues with SHAKE-128's output from its 64th byte on.
HEAD_BYTES = 64


class Draws:
    """The random draws of one purpose (a salt) of one request, as a byte stream.

    Seeding a Mersenne Twister costs ~4.5 us (its 624-word state is rebuilt from the seed),
    more than all the hashing of a request; a reply needs only a few dozen small draws
    (its length, words, sentence lengths). So the hot draws read bytes hashed from
    (request digest, salt), and a `random.Random` is seeded only when a generator that
    needs its full API (tool arguments, structured output, Chinese text) asks for `rng`:
    that one is the very generator `RequestSeed.rng(salt)` gives (issue 9).
    """

    __slots__ = ("_buffer", "_key", "_rng", "_used")

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._rng: random.Random | None = None
        self._buffer = b""
        self._used = 0

    @property
    def rng(self) -> random.Random:
        if self._rng is None:
            sub = hashlib.blake2b(self._key, digest_size=16).digest()
            self._rng = random.Random(int.from_bytes(sub, "big"))
        return self._rng

    def take(self, size: int) -> bytes:
        """The next `size` bytes of the stream (each byte uniform, independent)."""
        end = self._used + size
        if end > len(self._buffer):
            self._buffer = self._fill(max(end, 2 * len(self._buffer)))
        start, self._used = self._used, end
        return self._buffer[start:end]

    def _fill(self, size: int) -> bytes:
        # The stream is a fixed function of the key, so a longer buffer starts with the
        # shorter one: a draw never depends on how many came after it.
        head = hashlib.blake2b(self._key, digest_size=HEAD_BYTES).digest()
        if size <= HEAD_BYTES:
            return head
        return head + hashlib.shake_128(self._key).digest(size)[HEAD_BYTES:]


@dataclass(slots=True)
class RequestSeed:
    digest: bytes  # read-only by convention (not frozen: cheaper to build, issue 9)

    def rng(self, salt: str = "") -> random.Random:
        """A fresh generator for one purpose (salt), e.g. "choice:1" or "id"."""
        if not salt:
            return random.Random(int.from_bytes(self.digest, "big"))
        sub = hashlib.blake2b(self.digest + salt.encode(), digest_size=16).digest()
        return random.Random(int.from_bytes(sub, "big"))

    def sample(self, salt: str, size: int) -> bytes:
        """`size` bytes for one purpose (salt) drawn at once, such as an id's characters:
        one BLAKE2b call (up to 64 bytes), half the cost of starting a SHAKE stream."""
        if size > 64:
            return self.draws(salt).take(size)
        return hashlib.blake2b(self.digest + salt.encode(), digest_size=size).digest()

    def draws(self, salt: str) -> Draws:
        """The byte stream for one purpose (salt); its `rng` is `self.rng(salt)`."""
        return Draws(self.digest + salt.encode())


def canonical_request(body: Any) -> bytes:
    # Filtered only when a delivery field is there (a set test is cheaper than a copy).
    if isinstance(body, DICT_OR_MAPPING) and not DELIVERY_FIELDS.isdisjoint(body):
        body = {k: v for k, v in body.items() if k not in DELIVERY_FIELDS}
    try:
        return jsonutil.dumps_canonical(body)
    except TypeError:  # form bodies with uploads: hash their repr
        return repr(body).encode()


@lru_cache(maxsize=1024)  # the same few routes and paths, request after request (issue 9)
def hash_head(*parts: object) -> bytes:
    """`parts` joined by NULs and ended by one: what a request's hash starts with."""
    return "".join(f"{part}\x00" for part in parts).encode()


def derive_seed(seed: int, provider: str, route_id: str, body: Any) -> RequestSeed:
    # One call on the joined bytes: the same digest as two update()s; the head is the
    # same for every request to a route, so it is built once (issue 9).
    return RequestSeed(hashlib.blake2b(hash_head(seed, provider, route_id)
                                       + canonical_request(body), digest_size=16).digest())


def derive_rng(seed: int, provider: str, route_id: str, body: Any) -> random.Random:
    """The request's generator (ARCHITECTURE: derive_rng(seed, provider, route, request))."""
    return derive_seed(seed, provider, route_id, body).rng()
