"""The generators' shortcuts (issue 9) give exactly what the plain path gives."""

from __future__ import annotations

import random
import re

from emulator.generate.ids import make_id_from
from emulator.generate.seed import Draws, RequestSeed
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


def test_a_draw_stream_gives_the_same_bytes_however_it_is_read() -> None:
    key = b"\x01" * 16 + b"choice:0"
    whole = Draws(key).take(400)
    pieces = Draws(key)
    assert b"".join(pieces.take(n) for n in (1, 7, 200, 192)) == whole


def test_a_draw_streams_rng_is_the_seeds_own() -> None:
    seed = RequestSeed(bytes(range(16)))
    assert seed.draws("choice:0").rng.random() == seed.rng("choice:0").random()


def test_drawn_english_pieces_split_back_and_end_near_a_stop() -> None:
    for n in range(300):
        count = 1 + n % 60
        tokens = generate_tokens(Draws(n.to_bytes(4, "big")), False, count)
        assert len(tokens) == count
        assert tokens == split_tokens("".join(tokens))
        # A full stop last, unless that would make two in a row.
        assert count < 2 or "." in tokens[-2:]


def test_drawn_ids_have_the_alphabet_and_length_asked_for() -> None:
    for n in range(50):
        seed = RequestSeed(n.to_bytes(16, "big"))
        alnum = make_id_from(seed.sample("id:chat", 29), "chatcmpl-")
        hexa = make_id_from(seed.sample("id:message", 24), "msg_", "hex")
        assert seed.sample("id:chat", 29) == seed.sample("id:chat", 29)
        assert len(seed.sample("id:long", 100)) == 100
        assert re.fullmatch(r"chatcmpl-[A-Za-z0-9]{29}", alnum)
        assert re.fullmatch(r"msg_[0-9a-f]{24}", hexa)
