"""`llm-emulator serve` as a user runs it: a subprocess on a free loopback port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx

from .conftest import AUTH


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_prints_every_base_url_and_answers() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator.cli", "serve", "--port", str(port), "--seed", "5",
         "--provider", "apiyi", "--clock", "2024-01-15T10:30:00Z"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/_emulator/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        reply = httpx.post(f"http://127.0.0.1:{port}/v1/chat/completions", headers=AUTH,
                           json={"model": "gpt-4o", "messages": [{"role": "user",
                                                                  "content": "hi"}]})
        assert reply.status_code == 200
        assert reply.json()["created"] == 1705314600
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    for slug in ("qhaigc", "apiyi", "xiaoai", "ruijing", "aimodels"):
        assert f"http://127.0.0.1:{port}/{slug}/v1" in output
    assert "POST apiyi /v1/chat/completions 200" in output
