"""`llm-emulator serve --workers 2`: a real subprocess on a free loopback port; every
worker builds its app from the exported options and answers alike."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx

from .conftest import AUTH
from .test_cli import free_port

CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}


def test_two_workers_serve_the_same_answers() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator.cli", "serve", "--port", str(port), "--workers", "2",
         "--seed", "5", "--clock", "2024-01-15T10:30:00Z", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/_emulator/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, "the server exited"
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        bodies = set()
        for _ in range(8):  # a new connection each: the kernel spreads them over workers
            reply = httpx.post(f"{base}/apiyi/v1/chat/completions", headers=AUTH, json=CHAT,
                               timeout=10)
            assert reply.status_code == 200
            assert reply.json()["created"] == 1705314600  # the exported --clock
            bodies.add(reply.content)
        assert len(bodies) == 1
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=15)
    assert "workers   2 (state is per worker)" in output
