"""The CI service container (Dockerfile) and the CLI options it relies on. No Docker daemon
is needed: the Dockerfile's key lines are checked, and its command is run as a process."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx

from .conftest import AUTH
from .serve_process import serve_process

ROOT = Path(__file__).resolve().parents[1]


def test_the_dockerfile_is_small_non_root_and_health_checked() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert re.findall(r"^FROM (\S+)", text, re.M)[-1] == "python:3.11-slim"
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1] not in {"root", "0"}
    health = re.search(r"^HEALTHCHECK .*\n(?:\s+.*\n)*", text, re.M)
    assert health and "urllib.request" in health.group(0)
    assert "http://127.0.0.1:8000/_emulator/health" in health.group(0)
    assert 'CMD ["llm-emulator", "serve", "--host", "0.0.0.0", "--port", "8000"]' in text
    for source in re.findall(r"^COPY (?!--from)(\S+)", text, re.M):
        assert (ROOT / source).exists(), source
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "tests"} <= set(ignored)
    assert not {"README.md", "emulator", "fixtures", "schemas"} & set(ignored)


def test_serve_takes_its_settings_from_the_environment(tmp_path: Path) -> None:
    """As in a service container: no arguments, LLM_EMULATOR_* variables, --quiet."""
    (tmp_path / "ping.yaml").write_text("match: {content: ping}\nreply: {content: pong}\n")
    env = dict(os.environ, LLM_EMULATOR_ADMIN_TOKEN="t0ken", LLM_EMULATOR_SEED="3",
               LLM_EMULATOR_FIXTURES=str(tmp_path), LLM_EMULATOR_STRICT_FIXTURES="true")
    with serve_process("--quiet", env=env) as served:
        base = served.base
        assert httpx.get(f"{base}/_emulator/requests").status_code == 401
        ask = {"model": "gpt-4o", "messages": [{"role": "user", "content": "ping"}]}
        reply = httpx.post(f"{base}/apiyi/v1/chat/completions", json=ask, headers=AUTH)
        assert reply.json()["choices"][0]["message"]["content"] == "pong"
        ask["messages"][0]["content"] = "other"
        assert httpx.post(f"{base}/apiyi/v1/chat/completions", json=ask,
                          headers=AUTH).status_code == 404  # strict
        journal = httpx.get(f"{base}/_emulator/requests",
                            headers={"X-Emulator-Token": "t0ken"}).json()
        assert [e["fixture"] for e in journal["requests"]] == ["ping.yaml", None]
    output = served.output
    assert f"llm-gateway-emulator on {base} (seed 3)" in output
    assert f"fixtures  1 rule(s) from {tmp_path} (strict" in output
    assert "/v1/chat/completions" not in output.split("(strict")[1]  # --quiet: no log lines
