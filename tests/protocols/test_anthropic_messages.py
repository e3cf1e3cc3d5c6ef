"""xiaoai's Anthropic Messages route in process: the message and event shapes against
xiaoai's schemas and Anthropic's reference schemas, validation errors, fixtures."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from starlette.testclient import TestClient

from emulator import EmulatorApp
from emulator.fixtures import parse_rule
from emulator.generate.tokens import count_tokens
from tests.conftest import AUTH, KEY, REFERENCE, SCHEMAS

URL = "/xiaoai/v1/messages"
MODEL = "xiaoai-chat-v1"
PNG_1X1 = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")).decode()
WEATHER_TOOL = {
    "name": "get_weather", "description": "Current weather in a city",
    "input_schema": {"type": "object", "properties": {
        "city": {"type": "string"}, "unit": {"enum": ["celsius", "fahrenheit"]}},
        "required": ["city", "unit"]},
}


def schema(path: Any) -> Draft202012Validator:
    return Draft202012Validator(json.loads(path.read_text()))


OUR_MESSAGE = schema(SCHEMAS / "xiaoai" / "anthropic.messages.response.json")
OUR_EVENT = schema(SCHEMAS / "xiaoai" / "anthropic.messages.stream.json")
OUR_ERROR = schema(SCHEMAS / "xiaoai" / "error.json")
REF_MESSAGE = schema(REFERENCE / "anthropic" / "Message.json")
REF_EVENT = schema(REFERENCE / "anthropic" / "StreamEvent.json")


def body(text: str = "hello there", **extra: Any) -> dict[str, Any]:
    return {"model": MODEL, "max_tokens": 256,
            "messages": [{"role": "user", "content": text}]} | extra


def parse_events(raw: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for frame in raw.split("\n\n"):
        if not frame.strip():
            continue
        lines = dict(line.split(": ", 1) for line in frame.split("\n"))
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def accumulate(events: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The final message from the events, as the SDK's accumulator builds it."""
    message: dict[str, Any] = {}
    partial: dict[int, str] = {}
    for name, data in events:
        if name == "message_start":
            message = data["message"]
        elif name == "content_block_start":
            message["content"].append(dict(data["content_block"]))
        elif name == "content_block_delta":
            delta, block = data["delta"], message["content"][data["index"]]
            if delta["type"] == "text_delta":
                block["text"] += delta["text"]
            else:
                partial[data["index"]] = partial.get(data["index"], "") + delta["partial_json"]
        elif name == "content_block_stop" and data["index"] in partial:
            message["content"][data["index"]]["input"] = json.loads(partial[data["index"]])
        elif name == "message_delta":
            message.update(data["delta"])
            message["usage"].update(data["usage"])
    return message


def check_order(names: list[str]) -> None:
    """message_start, (content_block_start [ping] delta* content_block_stop)+,
    message_delta, message_stop."""
    assert names[0] == "message_start" and names[-2:] == ["message_delta", "message_stop"]
    assert names[2] == "ping" and names.count("ping") == 1
    body_names = [n for n in names[1:-2] if n != "ping"]
    open_block = False
    for name in body_names:
        if name == "content_block_start":
            assert not open_block
            open_block = True
        elif name == "content_block_delta":
            assert open_block
        else:
            assert name == "content_block_stop" and open_block
            open_block = False
    assert not open_block and body_names


def stream(client: TestClient, request: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    response = client.post(URL, headers=AUTH, json=request | {"stream": True})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_events(response.text)
    for name, data in events:
        assert data["type"] == name
        assert OUR_EVENT.is_valid(data), list(OUR_EVENT.iter_errors(data))
        assert REF_EVENT.is_valid(data), list(REF_EVENT.iter_errors(data))
    check_order([name for name, _ in events])
    return events


def test_message_matches_schemas_and_counts(client: TestClient) -> None:
    response = client.post(URL, headers=AUTH, json=body())
    assert response.status_code == 200
    assert response.headers["request-id"].startswith("req_")
    message = response.json()
    assert OUR_MESSAGE.is_valid(message) and REF_MESSAGE.is_valid(message)
    assert message["id"].startswith("msg-") and message["stop_reason"] == "end_turn"
    assert message["stop_sequence"] is None
    text = message["content"][0]["text"]
    assert message["usage"]["output_tokens"] == count_tokens(text) > 0
    # 3 per reply + 3 per message + the message's tokens
    assert message["usage"]["input_tokens"] == 6 + count_tokens("hello there")
    assert client.post(URL, headers=AUTH, json=body()).json() == message


def test_stream_equals_message(client: TestClient) -> None:
    message = client.post(URL, headers=AUTH, json=body()).json()
    events = stream(client, body())
    assert accumulate(events) == message
    deltas = [d for n, d in events if n == "content_block_delta"]
    assert len(deltas) == message["usage"]["output_tokens"]


def test_max_tokens_and_stop_sequences(client: TestClient) -> None:
    full = client.post(URL, headers=AUTH, json=body()).json()["content"][0]["text"]
    cut = client.post(URL, headers=AUTH, json=body(max_tokens=3)).json()
    assert cut["stop_reason"] == "max_tokens" and cut["usage"]["output_tokens"] == 3
    assert full.startswith(cut["content"][0]["text"])
    word = full.split()[2]
    stopped = client.post(URL, headers=AUTH, json=body(stop_sequences=[word])).json()
    assert stopped["stop_reason"] == "stop_sequence" and stopped["stop_sequence"] == word
    assert word not in stopped["content"][0]["text"]
    events = stream(client, body(stop_sequences=[word]))
    assert accumulate(events) == stopped


def test_tool_use_and_streamed_input(client: TestClient) -> None:
    request = body("What is the weather in Paris?", tools=[WEATHER_TOOL])
    message = client.post(URL, headers=AUTH, json=request).json()
    assert OUR_MESSAGE.is_valid(message) and REF_MESSAGE.is_valid(message)
    assert message["stop_reason"] == "tool_use"
    block = message["content"][0]
    assert block["type"] == "tool_use" and block["id"].startswith("toolu_")
    Draft202012Validator(WEATHER_TOOL["input_schema"]).validate(block["input"])
    events = stream(client, request)
    assert [d["delta"]["type"] for n, d in events if n == "content_block_delta"] \
        == ["input_json_delta"] * (len(events) - 6)
    assert accumulate(events) == message
    # tool_choice "none" answers with text; a tool_result turn ends the loop with text
    assert client.post(URL, headers=AUTH, json=request | {"tool_choice": {"type": "none"}}
                       ).json()["stop_reason"] == "end_turn"
    follow_up = request | {"messages": request["messages"] + [
        {"role": "assistant", "content": [block]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": block["id"],
                                      "content": "18 degrees and sunny"}]}]}
    answer = client.post(URL, headers=AUTH, json=follow_up).json()
    assert answer["stop_reason"] == "end_turn"
    assert "18 degrees and sunny" in answer["content"][0]["text"]


def test_named_tool_choice_with_system_blocks(client: TestClient) -> None:
    request = body("hi", tools=[WEATHER_TOOL], tool_choice={"type": "tool", "name":
                                                           "get_weather"},
                   system=[{"type": "text", "text": "You are terse."}])
    message = client.post(URL, headers=AUTH, json=request).json()
    assert [b["name"] for b in message["content"]] == ["get_weather"]


def test_valid_image_is_accepted(client: TestClient) -> None:
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                         "data": PNG_1X1}}
    request = body(messages=[{"role": "user", "content": [
        {"type": "text", "text": "describe"}, image]}])
    assert client.post(URL, headers=AUTH, json=request).status_code == 200


@pytest.mark.parametrize(("change", "field"), [
    ({"max_tokens": None}, "max_tokens"),
    ({"temperature": 1.5}, "temperature"),
    ({"top_p": -0.1}, "top_p"),
    ({"messages": [{"role": "system", "content": "x"}]}, "messages[0].role"),
    ({"messages": [{"role": "user", "content": [
        {"type": "text", "text": "x"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                     "data": "not base64!"}}]}]},
     "messages[0].content[1].source.data"),
    ({"messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/bmp",
                                     "data": PNG_1X1}}]}]},
     "messages[0].content[0].source.media_type"),
    ({"model": "no-such-model"}, "no-such-model"),
    ({"max_tokens": 100000}, "max_tokens"),
    ({"output_config": "json"}, "output_config"),
    ({"output_config": {"format": {"type": "json_schema"}}}, "output_config.format.schema"),
    ({"output_format": {"type": "json_schema", "schema": "x"}}, "output_format.schema"),
    ({"output_format": {"type": "xml"}}, "output_format"),
])
def test_bad_requests_are_xiaoai_400s(client: TestClient, change: dict[str, Any],
                                      field: str) -> None:
    request = {k: v for k, v in (body() | change).items() if v is not None}
    response = client.post(URL, headers=AUTH, json=request)
    assert response.status_code == 400
    error = response.json()
    assert OUR_ERROR.is_valid(error)
    assert error["error"]["type"] == "invalid_request_error"
    assert field in error["error"]["message"]


def test_auth_by_either_header(client: TestClient) -> None:
    assert client.post(URL, headers={"X-Api-Key": KEY}, json=body()).status_code == 200
    missing = client.post(URL, json=body())
    assert missing.status_code == 401
    assert missing.json()["error"]["type"] == "authentication_error"


def test_doc_exchange_answers_the_doc_example(client: TestClient) -> None:
    request = {"model": MODEL, "max_tokens": 1024,
               "messages": [{"role": "user", "content": "你好,请介绍一下你自己"}]}
    message = client.post(URL, headers=AUTH, json=request).json()
    assert message["content"] == [{"type": "text", "text": "你好我是小艾引擎一个强大的AI助手..."}]
    assert message["usage"] == {"input_tokens": 15, "output_tokens": 42}
    assert accumulate(stream(client, request)) == message


def test_fixture_rule_tool_calls(app: EmulatorApp, client: TestClient) -> None:
    app.state.fixtures.add(parse_rule({
        "name": "weather", "match": {"provider": "xiaoai", "route": "anthropic.messages",
                                     "content": "umbrella"},
        "reply": {"tool_calls": [{"name": "get_weather",
                                  "arguments": {"city": "Oslo", "unit": "celsius"}}],
                  "usage": {"prompt_tokens": 5, "completion_tokens": 9}}}, "test"))
    request = body("Do I need an umbrella?", tools=[WEATHER_TOOL])
    message = client.post(URL, headers=AUTH, json=request).json()
    assert message["content"][0]["input"] == {"city": "Oslo", "unit": "celsius"}
    assert message["usage"] == {"input_tokens": 5, "output_tokens": 9}
    assert accumulate(stream(client, request)) == message


def test_the_beta_output_format_applies_beside_an_output_config_without_one(
        client: TestClient) -> None:
    schema = {"type": "object", "required": ["n"], "additionalProperties": False,
              "properties": {"n": {"type": "integer"}}}
    reply = client.post(URL, headers=AUTH, json=body() | {
        "output_config": {"effort": "low"},
        "output_format": {"type": "json_schema", "schema": schema}})
    Draft202012Validator(schema).validate(json.loads(reply.json()["content"][0]["text"]))
