"""Instructions per request, server side: `python -m bench.instructions [--requests 500]`.

wrk's req/s move with whatever else the machine runs; an instruction count does not. Each
server (the floor, then the emulator) runs under valgrind's callgrind; after a warm-up the
counters are zeroed, a fixed number of requests is sent over keep-alive connections, and
the counters are dumped: what the server process executed per request (uvicorn, the
app, the event loop; not the kernel). Needs valgrind (`apt-get install valgrind`).
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.__main__ import CHAT, KEY, free_port, server_command

CASES = {  # name: (server, path, body for request i)
    "floor chat": ("floor", "/v1/chat/completions", lambda i: CHAT),
    "chat, repeated body": ("emulator", "/apiyi/v1/chat/completions", lambda i: CHAT),
    "chat, varied bodies": ("emulator", "/apiyi/v1/chat/completions", lambda i: {
        "model": "gpt-4o", "messages": [{"role": "user", "content": f"Benchmark me {i}"}]}),
    "chat stream (20 chunks)": ("emulator", "/apiyi/v1/chat/completions",
                                lambda i: dict(CHAT, stream=True, max_tokens=18)),
}


def send(port: int, path: str, body_for: object, first: int, count: int) -> None:
    connections = [http.client.HTTPConnection("127.0.0.1", port) for _ in range(4)]
    for i in range(first, first + count):
        connection = connections[i % len(connections)]
        connection.request("POST", path, json.dumps(body_for(i)),  # type: ignore[operator]
                           {"Content-Type": "application/json", "Authorization": KEY})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: {response.status}")
    for connection in connections:
        connection.close()


def count(case: str, requests: int, folder: Path) -> float:
    server, path, body_for = CASES[case]
    port = free_port()
    command = server_command(server, port)
    out = folder / f"{server}.%p"
    process = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                                *command], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180  # a start under valgrind is ~50x slower
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/_emulator/health")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{server} did not start under valgrind") from None
                time.sleep(0.5)
        send(port, path, body_for, 1_000_000, 300)  # warm-up: caches, first-use builds
        subprocess.run(["callgrind_control", "-z", str(process.pid)], check=True,
                       capture_output=True)
        send(port, path, body_for, 0, requests)
        subprocess.run(["callgrind_control", "-d", str(process.pid)], check=True,
                       capture_output=True)
        dumps = sorted(folder.glob(f"{server}.{process.pid}*"), key=lambda p: p.stat().st_mtime)
        totals = next(line for line in dumps[-1].read_text().splitlines()
                      if line.startswith(("totals:", "summary:")))
        return int(totals.split()[1]) / requests
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions")
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        print("valgrind is needed: apt-get install valgrind", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        counts = {case: count(case, args.requests, Path(tmp)) for case in CASES}
    floor = counts["floor chat"]
    for case, value in counts.items():
        print(f"{case:<28}{value:>12,.0f} instructions/request{value / floor:>8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
