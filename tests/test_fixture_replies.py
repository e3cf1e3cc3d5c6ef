"""What a fixture answers with, seen through real clients: scripted agent loops, raw
bodies, stream scripts and errors in each provider's own format."""

from __future__ import annotations

import json
import time
from typing import Any

import anthropic
import httpx
import openai
import pytest

from emulator import EmulatorServer
from emulator.envelopes import render_error
from emulator.errors import Overloaded, RateLimited

from .conftest import AUTH, KEY

WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                   "required": ["city"]}}}
AGENT_LOOP = [
    {"name": "call-the-tool", "match": {"content": "weather", "nth": 1},
     "reply": {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Oslo"}}]}},
    {"name": "use-the-result", "match": {"tool_result": "sunny", "last_role": "tool"},
     "reply": {"content": "It is sunny in Oslo.", "usage": {"prompt_tokens": 30,
                                                            "completion_tokens": 6}}},
]


def add(server: EmulatorServer, *rules: dict[str, Any]) -> None:
    reply = httpx.post(f"{server.url}/_emulator/fixtures", json=list(rules))
    assert reply.status_code == 201, reply.text


def journal(server: EmulatorServer) -> list[dict[str, Any]]:
    return httpx.get(f"{server.url}/_emulator/requests").json()["requests"]


def test_an_agent_loop_is_scripted_through_the_openai_sdk(server: EmulatorServer) -> None:
    add(server, *AGENT_LOOP)
    client = openai.OpenAI(base_url=server.base_url("apiyi"), api_key=KEY, max_retries=0)
    messages: list[Any] = [{"role": "user", "content": "What is the weather in Oslo?"}]
    first = client.chat.completions.create(model="gpt-4o", messages=messages, tools=[WEATHER])
    call = first.choices[0].message.tool_calls[0]
    assert (call.function.name, json.loads(call.function.arguments)) == \
        ("get_weather", {"city": "Oslo"})
    messages += [first.choices[0].message.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": call.id, "content": "sunny, 21 C"}]
    second = client.chat.completions.create(model="gpt-4o", messages=messages, tools=[WEATHER])
    assert second.choices[0].message.content == "It is sunny in Oslo."
    assert second.usage is not None and second.usage.completion_tokens == 6
    assert [e["fixture"] for e in journal(server)] == ["call-the-tool", "use-the-result"]


def test_a_scripted_thought_comes_before_the_answer(server: EmulatorServer) -> None:
    """`reasoning` is chat's `reasoning_content`, for any model; with `content` too, both
    are the fixture's, streamed in that order."""
    add(server, {"match": {"content": "think"},
                 "reply": {"reasoning": "The user wants a number.", "content": "42"}},
        {"match": {"content": "ponder"}, "reply": {"reasoning": "Hmm."}})
    client = openai.OpenAI(base_url=server.base_url("apiyi"), api_key=KEY, max_retries=0)
    ask = [{"role": "user", "content": "think of a number"}]
    reply = client.chat.completions.create(model="gpt-4o", messages=ask)  # type: ignore[arg-type]
    message = reply.choices[0].message
    assert (message.model_extra or {})["reasoning_content"] == "The user wants a number."
    assert message.content == "42"
    deltas = [c.choices[0].delta for c in client.chat.completions.create(
        model="gpt-4o", messages=ask, stream=True) if c.choices]  # type: ignore[arg-type]
    assert [(d.model_extra or {}).get("reasoning_content") or d.content for d in deltas
            if (d.model_extra or {}).get("reasoning_content") or d.content] == [
        "The", " user", " wants", " a", " number", ".", "42"]
    generated = client.chat.completions.create(  # the answer left to the generator
        model="gpt-4o", messages=[{"role": "user", "content": "ponder this"}])
    assert (generated.choices[0].message.model_extra or {})["reasoning_content"] == "Hmm."
    assert generated.choices[0].message.content


def test_an_agent_loop_is_scripted_through_the_anthropic_sdk(server: EmulatorServer) -> None:
    add(server, *AGENT_LOOP)
    client = anthropic.Anthropic(base_url=server.anthropic_base_url("xiaoai"), api_key=KEY,
                                 max_retries=0)
    tools: Any = [{"name": "get_weather", "description": "weather",
                   "input_schema": WEATHER["function"]["parameters"]}]  # type: ignore[index]
    messages: list[Any] = [{"role": "user", "content": "weather in Oslo?"}]
    first = client.messages.create(model="xiaoai-chat-v1", max_tokens=100, tools=tools,
                                   messages=messages)
    use = first.content[0]
    assert first.stop_reason == "tool_use" and use.type == "tool_use"
    messages += [{"role": "assistant", "content": first.content},
                 {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id,
                                               "content": "sunny"}]}]
    second = client.messages.create(model="xiaoai-chat-v1", max_tokens=100, tools=tools,
                                    messages=messages)
    assert second.content[0].type == "text" and second.content[0].text == \
        "It is sunny in Oslo."


def test_a_raw_reply_is_sent_verbatim(server: EmulatorServer) -> None:
    add(server, {"match": {"content": "teapot"}, "reply": {
        "status": 418, "headers": {"Content-Type": "text/plain", "X-Request-Id": "rec-1"},
        "body": "I'm a teapot"}},
        {"match": {"content": "bytes"}, "reply": {"body_base64": "AAEC"}})
    ask = {"model": "gpt-4o", "messages": [{"role": "user", "content": "teapot"}]}
    reply = httpx.post(f"{server.base_url('apiyi')}/chat/completions", json=ask, headers=AUTH)
    assert (reply.status_code, reply.text) == (418, "I'm a teapot")
    assert reply.headers["content-type"] == "text/plain"
    assert reply.headers.get_list("x-request-id") == ["rec-1"]  # replaces ours, not added
    ask["messages"][0]["content"] = "bytes"
    raw = httpx.post(f"{server.base_url('apiyi')}/chat/completions", json=ask, headers=AUTH)
    assert raw.content == b"\x00\x01\x02"
    assert raw.headers["content-type"] == "application/json"


def test_a_stream_script_is_sent_event_by_event_with_its_delays(
        server: EmulatorServer) -> None:
    chunk = {"id": "chatcmpl-rec", "object": "chat.completion.chunk", "created": 1,
             "model": "gpt-4o", "choices": [{"index": 0, "delta": {"content": "Hel"},
                                             "finish_reason": None}]}
    tail = dict(chunk, choices=[{"index": 0, "delta": {"content": "lo"},
                                 "finish_reason": "stop"}])
    add(server, {"name": "script", "match": {"stream": True}, "reply": {"stream": [
        {"data": chunk},
        {"comment": "PING", "delay": 0.15},
        {"data": json.dumps(tail), "delay": 0.15},
        "[DONE]"]}})
    client = openai.OpenAI(base_url=server.base_url("qhaigc"), api_key=KEY, max_retries=0)
    started = time.perf_counter()
    stream = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True)
    arrivals, pieces = [], []
    for event in stream:
        arrivals.append(time.perf_counter() - started)
        pieces.append(event.choices[0].delta.content)
    assert pieces == ["Hel", "lo"]
    assert arrivals[1] - arrivals[0] >= 0.25  # both delays were kept
    entry = journal(server)[-1]
    assert (entry["fixture"], entry["stream"], entry["status"]) == ("script", True, 200)


def test_a_paced_stream_script_stops_when_the_client_goes(server: EmulatorServer) -> None:
    """A client that leaves after the first event ends the script there: the journal says
    499 well before the script's remaining 2 seconds would have run out."""
    add(server, {"name": "slow-script", "match": {"content": "slow and long"}, "reply": {
        "stream": ["first", *({"data": f"event {i}", "delay": 0.2} for i in range(10))]}})
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "slow and long"}],
            "stream": True}
    with httpx.stream("POST", f"{server.base_url('qhaigc')}/chat/completions", json=body,
                      headers=AUTH, timeout=5) as response:
        first = next(response.iter_raw())
    left = time.perf_counter()
    assert first.startswith(b"data: first")
    while not (entries := [e for e in journal(server) if e["fixture"] == "slow-script"]):
        assert time.perf_counter() - left < 1.0, "the script went on after the client left"
        time.sleep(0.02)
    assert entries[-1]["status"] == 499


def test_a_stream_script_may_answer_with_another_status(server: EmulatorServer) -> None:
    """Some gateways send an error as an event stream: the script's `status` is the one
    sent, so the SDK raises the status's own error class before reading any event."""
    add(server, {"name": "sse-error", "match": {"content": "fail as a stream"}, "reply": {
        "status": 500, "stream": [{"event": "error", "data": {"error": {"message": "boom"}}}]}})
    client = openai.OpenAI(base_url=server.base_url("qhaigc"), api_key=KEY, max_retries=0)
    with pytest.raises(openai.InternalServerError) as raised:
        client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "fail as a stream"}],
            stream=True)
    assert raised.value.status_code == 500
    assert raised.value.response.headers["content-type"] == "text/event-stream"
    entry = journal(server)[-1]
    assert (entry["fixture"], entry["stream"], entry["status"]) == ("sse-error", True, 500)


STYLES = {"qhaigc": ("gpt-4o", "openai"), "apiyi": ("gpt-4o", "openai"),
          "xiaoai": ("xiaoai-chat-v1", "xiaoai"), "ruijing": ("ruijing-gpt-2.0", "ruijing"),
          "aimodels": ("gpt-4-turbo", "aimodels")}


@pytest.mark.parametrize("slug", list(STYLES))
def test_an_error_reply_takes_the_providers_own_format(server: EmulatorServer,
                                                       slug: str) -> None:
    add(server,
        {"match": {"content": "busy"}, "reply": {"error": {"status": 529, "message": "Busy"}}},
        {"match": {"content": "slow down"}, "reply": {"error": {
            "kind": "rate_limited", "message": "Slow down", "headers": {"retry-after": "7"}}}})
    model, style = STYLES[slug]
    url = f"{server.base_url(slug)}/chat/completions"
    for text, error, status in (("busy", Overloaded("Busy"), 529),
                                ("slow down", RateLimited("Slow down"), 429)):
        reply = httpx.post(url, headers=AUTH, json={
            "model": model, "messages": [{"role": "user", "content": text}]})
        expected = render_error(style, error, 0)[1]
        body = reply.json()
        if slug == "aimodels":  # its timestamp is the clock's
            expected["timestamp"] = body["timestamp"]
        assert (reply.status_code, body) == (status, expected)
    assert reply.headers["retry-after"] == "7"


def test_a_rate_limited_error_reply_carries_retry_after_unless_it_sets_its_own(
        server: EmulatorServer) -> None:
    add(server, *({"match": {"content": text}, "reply": {"error": error}} for text, error in (
        ("limited", {"kind": "rate_limited"}), ("429", {"status": 429}),
        ("own", {"kind": "rate_limited", "headers": {"Retry-After": "9"}}),
        ("quota", {"kind": "quota_exceeded"}))))
    url = f"{server.base_url('ruijing')}/chat/completions"
    seen = {}
    for text in ("limited", "429", "own", "quota"):
        reply = httpx.post(url, headers=AUTH, json={
            "model": "ruijing-gpt-2.0", "messages": [{"role": "user", "content": text}]})
        assert reply.status_code == 429
        seen[text] = reply.headers.get_list("retry-after")
    # ruijing documents Retry-After on its 429; an empty quota needs the user instead.
    assert seen == {"limited": ["1"], "429": ["1"], "own": ["9"], "quota": []}


def test_the_sdks_raise_their_own_exceptions_for_error_replies(
        server: EmulatorServer) -> None:
    add(server, {"match": {"provider": "apiyi"}, "reply": {"error": {"status": 429}}},
        {"match": {"provider": "xiaoai"}, "reply": {"error": {"kind": "overloaded"}}})
    client = openai.OpenAI(base_url=server.base_url("apiyi"), api_key=KEY, max_retries=0)
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="gpt-4o",
                                       messages=[{"role": "user", "content": "hi"}])
    assert caught.value.code == "rate_limit_exceeded"
    claude = anthropic.Anthropic(base_url=server.anthropic_base_url("xiaoai"), api_key=KEY,
                                 max_retries=0)
    with pytest.raises(anthropic.APIStatusError) as overloaded:
        claude.messages.create(model="xiaoai-chat-v1", max_tokens=10,
                               messages=[{"role": "user", "content": "hi"}])
    assert overloaded.value.status_code == 529
    assert overloaded.value.body["error"]["type"] == "overloaded_error"  # type: ignore[index]


# Each was once accepted by POST /_emulator/fixtures, then broke the answer or the
# connection it went out on.
BREAKING_REPLIES = [
    ({"body": "x", "headers": {"x-a": "a\r\nx-injected: 1"}}, "reply.headers.x-a"),
    ({"body": "x", "headers": {"x a": "1"}}, "reply.headers"),
    ({"body": "x", "headers": {"content-length": "999"}}, "reply.headers"),
    ({"stream": ["hi"], "headers": {"x-\u00e9": "1"}}, "reply.headers"),
    ({"error": {"status": 503, "headers": {"retry-after": "1\nx: y"}}},
     "reply.error.headers.retry-after"),
    ({"status": 101, "body": ""}, "reply.status"),
    ({"status": 204, "body": "a body"}, "reply.status"),
    ({"status": 204, "stream": ["hi"]}, "reply.status"),
    ({"content": "x", "usage": {"prompt_tokens": 2**64 - 1}}, "reply.usage"),
    ({"stream": [{"data": "x", "delay": 1e308}]}, "reply.stream[0].delay"),
]


@pytest.mark.parametrize(("reply", "field"), BREAKING_REPLIES,
                         ids=[f"{i}-{b[1]}" for i, b in enumerate(BREAKING_REPLIES)])
def test_a_reply_that_would_break_the_answer_is_a_400_naming_the_field(
        server: EmulatorServer, reply: dict[str, Any], field: str) -> None:
    answer = httpx.post(f"{server.url}/_emulator/fixtures", json=[
        {"name": "fine", "reply": {"content": "fine"}},
        {"name": "broken", "match": {"content": "break"}, "reply": reply}])
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["type"] == "invalid_fixture"
    assert error["message"].startswith(f"api[1]: {field}: ")
    assert httpx.get(f"{server.url}/_emulator/fixtures?origin=runtime").json()["count"] == 0


def test_a_bodiless_raw_204_keeps_the_connection_usable(server: EmulatorServer) -> None:
    add(server, {"match": {"content": "nothing"}, "reply": {"status": 204, "body": ""}})
    url = f"{server.base_url('apiyi')}/chat/completions"
    with httpx.Client(headers=AUTH, timeout=5) as client:  # one keep-alive connection
        for text, status in (("nothing", 204), ("hello", 200), ("nothing", 204)):
            reply = client.post(url, json={
                "model": "gpt-4o", "messages": [{"role": "user", "content": text}]})
            assert (reply.status_code, reply.content == b"") == (status, status == 204)
    assert [e["status"] for e in journal(server)] == [204, 200, 204]
