"""`llm-emulator serve` as a user runs it: a subprocess on a free loopback port, waited for
until its health check answers, stopped (and its output kept) when the block ends."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServeProcess:
    base: str  # http://127.0.0.1:PORT
    process: subprocess.Popen[str]
    output: str = ""  # everything it printed, once stopped


@contextmanager
def serve_process(*args: str, env: Mapping[str, str] | None = None,
                  timeout: float = 30) -> Iterator[ServeProcess]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator.cli", "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    served = ServeProcess(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{served.base}/_emulator/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, "the server exited"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        yield served
    finally:
        process.terminate()
        served.output, _ = process.communicate(timeout=15)
