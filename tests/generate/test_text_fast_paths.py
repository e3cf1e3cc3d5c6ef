"""The generators' shortcuts (issue 9) give exactly what the plain path gives."""

from __future__ import annotations

import random

from emulator.generate.text import english_tokens, generate_tokens
from emulator.generate.tokens import split_tokens


def test_english_pieces_split_back_to_themselves() -> None:
    for seed in range(300):
        count = 1 + seed % 60
        fast = generate_tokens(random.Random(seed), False, count)
        plain = split_tokens("".join(english_tokens(random.Random(seed), count)))
        assert fast == plain == split_tokens("".join(fast))


def test_sentence_lengths_draw_as_randint_does() -> None:
    for seed in range(50):
        ours, theirs = random.Random(seed), random.Random(seed)
        assert [5 + ours._randbelow(8) for _ in range(20)] == \
            [theirs.randint(5, 12) for _ in range(20)]
