"""`llm-emulator serve --workers 2`: a real subprocess on a free loopback port; every
worker builds its app from the exported options and answers alike."""

from __future__ import annotations

import httpx

from .conftest import AUTH
from .serve_process import serve_process

CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}


def test_two_workers_serve_the_same_answers() -> None:
    with serve_process("--workers", "2", "--seed", "5", "--clock",
                       "2024-01-15T10:30:00Z", "--quiet") as served:
        base = served.base
        bodies = set()
        for _ in range(8):  # a new connection each: the kernel spreads them over workers
            reply = httpx.post(f"{base}/apiyi/v1/chat/completions", headers=AUTH, json=CHAT,
                               timeout=10)
            assert reply.status_code == 200
            assert reply.json()["created"] == 1705314600  # the exported --clock
            bodies.add(reply.content)
        assert len(bodies) == 1
    assert "workers   2 (state is per worker)" in served.output
