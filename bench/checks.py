"""The benchmark's pass/fail checks beyond throughput: many concurrent streams, memory over a
long run with the journal on, and how fast the pytest fixture's server is ready.

Every load goes to 127.0.0.1 only and is bounded in count and time.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

STREAM_BODY = {"model": "gpt-4o", "stream": True, "max_tokens": 18,
               "messages": [{"role": "user", "content": "Stream me please"}]}


@dataclass
class StreamsResult:
    streams: int
    completed: int
    errors: int
    seconds: float


async def _concurrent_streams(url: str, count: int, key: str) -> StreamsResult:
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    timeout = httpx.Timeout(60.0, connect=30.0, pool=60.0)
    errors = completed = 0
    began = time.perf_counter()
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        gate = asyncio.Event()

        async def one(i: int) -> bool:
            await gate.wait()  # every stream opens at once, not one after another
            body = dict(STREAM_BODY, messages=[{"role": "user", "content": f"stream {i}"}])
            async with client.stream("POST", url, json=body,
                                     headers={"Authorization": key}) as response:
                if response.status_code != 200:
                    return False
                text = "".join([chunk async for chunk in response.aiter_text()])
                return text.rstrip().endswith("data: [DONE]")

        tasks = [asyncio.create_task(one(i)) for i in range(count)]
        gate.set()
        for outcome in await asyncio.gather(*tasks, return_exceptions=True):
            if outcome is True:
                completed += 1
            else:
                errors += 1
    return StreamsResult(count, completed, errors, time.perf_counter() - began)


def concurrent_streams(port: int, count: int, key: str) -> StreamsResult:
    """`count` chat streams open at the same time; each must end with [DONE]."""
    url = f"http://127.0.0.1:{port}/apiyi/v1/chat/completions"
    return asyncio.run(_concurrent_streams(url, count, key))


@dataclass
class SoakResult:
    requests_at_first: int
    rss_first_mb: float
    requests_at_last: int
    rss_last_mb: float

    @property
    def growth(self) -> float:
        return self.rss_last_mb / max(self.rss_first_mb, 1e-9) - 1


def rss_soak(drive_for: Callable[[float], int], rss: Callable[[], float], first: int,
             last: int, rate: float) -> SoakResult:
    """Drive load until `first` requests, read RSS, then on to `last`, read it again.
    `drive_for(seconds)` runs the load generator and returns how many requests it made;
    `rate` (req/s, from the throughput runs) sizes each run, topped up until reached."""
    done = 0
    samples: list[tuple[int, float]] = []
    for target in (first, last):
        while done < target:
            done += drive_for(max(1.0, min(30.0, (target - done) / max(rate, 1.0))))
        samples.append((done, rss()))
    (n1, r1), (n2, r2) = samples
    return SoakResult(n1, r1, n2, r2)


FIXTURE_READY = """
import time, urllib.request
from emulator import EmulatorServer
server = EmulatorServer().start()
urllib.request.urlopen(server.url + "/_emulator/health").read()
print("ready", flush=True)
server.stop()
"""


def fixture_ready_seconds() -> float:
    """Spawn to first 200 of the server the pytest fixture starts (EmulatorServer in a
    thread of a fresh interpreter): the fixture's whole cost to a user's first test.

    The clock stops when the child prints "ready" (its first 200 is in), not when it exits:
    stopping the server and the interpreter is not something a test waits for."""
    began = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", FIXTURE_READY], stdout=subprocess.PIPE,
                               text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # blocks until "ready" (or the child ends)
        ready = time.perf_counter() - began
        if "ready" not in line:
            raise RuntimeError("the fixture server did not answer")
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return ready
