"""The real `anthropic` SDK against a real server on xiaoai's Messages route (doc "3.1",
"6.1", "6.2"): sync and async, create and stream, tool use, errors, the 50 MB limit."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any
from urllib.parse import urlsplit

import anthropic
import httpx
import pytest
from jsonschema import Draft202012Validator

from emulator import EmulatorServer

from ..conftest import KEY, REFERENCE, SCHEMAS

MODEL = "xiaoai-chat-v1"
POEM = [{"role": "user", "content": "写一首关于春天的诗"}]
WEATHER_TOOL: dict[str, Any] = {
    "name": "get_weather", "description": "Current weather in a city",
    "input_schema": {"type": "object", "properties": {
        "city": {"type": "string", "minLength": 1},
        "days": {"type": "integer", "minimum": 1, "maximum": 7}},
        "required": ["city", "days"], "additionalProperties": False},
}
OUR_EVENT = Draft202012Validator(json.loads(
    (SCHEMAS / "xiaoai" / "anthropic.messages.stream.json").read_text()))
REF_EVENT = Draft202012Validator(json.loads(
    (REFERENCE / "anthropic" / "StreamEvent.json").read_text()))


def sdk(server: EmulatorServer, **kwargs: Any) -> anthropic.Anthropic:
    options: dict[str, Any] = {"api_key": KEY} | kwargs
    return anthropic.Anthropic(base_url=server.anthropic_base_url("xiaoai"), max_retries=0,
                               _strict_response_validation=True, **options)


def async_sdk(server: EmulatorServer) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(base_url=server.anthropic_base_url("xiaoai"), api_key=KEY,
                                    max_retries=0, _strict_response_validation=True)


def test_sync_create_and_stream_agree(server: EmulatorServer) -> None:
    client = sdk(server)
    message = client.messages.create(model=MODEL, max_tokens=1024, messages=POEM)
    assert message.id.startswith("msg-") and message.stop_reason == "end_turn"
    assert message._request_id and message._request_id.startswith("req_")
    assert message.usage.output_tokens > 0 and message.usage.input_tokens > 0
    with client.messages.stream(model=MODEL, max_tokens=1024, messages=POEM) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert "".join(pieces) == message.content[0].text
    # the accumulator adds `stop_details: None`, a field the wire never sent
    assert final.to_dict(exclude_none=True) == message.to_dict(exclude_none=True)


def test_structured_output_follows_the_schema(server: EmulatorServer) -> None:
    """`output_config.format` (what `messages.parse` and LangChain's json_schema method
    send): the text is JSON that validates, streamed or not."""
    from pydantic import BaseModel

    class City(BaseModel):
        name: str
        population: int
        rivers: list[str]

    client = sdk(server)
    ask = [{"role": "user", "content": "Describe Oslo"}]
    parsed = client.messages.parse(model=MODEL, max_tokens=1024, messages=ask,
                                   output_format=City)
    assert isinstance(parsed.parsed_output, City)
    schema = {"type": "object", "required": ["city", "founded"],
              "additionalProperties": False, "properties": {
                  "city": {"type": "string", "minLength": 2},
                  "founded": {"type": "integer", "minimum": 800, "maximum": 2000}}}
    config: Any = {"format": {"type": "json_schema", "schema": schema}}
    message = client.messages.create(model=MODEL, max_tokens=1024, messages=ask,
                                     output_config=config)
    Draft202012Validator(schema).validate(json.loads(message.content[0].text))
    with client.messages.stream(model=MODEL, max_tokens=1024, messages=ask,
                                output_config=config) as stream:
        assert "".join(stream.text_stream) == message.content[0].text


def test_max_tokens_zero_generates_nothing(server: EmulatorServer) -> None:
    """0 pre-warms the prompt cache (wire-formats 2.1): no content block, stop_reason
    max_tokens, no output tokens; streamed, the same message with no block events."""
    client = sdk(server)
    message = client.messages.create(model=MODEL, max_tokens=0, messages=POEM,
                                     tools=[WEATHER_TOOL])  # type: ignore[list-item]
    assert message.content == [] and message.stop_reason == "max_tokens"
    assert message.usage.output_tokens == 0 and message.usage.input_tokens > 0
    with client.messages.stream(model=MODEL, max_tokens=0, messages=POEM) as stream:
        types = [event.type for event in stream]
        final = stream.get_final_message()
    assert types == ["message_start", "message_delta", "message_stop"]
    assert final.content == [] and final.stop_reason == "max_tokens"


def test_async_create_and_stream_agree(server: EmulatorServer) -> None:
    async def run() -> tuple[anthropic.types.Message, list[str], Any]:
        client = async_sdk(server)
        message = await client.messages.create(model=MODEL, max_tokens=40, messages=POEM,
                                               stop_sequences=["。"])
        async with client.messages.stream(model=MODEL, max_tokens=40, messages=POEM,
                                          stop_sequences=["。"]) as stream:
            pieces = [text async for text in stream.text_stream]
            final = await stream.get_final_message()
        await client.close()
        return message, pieces, final

    message, pieces, final = asyncio.run(run())
    assert message.stop_reason in ("max_tokens", "stop_sequence", "end_turn")
    assert "".join(pieces) == message.content[0].text
    # the accumulator adds `stop_details: None`, a field the wire never sent
    assert final.to_dict(exclude_none=True) == message.to_dict(exclude_none=True)


def test_raw_events_validate_in_order(server: EmulatorServer) -> None:
    client = sdk(server)
    events = list(client.messages.create(model=MODEL, max_tokens=1024, messages=POEM,
                                         stream=True))
    names = [event.type for event in events]
    deltas = names.count("content_block_delta")
    # the SDK drops `ping` events (the in-process tests check it on the wire)
    assert names == ["message_start", "content_block_start"] \
        + ["content_block_delta"] * deltas + ["content_block_stop", "message_delta",
                                              "message_stop"]
    for event in events:
        payload = event.to_dict()
        assert OUR_EVENT.is_valid(payload), list(OUR_EVENT.iter_errors(payload))
        assert REF_EVENT.is_valid(payload), list(REF_EVENT.iter_errors(payload))
    assert events[-2].usage.output_tokens == deltas  # cumulative: one token per delta


def test_tool_use_create_and_stream(server: EmulatorServer) -> None:
    client = sdk(server)
    request: dict[str, Any] = {"model": MODEL, "max_tokens": 512, "tools": [WEATHER_TOOL],
                               "messages": [{"role": "user",
                                             "content": "What's the weather in Beijing?"}]}
    message = client.messages.create(**request)
    assert message.stop_reason == "tool_use"
    block = message.content[0]
    assert block.type == "tool_use" and block.id.startswith("toolu_")
    Draft202012Validator(WEATHER_TOOL["input_schema"]).validate(block.input)
    with client.messages.stream(**request) as stream:
        kinds = [event.delta.type for event in stream if event.type == "content_block_delta"]
        final = stream.get_final_message()
    assert kinds and set(kinds) == {"input_json_delta"}
    # the accumulator adds `stop_details: None`, a field the wire never sent
    assert final.to_dict(exclude_none=True) == message.to_dict(exclude_none=True)
    follow_up = request | {"messages": request["messages"] + [
        {"role": "assistant", "content": [block.to_dict()]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": block.id,
                                      "content": "晴, 21°C"}]}]}
    answer = client.messages.create(**follow_up)
    assert answer.stop_reason == "end_turn" and "21°C" in answer.content[0].text


def test_max_tokens_cuts_a_tool_use_block_the_same_streamed_or_not(
        server: EmulatorServer) -> None:
    """A tool call past max_tokens stops mid-JSON with stop_reason max_tokens: the streamed
    input_json_delta pieces end in the middle, and the message's `input` is what the SDK
    reads from them (the keys completed so far)."""
    client = sdk(server)
    request: dict[str, Any] = {"model": MODEL, "max_tokens": 512, "tools": [WEATHER_TOOL],
                               "messages": [{"role": "user",
                                             "content": "What's the weather in Beijing?"}]}
    whole = client.messages.create(**request).content[0]
    assert whole.type == "tool_use"
    full_json = json.dumps(whole.input, ensure_ascii=False, separators=(",", ":"))
    for max_tokens in (2, 5, 8):
        cut = client.messages.create(**request | {"max_tokens": max_tokens})
        with client.messages.stream(**request | {"max_tokens": max_tokens}) as stream:
            pieces = [e.delta.partial_json for e in stream
                      if e.type == "content_block_delta" and e.delta.type == "input_json_delta"]
            final = stream.get_final_message()
        block = cut.content[0]
        assert cut.stop_reason == final.stop_reason == "max_tokens"
        assert cut.usage.output_tokens == max_tokens
        assert block.type == "tool_use" and block.id == whole.id
        assert full_json.startswith("".join(pieces)) and "".join(pieces) != full_json
        assert block.input == final.content[0].input  # type: ignore[union-attr]
        assert all(whole.input[key] == value for key, value in block.input.items())
    assert client.messages.create(**request | {"max_tokens": 200}).stop_reason == "tool_use"


@pytest.mark.parametrize(("kwargs", "field"), [
    # anthropic 2.x's create() has no `temperature` argument any more: send it as extra
    ({"extra_body": {"temperature": 1.5}}, "temperature"),
    ({"messages": [{"role": "user", "content": [
        {"type": "text", "text": "what is this"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                     "data": "%%%"}}]}]},
     "messages[0].content[1].source.data"),
])
def test_bad_request_error(server: EmulatorServer, kwargs: dict[str, Any], field: str) -> None:
    request = {"model": MODEL, "max_tokens": 64, "messages": POEM} | kwargs
    with pytest.raises(anthropic.BadRequestError) as caught:
        sdk(server).messages.create(**request)
    assert caught.value.status_code == 400
    assert caught.value.body["error"]["type"] == "invalid_request_error"  # type: ignore[index]
    assert field in caught.value.message


def test_missing_max_tokens_is_bad_request(server: EmulatorServer) -> None:
    # The SDK's signature requires max_tokens; the raw request shows the server's answer.
    with pytest.raises(anthropic.BadRequestError, match="max_tokens"):
        sdk(server).post("/v1/messages", cast_to=object,
                         body={"model": MODEL, "messages": POEM})


def test_missing_key_is_authentication_error(server: EmulatorServer) -> None:
    # With no key at all the SDK refuses to send; omitting both headers sends none.
    client = sdk(server, api_key=None, auth_token=None)
    no_key = {"X-Api-Key": anthropic.omit, "Authorization": anthropic.omit}
    with pytest.raises(anthropic.AuthenticationError) as caught:
        client.messages.create(model=MODEL, max_tokens=16, messages=POEM, extra_headers=no_key)
    assert caught.value.status_code == 401
    assert caught.value.body["error"]["type"] == "authentication_error"  # type: ignore[index]


def test_x_api_key_header(server: EmulatorServer) -> None:
    response = httpx.post(server.anthropic_base_url("xiaoai") + "/v1/messages",
                          headers={"X-Api-Key": KEY, "anthropic-version": "2023-06-01"},
                          json={"model": MODEL, "max_tokens": 16, "messages": POEM})
    assert response.status_code == 200
    assert response.json()["type"] == "message"
    assert response.headers["request-id"].startswith("req_")


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "connection closed before the response headers"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers["content-length"])
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed before the response body"
        rest += chunk
    return int(lines[0].split()[1]), headers, rest[:length]


def test_body_over_50mb_is_413_and_server_stays_up(server: EmulatorServer) -> None:
    url = urlsplit(server.anthropic_base_url("xiaoai"))
    with socket.create_connection((url.hostname, url.port), timeout=5) as sock:
        sock.sendall(
            f"POST {url.path}/v1/messages HTTP/1.1\r\nHost: {url.netloc}\r\n"
            f"Authorization: Bearer {KEY}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {50 * 1024 * 1024 + 1}\r\n\r\n".encode() + b'{"model":')
        status, _, payload = read_response(sock)
    assert status == 413
    assert json.loads(payload)["error"]["type"] == "request_too_large"
    message = sdk(server).messages.create(model=MODEL, max_tokens=16, messages=POEM)
    assert message.type == "message"


def test_models_list_and_retrieve_suit_the_anthropic_sdk(server: EmulatorServer) -> None:
    """xiaoai's model list is read by both SDKs: Anthropic's ModelInfo fields and paging
    (strict validation on), and the openai SDK's view of the same list."""
    client = sdk(server)
    catalogue = [m.id for m in server.app.profiles["xiaoai"].catalogue.models]
    first = client.models.list(limit=1)
    assert [m.id for m in first.data] == catalogue[:1] and first.has_more
    assert first.first_id == first.last_id == catalogue[0]
    assert [m.id for m in client.models.list(limit=1)] == catalogue  # auto-paging
    after = client.models.list(after_id=catalogue[0])
    assert [m.id for m in after.data] == catalogue[1:] and not after.has_more
    before = client.models.list(before_id=catalogue[-1])
    assert [m.id for m in before.data] == catalogue[:-1]
    info = client.models.retrieve(catalogue[0])
    assert info.type == "model" and info.lifecycle == "active"
    assert info.display_name == catalogue[0] and info.created_at.tzinfo is not None
    with pytest.raises(anthropic.BadRequestError):
        client.models.list(limit=0)
    openai_view = httpx.get(f"{server.base_url('xiaoai')}/models",
                            headers={"x-api-key": KEY}).json()
    assert [m["id"] for m in openai_view["data"]] == catalogue
    assert {"object", "created", "owned_by"} <= set(openai_view["data"][0])
