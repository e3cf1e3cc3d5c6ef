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


@dataclass(frozen=True)
class RequestSeed:
    digest: bytes

    def rng(self, salt: str = "") -> random.Random:
        """A fresh generator for one purpose (salt), e.g. "choice:1" or "id"."""
        if not salt:
            return random.Random(int.from_bytes(self.digest, "big"))
        sub = hashlib.blake2b(self.digest + salt.encode(), digest_size=16).digest()
        return random.Random(int.from_bytes(sub, "big"))


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
