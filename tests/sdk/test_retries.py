"""The SDKs' own retry logic against the emulator's 429s: they wait the `retry-after` the
emulator sends and succeed once the window has freed.

The session server's clock is frozen, so time passes only when a test says so: the window
is moved to 1 s before its end, and when the 429 arrives an httpx response hook advances
the emulator's clock by the `retry-after` it carried, as real time would while the SDK
sleeps. The SDK must then really wait that long (the gap is measured on the wall clock),
not its own 0.5 s backoff.
"""

from __future__ import annotations

import time
from typing import Any

import anthropic
import httpx
import httpx2  # what anthropic 2.x builds on (its http_client is an httpx2.Client)
import openai
import pytest

from emulator import EmulatorServer

from ..conftest import KEY

QUESTION = [{"role": "user", "content": "Say hi"}]


class Recorder:
    """httpx event hooks: the status and wall time of each attempt; on a 429 the
    emulator's clock moves on by its retry-after."""

    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.attempts: list[tuple[int, float, dict[str, str]]] = []

    def on_response(self, response: httpx.Response | httpx2.Response) -> None:
        headers = {k: v for k, v in response.headers.items()
                   if k.startswith(("retry-after", "x-ratelimit"))}
        self.attempts.append((response.status_code, time.monotonic(), headers))
        if response.status_code == 429 and "retry-after" in response.headers:
            self.server.state.clock.advance(float(response.headers["retry-after"]))

    def http_client(self) -> httpx.Client:
        return httpx.Client(event_hooks={"response": [self.on_response]})

    def httpx2_client(self) -> httpx2.Client:
        return httpx2.Client(event_hooks={"response": [self.on_response]})

    @property
    def statuses(self) -> list[int]:
        return [status for status, _, _ in self.attempts]

    def gap(self) -> float:
        return self.attempts[-1][1] - self.attempts[-2][1]


def limit(server: EmulatorServer, slug: str, **values: Any) -> None:
    with httpx.Client(base_url=server.url) as control:
        assert control.put("/_emulator/limits", json={slug: values}).status_code == 200


@pytest.mark.parametrize(("slug", "model"), [("apiyi", "gpt-4o"), ("ruijing",
                                                                    "ruijing-gpt-2.0")])
def test_openai_sdk_waits_retry_after_then_succeeds(server: EmulatorServer, slug: str,
                                                     model: str) -> None:
    limit(server, slug, rpm=1)
    recorder = Recorder(server)
    client = openai.OpenAI(base_url=server.base_url(slug), api_key=KEY, max_retries=2,
                           http_client=recorder.http_client())
    client.chat.completions.create(model=model, messages=QUESTION)
    server.state.clock.advance(59)  # one second left in the window
    reply = client.chat.completions.create(model=model, messages=QUESTION)
    assert reply.choices[0].message.content
    assert recorder.statuses == [200, 429, 200]
    assert recorder.attempts[1][2]["retry-after"] == "1"
    assert recorder.gap() >= 0.95  # the SDK's own backoff would be 0.375-0.5 s


def test_openai_sdk_gives_up_on_a_per_day_limit(server: EmulatorServer) -> None:
    """retry-after > 120 s: openai >= 2.52 does not retry at all (wire-formats 3). Real."""
    limit(server, "qhaigc", rpd=1)
    recorder = Recorder(server)
    client = openai.OpenAI(base_url=server.base_url("qhaigc"), api_key=KEY, max_retries=2,
                           http_client=recorder.http_client())
    client.chat.completions.create(model="gpt-4o", messages=QUESTION)
    started = time.monotonic()
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=QUESTION)
    assert time.monotonic() - started < 1
    assert recorder.statuses == [200, 429]
    assert caught.value.code == "rate_limit_exceeded"
    assert caught.value.response.headers["retry-after"] == "86400"


def test_openai_sdk_reads_the_ratelimit_headers(server: EmulatorServer) -> None:
    limit(server, "apiyi", rpm=10, tpm=None)
    client = openai.OpenAI(base_url=server.base_url("apiyi"), api_key=KEY, max_retries=0)
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o", messages=QUESTION)
    assert raw.headers["x-ratelimit-limit-requests"] == "10"
    assert raw.headers["x-ratelimit-remaining-requests"] == "9"
    assert raw.headers["x-ratelimit-reset-requests"] == "1m0s"
    assert "x-ratelimit-limit-tokens" not in raw.headers


def test_anthropic_sdk_waits_retry_after_then_succeeds(server: EmulatorServer) -> None:
    limit(server, "xiaoai", rpm=1)
    recorder = Recorder(server)
    client = anthropic.Anthropic(base_url=server.anthropic_base_url("xiaoai"), api_key=KEY,
                                 max_retries=2, http_client=recorder.httpx2_client())
    client.messages.create(model="xiaoai-chat-v1", max_tokens=16, messages=QUESTION)
    server.state.clock.advance(59)
    message = client.messages.create(model="xiaoai-chat-v1", max_tokens=16, messages=QUESTION)
    assert message.content[0].text  # type: ignore[union-attr]
    assert recorder.attempts[1][2]["retry-after"] == "1"
    assert recorder.statuses == [200, 429, 200]
    assert recorder.gap() >= 0.95


def test_anthropic_sdk_raises_rate_limit_error_when_retries_run_out(
        server: EmulatorServer) -> None:
    limit(server, "xiaoai", rpm=1)
    client = anthropic.Anthropic(base_url=server.anthropic_base_url("xiaoai"), api_key=KEY,
                                 max_retries=0)
    client.messages.create(model="xiaoai-chat-v1", max_tokens=16, messages=QUESTION)
    with pytest.raises(anthropic.RateLimitError) as caught:
        client.messages.create(model="xiaoai-chat-v1", max_tokens=16, messages=QUESTION)
    assert caught.value.status_code == 429
    assert caught.value.body["error"]["type"] == "rate_limit_error"  # type: ignore[index]
    assert caught.value.response.headers["retry-after"] == "60"
