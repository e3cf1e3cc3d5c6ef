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


def make_request_id(rng: random.Random) -> str:
    """`req_` + 32 hex, the shape of OpenAI's `x-request-id` and Anthropic's `request-id`."""
    return "req_" + "".join(rng.choices(ALPHABETS["hex"], k=32))
