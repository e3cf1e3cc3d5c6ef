"""Run the benchmark: `python -m bench [--duration 10] [--connections 50]`.

Starts the floor app and the emulator (each a uvicorn process with the same settings,
pinned to core 0 where `taskset` exists), drives each with wrk pinned to core 1 on
loopback, and prints one table (req/s, p50, p99, errors, RSS) plus the ratios the
performance targets are stated in. Results go to bench/results/<time>.json.

On a shared machine load comes and goes, so the ratios with targets are taken against a
floor run made just before each (both servers stay up, one idle while the other is
driven), and cold starts alternate floor and emulator three times (medians).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from bench.checks import concurrent_streams, fixture_ready_seconds, rss_soak

HERE = Path(__file__).resolve().parent
KEY = "Bearer sk-bench"
CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Benchmark me please"}]}


@dataclass
class Scenario:
    name: str
    target: str  # "floor" or "emulator"
    method: str
    path: str
    body: dict | None = None
    vary: bool = False  # a different body each request (varied content)


@dataclass
class Result:
    scenario: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    rss_mb: float


SCENARIOS = [
    Scenario("floor chat", "floor", "POST", "/v1/chat/completions", CHAT),
    Scenario("floor stream (20 events)", "floor", "POST", "/v1/stream", CHAT),
    Scenario("chat, repeated body", "emulator", "POST", "/apiyi/v1/chat/completions", CHAT),
    Scenario("chat, varied bodies", "emulator", "POST", "/apiyi/v1/chat/completions", CHAT,
             vary=True),
    Scenario("chat stream (20 chunks)", "emulator", "POST", "/apiyi/v1/chat/completions",
             dict(CHAT, stream=True, max_tokens=18)),
    Scenario("embeddings 1536 base64", "emulator", "POST", "/apiyi/v1/embeddings",
             {"model": "text-embedding-ada-002", "input": "bench text", "encoding_format":
              "base64"}),
    Scenario("embeddings 1536 float", "emulator", "POST", "/apiyi/v1/embeddings",
             {"model": "text-embedding-ada-002", "input": "bench text"}),
    Scenario("anthropic messages", "emulator", "POST", "/xiaoai/v1/messages",
             {"model": "xiaoai-chat-v1", "max_tokens": 256,
              "messages": [{"role": "user", "content": "Benchmark me"}]}),
    Scenario("control health", "emulator", "GET", "/_emulator/health"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pinned(core: int, command: list[str]) -> list[str]:
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        return ["taskset", "-c", str(core), *command]
    return command


def server_command(target: str, port: int) -> list[str]:
    """The floor's or the emulator's command line: the same uvicorn settings for both."""
    if target == "floor":
        return [sys.executable, "-m", "uvicorn", "bench.floor:app", "--port", str(port),
                "--log-level", "warning", "--no-access-log"]
    return [sys.executable, "-m", "emulator.cli", "serve", "--port", str(port), "--quiet",
            "--no-limits"]


def start(target: str, port: int) -> tuple[subprocess.Popen[bytes], float]:
    """Start a server; return it and its cold start (spawn to first 200), seconds."""
    command = server_command(target, port)
    began = time.perf_counter()
    process = subprocess.Popen(pinned(0, command), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/_emulator/health"
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return process, time.perf_counter() - began
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.perf_counter() - began > 30:
            raise RuntimeError(f"{target} did not start")
        time.sleep(0.01)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def lua_script(scenario: Scenario, folder: Path) -> Path:
    body = json.dumps(scenario.body or {})
    lines = [f'wrk.method = "{scenario.method}"',
             'wrk.headers["Content-Type"] = "application/json"',
             f'wrk.headers["Authorization"] = "{KEY}"']
    if scenario.vary:
        head, tail = body.split("Benchmark me please")
        lines += ["local n = 0", "request = function()", "  n = n + 1",
                  f"  return wrk.format(nil, nil, nil, {json.dumps(head)} .. "
                  f"'Benchmark me please ' .. n .. {json.dumps(tail)})", "end"]
    elif scenario.body is not None:
        lines.append(f"wrk.body = {json.dumps(body)}")
    lines += ["done = function(summary, latency, requests)",
              "  io.write(string.format('JSON {\"p50\": %f, \"p99\": %f, \"requests\": %d, "
              "\"non2xx\": %d, \"socket\": %d}\\n', latency:percentile(50), "
              "latency:percentile(99), summary.requests, summary.errors.status, "
              "summary.errors.connect + summary.errors.read + summary.errors.write + "
              "summary.errors.timeout))", "end"]
    path = folder / f"{abs(hash(scenario.name))}.lua"
    path.write_text("\n".join(lines) + "\n")
    return path


def drive(scenario: Scenario, port: int, duration: int, connections: int,
          folder: Path) -> tuple[float, dict]:
    command = pinned(1, ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "-s",
                         str(lua_script(scenario, folder)),
                         f"http://127.0.0.1:{port}{scenario.path}"])
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(next(line.split()[1] for line in output.splitlines()
                     if line.startswith("Requests/sec")))
    stats = json.loads(next(line[5:] for line in output.splitlines() if line.startswith("JSON")))
    return rps, stats


# The ratios that carry targets: each is taken against a floor run made just before it, so
# load from elsewhere on a shared machine drifts into both sides alike.
PAIRED = ("chat, repeated body", "chat, varied bodies", "chat stream (20 chunks)")
FLOOR_CHAT = SCENARIOS[0]


def cold_starts(rounds: int) -> dict[str, float]:
    """Median spawn-to-first-200 of each server, starts alternated (noise hits both)."""
    times: dict[str, list[float]] = {"floor": [], "emulator": []}
    for _ in range(rounds):
        for target, samples in times.items():
            process, seconds = start(target, free_port())
            process.terminate()
            process.wait(timeout=10)
            samples.append(seconds)
    return {target: statistics.median(samples) for target, samples in times.items()}


def measure(scenario: Scenario, port: int, pid: int, args: argparse.Namespace, folder: Path,
            name: str | None = None) -> Result | None:
    probe = httpx.request(scenario.method, f"http://127.0.0.1:{port}{scenario.path}",
                          json=scenario.body, headers={"Authorization": KEY})
    if probe.status_code >= 400:
        print(f"skip {scenario.name}: {probe.status_code}", file=sys.stderr)
        return None
    rps, stats = drive(scenario, port, args.duration, args.connections, folder)
    return Result(name or scenario.name, rps, stats["p50"] / 1000, stats["p99"] / 1000,
                  stats["non2xx"] + stats["socket"], stats["requests"], rss_mb(pid))


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--only", help="run scenarios whose name contains this")
    parser.add_argument("--streams", type=int, default=1000,
                        help="concurrent streams for the many-streams check (0: skip)")
    parser.add_argument("--soak", type=int, default=100_000,
                        help="requests of the memory soak, RSS read at a tenth and at the "
                             "end (0: skip)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 2
    results: list[Result] = []
    checks: dict[str, object] = {}
    cold = cold_starts(rounds=3)
    with tempfile.TemporaryDirectory() as tmp:
        ports = {target: free_port() for target in ("floor", "emulator")}
        servers = {target: start(target, port)[0] for target, port in ports.items()}
        try:
            for scenario in SCENARIOS:
                if args.only and args.only not in scenario.name:
                    continue
                if scenario.name in PAIRED:  # the floor again, just before: a fair ratio
                    paired = measure(FLOOR_CHAT, ports["floor"], servers["floor"].pid, args,
                                     Path(tmp), f"floor chat (before {scenario.name})")
                    if paired is not None:
                        results.append(paired)
                result = measure(scenario, ports[scenario.target],
                                 servers[scenario.target].pid, args, Path(tmp))
                if result is not None:
                    results.append(result)
            if not args.only:
                checks.update(run_checks(args, ports["emulator"], servers["emulator"].pid,
                                         results, Path(tmp)))
        finally:
            for process in servers.values():
                process.terminate()
                process.wait(timeout=10)
    if not args.only:
        checks["fixture_ready_s"] = statistics.median(fixture_ready_seconds()
                                                      for _ in range(3))
    report(results, cold, checks)
    return 0


def run_checks(args: argparse.Namespace, port: int, pid: int, results: list[Result],
               folder: Path) -> dict[str, object]:
    """Many concurrent streams, then the memory soak, on the running emulator."""
    out: dict[str, object] = {}
    if args.streams:
        out["concurrent_streams"] = asdict(concurrent_streams(port, args.streams, KEY))
    if args.soak:
        varied = next(s for s in SCENARIOS if s.name == "chat, varied bodies")
        rate = next((r.rps for r in results if r.scenario == varied.name), 2000.0)

        def drive_for(seconds: float) -> int:
            return drive(varied, port, max(1, round(seconds)), args.connections,
                         folder)[1]["requests"]

        soak = rss_soak(drive_for, lambda: rss_mb(pid), args.soak // 10, args.soak, rate)
        out["rss_soak"] = dict(asdict(soak), growth=soak.growth)
    return out


def report(results: list[Result], cold: dict[str, float], checks: dict[str, object]) -> None:
    print(f"{'scenario':<28}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}"
          f"{'RSS MB':>9}")
    for r in results:
        print(f"{r.scenario:<28}{r.rps:>10.0f}{r.p50_ms:>10.2f}{r.p99_ms:>10.2f}"
              f"{r.errors:>8}{r.rss_mb:>9.1f}")
    by_name = {r.scenario: r for r in results}
    ratios: dict[str, float] = {}
    for name in PAIRED:
        floor = by_name.get(f"floor chat (before {name})") or by_name.get("floor chat")
        if floor and name in by_name:
            ratios[f"{name} / floor chat req/s"] = by_name[name].rps / floor.rps
            ratios[f"{name} p99 / floor p99"] = by_name[name].p99_ms / max(floor.p99_ms, 1e-9)
    if cold.get("floor"):
        ratios["cold start emulator / floor"] = cold["emulator"] / cold["floor"]
    for name, value in ratios.items():
        print(f"{name:<48}{value:>8.2f}x")
    print(f"cold start: floor {cold.get('floor', 0):.2f}s, emulator "
          f"{cold.get('emulator', 0):.2f}s")
    if cold.get("floor") and "fixture_ready_s" in checks:
        ready = float(checks["fixture_ready_s"])  # type: ignore[arg-type]
        ratios["pytest fixture ready / floor cold start"] = ready / cold["floor"]
        print(f"pytest fixture ready: {ready:.2f}s "
              f"({ready / cold['floor']:.2f}x the floor's cold start)")
    streams = checks.get("concurrent_streams")
    if isinstance(streams, dict):
        print(f"{streams['streams']} concurrent streams: {streams['completed']} completed, "
              f"{streams['errors']} errors in {streams['seconds']:.1f}s")
    soak = checks.get("rss_soak")
    if isinstance(soak, dict):
        print(f"RSS {soak['rss_first_mb']:.1f} MB after {soak['requests_at_first']} requests, "
              f"{soak['rss_last_mb']:.1f} MB after {soak['requests_at_last']} "
              f"({soak['growth']:+.1%})")
    out = HERE / "results" / time.strftime("%Y%m%dT%H%M%S.json")
    out.write_text(json.dumps({"results": [asdict(r) for r in results], "ratios": ratios,
                               "cold_start_s": cold, "checks": checks}, indent=2) + "\n")
    print(f"written {out.relative_to(HERE.parent)}")


if __name__ == "__main__":
    sys.exit(main())
