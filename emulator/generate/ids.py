"""Object ids in each provider's style, drawn from a seeded generator."""

from __future__ import annotations

import random
import string

ALPHABETS = {
    "alnum": string.ascii_letters + string.digits,
    "hex": "0123456789abcdef",
}


def make_id(rng: random.Random, prefix: str, length: int = 29, alphabet: str = "alnum") -> str:
    chars = ALPHABETS[alphabet]
    return prefix + "".join(rng.choices(chars, k=length))


# Byte -> id character, for bytes.translate: one C call turns `length` drawn bytes into
# the id's characters (rng.choices costs ~0.1 us a character plus a 4.5 us seeding).
# 256 is not a multiple of 62, so the first 8 alnum characters come up 5/4 as often as
# the rest: an id only has to look like one and be deterministic (issue 9).
ID_TABLES = {name: bytes(ord(chars[b % len(chars)]) for b in range(256))
             for name, chars in ALPHABETS.items()}


def make_id_from(raw: bytes, prefix: str, alphabet: str = "alnum") -> str:
    """An id like make_id's, a character per byte of `raw` (RequestSeed.sample)."""
    return prefix + raw.translate(ID_TABLES[alphabet]).decode("ascii")


def make_request_id(rng: random.Random) -> str:
    """`req_` + 32 hex, the shape of OpenAI's `x-request-id` and Anthropic's `request-id`."""
    return "req_" + "".join(rng.choices(ALPHABETS["hex"], k=32))
