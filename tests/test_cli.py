"""`llm-emulator serve` as a user runs it: a subprocess on a free loopback port."""

from __future__ import annotations

import httpx

from .conftest import AUTH
from .serve_process import serve_process


def test_serve_prints_every_base_url_and_answers() -> None:
    with serve_process("--seed", "5", "--provider", "apiyi",
                       "--clock", "2024-01-15T10:30:00Z") as served:
        reply = httpx.post(f"{served.base}/v1/chat/completions", headers=AUTH,
                           json={"model": "gpt-4o", "messages": [{"role": "user",
                                                                  "content": "hi"}]})
        assert reply.status_code == 200
        assert reply.json()["created"] == 1705314600
    for slug in ("qhaigc", "apiyi", "xiaoai", "ruijing", "aimodels"):
        assert f"{served.base}/{slug}/v1" in served.output
    assert "POST apiyi /v1/chat/completions 200" in served.output
