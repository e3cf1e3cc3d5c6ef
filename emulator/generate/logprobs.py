"""Log probabilities of a reply's tokens (`logprobs`, `top_logprobs`), as OpenAI's chat
completions give them: the sampled token's, and the `top` likeliest tokens at each position
(the sampled one first), every value a deterministic draw of the request's seed."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .seed import Draws

# Alternatives offered beside a sampled token: common pieces of each kind of text.
WORD_ALTERNATIVES = (" the", " a", " and", " of", " to", " in", " is", " it", " that", " this",
                     " for", " on", " with", " as", " was", " but", " not", " are", " be",
                     " or", " an", " at")
MARK_ALTERNATIVES = (".", ",", "!", "?", ";", ":", "\n", " -", "'s", ")")
ALTERNATIVES = WORD_ALTERNATIVES + MARK_ALTERNATIVES  # 32: more than top_logprobs' 20
# Logprobs are rounded as OpenAI's are printed: plenty of digits, no float noise.
DIGITS = 6
# The most alternatives a request may ask for (`top_logprobs` <= 20): each token reads a
# block of draws this wide, so its values do not depend on how many were asked for.
MOST_TOP = 20
BLOCK = 1 + 2 * MOST_TOP


def _entry(token: str, logprob: float) -> dict[str, Any]:
    return {"token": token, "logprob": logprob, "bytes": list(token.encode())}


def token_logprobs(draws: Draws, tokens: Sequence[str], top: int) -> list[dict[str, Any]]:
    """One ChatCompletionTokenLogprob per token. The sampled token is the likeliest (a
    logprob in [-1.5, -1e-6]), so it leads its own `top_logprobs`; the others follow, each
    less likely than the one before, none equal to the sampled token, and together no more
    likely than what the sampled token leaves (the listed probabilities sum to at most 1).
    Asking for more alternatives adds to the list without changing a value in it."""
    top = min(top, MOST_TOP)
    raw = draws.take(len(tokens) * BLOCK)
    entries = []
    for index, token in enumerate(tokens):
        at = index * BLOCK
        logprob = round(-1e-6 - 1.5 * (raw[at] / 256) ** 2, DIGITS)
        alternatives = [_entry(token, logprob)] if top else []
        pool = MARK_ALTERNATIVES if token.strip() and not token.strip()[0].isalnum() \
            else WORD_ALTERNATIVES
        # Alternative k has probability scale * r1 * ... * rk, each ratio in [0.3, 0.8):
        # strictly falling, and summing to under 4 * scale <= what the sampled token leaves.
        chance = math.exp(logprob)
        probability = min((1 - chance) / 4, chance)
        used = {token}
        for k in range(top - 1):
            probability *= 0.3 + 0.5 * raw[at + 1 + 2 * k] / 256
            # No token twice; past 10 marks, any common piece (at most 21 are needed).
            candidates = [t for t in pool if t not in used] or \
                [t for t in ALTERNATIVES if t not in used]
            choice = candidates[raw[at + 2 + 2 * k] % len(candidates)]
            used.add(choice)
            alternatives.append(_entry(choice, round(math.log(probability), DIGITS)))
        entry = _entry(token, logprob)
        entry["top_logprobs"] = alternatives
        entries.append(entry)
    return entries
