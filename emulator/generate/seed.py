"""Seeding: one digest per request, from which every random choice is derived."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .. import jsonutil

# Fields that change how an answer is delivered or where it is cut, not what it says: the
# streamed and the non-streamed answer carry the same text and ids, and `max_tokens`,
# `stop` or `n` cut (or add to) the same answer rather than draw a new one, as a model at
# temperature 0 would.
DELIVERY_FIELDS = frozenset({
    "stream", "stream_options", "max_tokens", "max_completion_tokens", "max_output_tokens",
    "stop", "stop_sequences", "n",
})


# Bytes hashed on a stream's first draw: a default-length reply's length, words and
# sentence lengths (1 + 3 x 48), so a reply costs one SHAKE call.
FIRST_FILL = 160


class Draws:
    """The random draws of one purpose (a salt) of one request, as a byte stream.

    Seeding a Mersenne Twister costs ~4.5 us (its 624-word state is rebuilt from the seed),
    more than all the hashing of a request; a reply needs only a few dozen small draws
    (its length, words, sentence lengths). So the hot draws read bytes from SHAKE-128
    of (request digest, salt), and a `random.Random` is seeded only when a generator that
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
            # An XOF's longer output starts with its shorter one: growing the buffer keeps
            # the bytes already handed out, so a draw never depends on how many came next.
            # The first fill covers a whole default reply (1 + 3 x 48 bytes): one hash.
            self._buffer = hashlib.shake_128(self._key).digest(
                max(end, 2 * len(self._buffer), FIRST_FILL))
        start, self._used = self._used, end
        return self._buffer[start:end]


@dataclass(frozen=True)
class RequestSeed:
    digest: bytes

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
    if isinstance(body, Mapping):
        body = {k: v for k, v in body.items() if k not in DELIVERY_FIELDS}
    try:
        return jsonutil.dumps_canonical(body)
    except TypeError:  # form bodies with uploads: hash their repr
        return repr(body).encode()


def derive_seed(seed: int, provider: str, route_id: str, body: Any) -> RequestSeed:
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{seed}\x00{provider}\x00{route_id}\x00".encode())
    h.update(canonical_request(body))
    return RequestSeed(h.digest())


def derive_rng(seed: int, provider: str, route_id: str, body: Any) -> random.Random:
    """The request's generator (ARCHITECTURE: derive_rng(seed, provider, route, request))."""
    return derive_seed(seed, provider, route_id, body).rng()
