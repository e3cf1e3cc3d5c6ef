"""Log probabilities of a reply's tokens (`logprobs`, `top_logprobs`), as OpenAI's chat
completions give them: the sampled token's, and the `top` likeliest tokens at each position
(the sampled one first), every value a deterministic draw of the request's seed."""

from __future__ import annotations

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


def _entry(token: str, logprob: float) -> dict[str, Any]:
    return {"token": token, "logprob": logprob, "bytes": list(token.encode())}


def token_logprobs(draws: Draws, tokens: Sequence[str], top: int) -> list[dict[str, Any]]:
    """One ChatCompletionTokenLogprob per token. The sampled token is the likeliest (a
    logprob in (-1.5, 0]), so it leads its own `top_logprobs`; the others follow, each less
    likely than the one before, none equal to the sampled token."""
    raw = draws.take(len(tokens) * (1 + 2 * top))
    entries = []
    at = 0
    for token in tokens:
        logprob = round(-1.5 * (raw[at] / 256) ** 2, DIGITS)
        at += 1
        alternatives = [_entry(token, logprob)] if top else []
        pool = MARK_ALTERNATIVES if token.strip() and not token.strip()[0].isalnum() \
            else WORD_ALTERNATIVES
        value = logprob
        used = {token}
        for _ in range(top - 1):
            value = round(value - 0.25 - 3 * raw[at] / 256, DIGITS)
            # No token twice; past 10 marks, any common piece (at most 21 are needed).
            candidates = [t for t in pool if t not in used] or \
                [t for t in ALTERNATIVES if t not in used]
            choice = candidates[raw[at + 1] % len(candidates)]
            used.add(choice)
            at += 2
            alternatives.append(_entry(choice, value))
        at += 2 if top else 0  # the sampled token's own pair: a fixed stride per token
        entry = _entry(token, logprob)
        entry["top_logprobs"] = alternatives
        entries.append(entry)
    return entries
