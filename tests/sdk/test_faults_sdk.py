"""Every fault kind through a real client against a real server: the SDKs raise the
right exception or retry as they should, cut streams raise instead of hanging, and the
journal names each fault that fired."""

from __future__ import annotations

import time
from typing import Any

import anthropic
import httpx
import openai
import pytest

from emulator import EmulatorServer
from emulator.policy.faults import parse_fault_rule

from ..conftest import AUTH, KEY

MODEL = "gpt-4o"
QUESTION = [{"role": "user", "content": "Explain tides briefly"}]
CLAUDE = "xiaoai-chat-v1"
HEADER = "X-Emulator-Fault"


def sdk(server: EmulatorServer, **kwargs: Any) -> openai.OpenAI:
    options: dict[str, Any] = {"max_retries": 0, "timeout": 5.0} | kwargs
    return openai.OpenAI(base_url=server.base_url("apiyi"), api_key=KEY, **options)


def claude(server: EmulatorServer) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=server.anthropic_base_url("xiaoai"), api_key=KEY,
                               max_retries=0, timeout=5.0)


def fault(server: EmulatorServer, **rule: Any) -> str:
    return server.state.faults.add(parse_fault_rule(rule, "test"))


def stream_text(client: openai.OpenAI, **extra: Any) -> str:
    stream = client.chat.completions.create(model=MODEL, messages=QUESTION, stream=True,
                                            **extra)
    return "".join(c.choices[0].delta.content or "" for c in stream if c.choices)


def raw_stream(server: EmulatorServer, fault_header: str | None = None) -> list[str]:
    """The SSE lines as sent (blank separators dropped), through plain httpx."""
    faulted = {HEADER: fault_header} if fault_header else {}
    response = httpx.post(f"{server.base_url('apiyi')}/chat/completions", timeout=5,
                          headers={**AUTH, **faulted},
                          json={"model": MODEL, "messages": QUESTION, "stream": True})
    assert response.status_code == 200
    return [line for line in response.text.split("\n") if line]


@pytest.fixture
def server(server: EmulatorServer) -> EmulatorServer:
    """The session's server, reset again once the previous test's requests are done: the
    server journals a request just after the client saw it end, which can be after the
    first reset, and these tests count journal entries."""
    deadline = time.monotonic() + 3
    while server._server.server_state.tasks and time.monotonic() < deadline:
        time.sleep(0.005)
    server.state.reset()
    return server


def journal(server: EmulatorServer, count: int) -> list[Any]:
    """The journal once it holds `count` entries (see `server`: the client may be first)."""
    deadline = time.monotonic() + 3
    while len(server.state.journal.entries) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return list(server.state.journal.entries)


@pytest.mark.parametrize(("status", "error"), [
    (400, openai.BadRequestError), (401, openai.AuthenticationError),
    (403, openai.PermissionDeniedError), (404, openai.NotFoundError),
    (408, openai.APIStatusError), (409, openai.ConflictError),
    (422, openai.UnprocessableEntityError), (429, openai.RateLimitError),
    (500, openai.InternalServerError), (502, openai.InternalServerError),
    (503, openai.InternalServerError), (504, openai.InternalServerError)])
def test_status_fault_raises_the_sdk_class_in_the_provider_format(
        server: EmulatorServer, status: int, error: type[Exception]) -> None:
    fault(server, status=status, provider="apiyi")
    with pytest.raises(error) as caught:
        sdk(server).chat.completions.create(model=MODEL, messages=QUESTION)
    exc = caught.value
    assert isinstance(exc, openai.APIStatusError) and exc.status_code == status
    assert set(exc.body) == {"message", "type", "param", "code"}  # apiyi's OpenAI body
    assert (exc.response.headers.get("retry-after") == "1") == (status == 429)
    assert journal(server, 1)[-1].faults == [f"status={status} (fault_1)"]


def test_status_fault_skips_auth(server: EmulatorServer) -> None:
    fault(server, status=503)
    client = openai.OpenAI(base_url=server.base_url("apiyi"), api_key="not-a-key",
                           max_retries=0)
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model=MODEL, messages=QUESTION)


def test_one_503_is_retried_by_the_sdk_and_the_journal_marks_the_first(
        server: EmulatorServer) -> None:
    fault(server, status=503, route="openai.chat_completions", times=1)
    reply = sdk(server, max_retries=2).chat.completions.create(model=MODEL, messages=QUESTION)
    assert reply.choices[0].message.content
    entries = journal(server, 2)
    assert [e.status for e in entries] == [503, 200]
    assert entries[0].faults == ["status=503 (fault_1)"] and entries[1].faults == []
    assert server.state.faults.listing()[0] | {"rule": None} == {
        "id": "fault_1", "rule": None, "remaining": 0, "hits": 1, "seen": 1}


@pytest.mark.parametrize("status", [408, 409, 504])
def test_statuses_the_sdks_retry_are_retried(server: EmulatorServer, status: int) -> None:
    """Statuses no provider documents, which both SDKs retry: a test of a client's retry
    path needs them as much as a 503."""
    fault(server, status=status, times=2, retry_after=0)
    reply = sdk(server, max_retries=2).chat.completions.create(model=MODEL, messages=QUESTION)
    assert reply.choices[0].message.content
    assert [e.status for e in journal(server, 3)] == [status, status, 200]
    server.state.reset()
    fault(server, status=status, times=1, provider="xiaoai")
    with pytest.raises(anthropic.APIStatusError) as caught:
        claude(server).messages.create(model=CLAUDE, max_tokens=64, messages=QUESTION)
    assert caught.value.status_code == status
    # xiaoai's documented types only: 4xx is a bad request, 5xx the API's error.
    assert caught.value.body["error"]["type"] == (
        "api_error" if status >= 500 else "invalid_request_error")


def test_529_is_anthropic_overloaded_error_on_xiaoai(server: EmulatorServer) -> None:
    fault(server, status=529, provider="xiaoai")
    with pytest.raises(anthropic.OverloadedError) as caught:
        claude(server).messages.create(model=CLAUDE, max_tokens=64, messages=QUESTION)
    assert caught.value.body["error"]["type"] == "overloaded_error"


def test_latency_delays_the_answer(server: EmulatorServer) -> None:
    started = time.monotonic()
    reply = sdk(server).chat.completions.create(
        model=MODEL, messages=QUESTION, extra_headers={HEADER: '{"latency_ms": 300}'})
    assert 0.3 <= time.monotonic() - started < 3
    assert reply.choices[0].message.content
    assert journal(server, 1)[-1].faults == ["latency_ms=300 (header)"]


def test_ttft_and_tokens_per_second_pace_the_stream(server: EmulatorServer) -> None:
    frames = len(raw_stream(server))
    headers = {**AUTH, HEADER: "ttft_ms=300;tokens_per_second=100"}
    body = {"model": MODEL, "messages": QUESTION, "stream": True}
    started = time.monotonic()
    arrivals = []
    with httpx.stream("POST", f"{server.base_url('apiyi')}/chat/completions", json=body,
                      headers=headers, timeout=5) as response:
        arrivals.extend(time.monotonic() - started for _ in response.iter_raw())
    assert arrivals[0] >= 0.3  # the headers come at once, the first event after ttft
    expected = (frames - 1) / 100  # one event per token after the first
    assert expected * 0.7 <= arrivals[-1] - arrivals[0] < expected + 2
    assert len(arrivals) > 2  # sent one by one, not in a single write
    assert journal(server, 2)[-1].faults == ["ttft_ms=300 (header)",
                                             "tokens_per_second=100 (header)"]


def test_hang_ends_with_the_client_timeout(server: EmulatorServer) -> None:
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        sdk(server, timeout=0.5).chat.completions.create(
            model=MODEL, messages=QUESTION, extra_headers={HEADER: "hang"})
    assert time.monotonic() - started < 2
    entry = journal(server, 1)[-1]
    assert entry.status == 499 and entry.faults == ["hang=120 (header)"]


def test_drop_closes_before_any_byte(server: EmulatorServer) -> None:
    with pytest.raises(openai.APIConnectionError) as caught:
        sdk(server).chat.completions.create(model=MODEL, messages=QUESTION,
                                            extra_headers={HEADER: "drop"})
    assert not isinstance(caught.value, openai.APITimeoutError)
    entry = journal(server, 1)[-1]
    assert entry.status == 0 and entry.faults == ["drop=true (header)"]


def test_one_drop_is_retried_by_the_sdk(server: EmulatorServer) -> None:
    fault(server, drop=True, times=1)
    reply = sdk(server, max_retries=1).chat.completions.create(model=MODEL, messages=QUESTION)
    assert reply.choices[0].message.content
    assert [e.status for e in journal(server, 2)] == [0, 200]


def test_cut_stream_raises_in_the_client_instead_of_hanging(server: EmulatorServer) -> None:
    fault(server, cut_after=3)
    started = time.monotonic()
    received = []
    with pytest.raises((openai.APIConnectionError, httpx.TransportError)):
        for chunk in sdk(server, timeout=3).chat.completions.create(
                model=MODEL, messages=QUESTION, stream=True):
            received.append(chunk)
    assert len(received) == 3 and time.monotonic() - started < 2
    assert journal(server, 1)[-1].faults == ["cut_after=3 (fault_1)"]


def test_stall_pauses_mid_stream_then_resumes(server: EmulatorServer) -> None:
    expected = stream_text(sdk(server))
    fault(server, stall_after=2, stall_ms=400)
    started = time.monotonic()
    assert stream_text(sdk(server)) == expected
    assert time.monotonic() - started >= 0.4
    with pytest.raises(openai.APITimeoutError):  # a read timeout shorter than the stall
        stream_text(sdk(server, timeout=httpx.Timeout(2, read=0.2)))


def test_openai_stream_error_raises_api_error(server: EmulatorServer) -> None:
    with pytest.raises(openai.APIError) as caught:
        stream_text(sdk(server), extra_headers={HEADER: '{"stream_error_after": 2}'})
    assert caught.value.message == "Overloaded"
    assert caught.value.body == {"message": "Overloaded", "type": "server_error",
                                 "param": None, "code": "engine_overloaded"}


def test_responses_stream_error_is_an_error_event(server: EmulatorServer) -> None:
    # ResponseErrorEvent: code, message and param at the top, the next sequence number;
    # the openai SDK hands it to the caller instead of raising.
    events = list(sdk(server).responses.create(
        model=MODEL, input="Explain tides briefly", stream=True,
        extra_headers={HEADER: '{"stream_error_after": 3}'}))
    assert [e.type for e in events[:3]] == ["response.created", "response.in_progress",
                                            "response.output_item.added"]
    assert len(events) == 4 and events[-1].type == "error"
    error = events[-1]
    assert (error.code, error.message, error.param, error.sequence_number) == (
        "engine_overloaded", "Overloaded", None, 3)


def test_anthropic_gets_overloaded_error_mid_stream(server: EmulatorServer) -> None:
    fault(server, stream_error_after=3, provider="xiaoai")
    with pytest.raises(anthropic.APIStatusError) as caught, claude(server).messages.stream(
            model=CLAUDE, max_tokens=64, messages=QUESTION) as stream:
        stream.get_final_text()
    assert caught.value.body == {"type": "error", "error": {
        "type": "overloaded_error", "message": "Overloaded"}}
    assert journal(server, 1)[-1].faults == ["stream_error_after=3 (fault_1)"]


def test_keepalive_comments_are_ignored_by_both_sdks(server: EmulatorServer) -> None:
    plain = stream_text(sdk(server))
    with claude(server).messages.stream(model=CLAUDE, max_tokens=64,
                                        messages=QUESTION) as stream:
        plain_claude = stream.get_final_text()
    fault(server, keepalive=True)
    assert stream_text(sdk(server)) == plain
    with claude(server).messages.stream(model=CLAUDE, max_tokens=64,
                                        messages=QUESTION) as stream:
        assert stream.get_final_text() == plain_claude
    assert all(e.faults == ["keepalive=true (fault_1)"] for e in journal(server, 4)[2:])
    assert ": PING" in raw_stream(server, "keepalive")


def test_stream_rewrites_show_in_the_raw_stream(server: EmulatorServer) -> None:
    plain = raw_stream(server)
    assert plain[-1] == "data: [DONE]"
    assert raw_stream(server, "no_done")[-1] != "data: [DONE]"
    assert raw_stream(server, "no_done") == plain[:-1]
    duplicated = raw_stream(server, "duplicate=2")
    assert duplicated == [*plain[:3], plain[2], *plain[3:]]
    swapped = raw_stream(server, "out_of_order=2")
    assert swapped == [*plain[:2], plain[3], plain[2], *plain[4:]]
    broken = raw_stream(server, "malformed_line=1")
    assert len(broken) == len(plain) + 1 and broken[0] == plain[0] and broken[2:] == plain[1:]
    assert plain[1].startswith(broken[1]) and broken[1] != plain[1]
    with pytest.raises(ValueError):  # the SDK cannot parse the broken line
        stream_text(sdk(server), extra_headers={HEADER: "malformed_line=1"})


@pytest.mark.parametrize("slug", ["apiyi", "xiaoai"])
def test_true_means_the_first_content_event_of_either_format(server: EmulatorServer,
                                                             slug: str) -> None:
    """`out_of_order: true` swaps the first two content events: in a chat stream the
    chunks after the role chunk, in Anthropic's the first two text deltas (not its block
    start and ping, which a client never sees swapped)."""
    if slug == "apiyi":
        def deltas(header: str | None) -> list[str]:
            extra = {"extra_headers": {HEADER: header}} if header else {}
            stream = sdk(server).chat.completions.create(model=MODEL, messages=QUESTION,
                                                         stream=True, **extra)
            return [c.choices[0].delta.content for c in stream
                    if c.choices and c.choices[0].delta.content]
    else:
        def deltas(header: str | None) -> list[str]:
            client = anthropic.Anthropic(base_url=server.anthropic_base_url("xiaoai"),
                                         api_key=KEY, max_retries=0)
            with client.messages.stream(
                    model="xiaoai-chat-v1", max_tokens=50, messages=QUESTION,
                    extra_headers={HEADER: header} if header else {}) as stream:
                return list(stream.text_stream)
    plain, swapped = deltas(None), deltas("out_of_order=true")
    assert swapped == [plain[1], plain[0], *plain[2:]]
    assert deltas("duplicate=true") == [plain[0], *plain]


def test_probability_rules_repeat_for_a_seed(server: EmulatorServer) -> None:
    def pattern() -> list[int]:
        server.state.reset()
        fault(server, status=500, probability=0.5)
        with httpx.Client(base_url=server.base_url("apiyi"), headers=AUTH) as client:
            return [client.post("/chat/completions", json={
                "model": MODEL, "messages": QUESTION}).status_code for _ in range(12)]

    first = pattern()
    assert first == pattern()
    assert {200, 500} == set(first)
