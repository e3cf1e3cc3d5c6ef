"""The real `openai` SDK against a real server: sync, async, streaming, errors."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import openai
import pytest

from emulator import EmulatorServer

from ..conftest import AUTH, KEY

OPENAI_STYLE = {"qhaigc": "gpt-4o", "apiyi": "gpt-4o", "xiaoai": "xiaoai-chat-v1",
                "ruijing": "ruijing-gpt-2.0"}
QUESTION = [{"role": "user", "content": "Explain tides briefly"}]


def sdk(server: EmulatorServer, slug: str, **kwargs: object) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url(slug), api_key=KEY, max_retries=0,
                         _strict_response_validation=True, **kwargs)


@pytest.mark.parametrize("slug", list(OPENAI_STYLE))
def test_sync_create_and_stream_agree(server: EmulatorServer, slug: str) -> None:
    client = sdk(server, slug)
    reply = client.chat.completions.create(model=OPENAI_STYLE[slug], messages=QUESTION)
    assert reply.choices[0].finish_reason == "stop"
    assert reply.id.startswith(server.app.profiles[slug].id_prefix("chat"))
    assert reply._request_id and reply._request_id.startswith("req_")
    stream = client.chat.completions.create(model=OPENAI_STYLE[slug], messages=QUESTION,
                                            stream=True, stream_options={"include_usage": True})
    pieces, usage = [], None
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        if chunk.usage:
            usage = chunk.usage
    assert "".join(pieces) == reply.choices[0].message.content
    assert usage == reply.usage


@pytest.mark.parametrize("slug", list(OPENAI_STYLE))
def test_logprobs_cover_every_token_of_the_same_answer(server: EmulatorServer,
                                                        slug: str) -> None:
    """`logprobs` adds probabilities to the answer the request gets without it: one entry
    per completion token, the sampled token first among its `top_logprobs`, the rest less
    likely; streamed, each content chunk carries its own token's entry."""
    client = sdk(server, slug)
    model = OPENAI_STYLE[slug]
    plain = client.chat.completions.create(model=model, messages=QUESTION, n=2)
    reply = client.chat.completions.create(model=model, messages=QUESTION, n=2,
                                           logprobs=True, top_logprobs=3)
    assert plain.choices[0].logprobs is None
    assert reply == client.chat.completions.create(model=model, messages=QUESTION, n=2,
                                                   logprobs=True, top_logprobs=3)
    for before, choice in zip(plain.choices, reply.choices, strict=True):
        assert choice.message.content == before.message.content
        assert choice.logprobs is not None and choice.logprobs.content is not None
        tokens = choice.logprobs.content
        assert "".join(t.token for t in tokens) == choice.message.content
        for token in tokens:
            assert token.bytes == list(token.token.encode()) and token.logprob <= 0
            top = token.top_logprobs
            assert len(top) == 3 and top[0].token == token.token
            assert top[0].logprob == token.logprob > top[1].logprob > top[2].logprob
            assert len({t.token for t in top}) == 3
    assert len(reply.choices[0].logprobs.content) == \
        reply.usage.completion_tokens - len(reply.choices[1].logprobs.content)
    assert reply.choices[0].logprobs.content != reply.choices[1].logprobs.content
    streamed = []
    for chunk in client.chat.completions.create(model=model, messages=QUESTION, stream=True,
                                                logprobs=True, top_logprobs=3):
        choice = chunk.choices[0]
        if choice.delta.content:
            assert choice.logprobs is not None and choice.logprobs.content is not None
            [entry] = choice.logprobs.content
            assert entry.token == choice.delta.content
            streamed.append(entry)
    assert streamed == reply.choices[0].logprobs.content


@pytest.mark.parametrize("slug", list(OPENAI_STYLE))
def test_async_client_creates_and_streams(server: EmulatorServer, slug: str) -> None:
    async def run() -> tuple[str, str]:
        async with openai.AsyncOpenAI(base_url=server.base_url(slug), api_key=KEY,
                                      max_retries=0) as client:
            reply = await client.chat.completions.create(model=OPENAI_STYLE[slug],
                                                         messages=QUESTION)
            stream = await client.chat.completions.create(model=OPENAI_STYLE[slug],
                                                          messages=QUESTION, stream=True)
            text = "".join([c.choices[0].delta.content or "" async for c in stream])
            return reply.choices[0].message.content or "", text

    plain, streamed = asyncio.run(run())
    assert plain and plain == streamed


def test_stream_helper_accumulates_tool_calls(server: EmulatorServer) -> None:
    tool = {"type": "function", "function": {
        "name": "search_docs", "description": "Search the documentation",
        "parameters": {"type": "object", "required": ["query"],
                       "properties": {"query": {"type": "string"}}}}}
    client = sdk(server, "apiyi")
    with client.chat.completions.stream(
            model="gpt-4o", tools=[tool],
            messages=[{"role": "user", "content": "search the docs for retries"}]) as stream:
        final = stream.get_final_completion()
    call = final.choices[0].message.tool_calls[0]
    assert call.function.name == "search_docs"
    assert "retries" in call.function.arguments
    assert final.choices[0].finish_reason == "tool_calls"


def test_parse_with_a_pydantic_model(server: EmulatorServer) -> None:
    from pydantic import BaseModel

    class Answer(BaseModel):
        city: str
        population: int

    completion = sdk(server, "apiyi").chat.completions.parse(
        model="gpt-4o", messages=[{"role": "user", "content": "Largest city of Japan?"}],
        response_format=Answer)
    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, Answer)


def test_models_list_pages_through_the_catalogue(server: EmulatorServer) -> None:
    ids = [m.id for m in sdk(server, "ruijing").models.list()]
    assert "ruijing-gpt-2.0" in ids and "ruijing-embedding-large" in ids


@pytest.mark.parametrize(("slug", "code"), [("apiyi", "invalid_api_key"),
                                            ("qhaigc", "invalid_api_key"),
                                            ("ruijing", None), ("xiaoai", None)])
def test_malformed_key_is_an_authentication_error(server: EmulatorServer, slug: str,
                                                  code: str | None) -> None:
    # The SDK refuses to send no key at all; a key with a space in it is malformed.
    client = openai.OpenAI(base_url=server.base_url(slug), api_key="not a key", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(model=OPENAI_STYLE[slug], messages=QUESTION)
    assert caught.value.status_code == 401
    assert caught.value.code == code
    assert caught.value.type in ("invalid_request_error", "authentication_error")


@pytest.mark.parametrize("slug", ["apiyi", "ruijing"])
def test_unknown_model_is_a_not_found_error(server: EmulatorServer, slug: str) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        sdk(server, slug).chat.completions.create(model="gpt-99", messages=QUESTION)
    assert "gpt-99" in str(caught.value)


@pytest.mark.parametrize("slug", list(OPENAI_STYLE))
def test_bad_parameter_is_a_bad_request_error(server: EmulatorServer, slug: str) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        sdk(server, slug).chat.completions.create(model=OPENAI_STYLE[slug], messages=QUESTION,
                                                  temperature=9)
    assert "temperature" in caught.value.message


def test_aimodels_envelope_over_raw_http(server: EmulatorServer) -> None:
    response = httpx.post(f"{server.base_url('aimodels')}/chat/completions", headers=AUTH,
                          json={"model": "gpt-4-turbo", "messages": QUESTION})
    body = response.json()
    assert response.status_code == 200
    assert body["success"] is True and body["message"] == "操作成功"
    assert body["timestamp"] == "2024-01-15T10:30:00Z"
    assert body["data"]["choices"][0]["message"]["content"]
    bad = httpx.post(f"{server.base_url('aimodels')}/chat/completions",
                     headers={"Authorization": "Bearer bad key!"}, json={})
    assert bad.status_code == 401
    assert bad.json() == {"success": False, "timestamp": "2024-01-15T10:30:00Z", "error": {
        "code": "invalid_api_key", "message": "API密鑰無效或已過期",
        "type": "authentication_error"}}


WEATHER = {"name": "get_weather", "description": "Get the weather for a city",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                          "required": ["city"]}}
WEATHER_QUESTION = [{"role": "user", "content": "What is the weather in Paris?"}]


@pytest.mark.parametrize("slug", list(OPENAI_STYLE))
def test_deprecated_functions_answer_with_one_function_call(server: EmulatorServer,
                                                             slug: str) -> None:
    """`functions` + `function_call` (deprecated, still in the reference): the answer is
    `message.function_call`, finish_reason `function_call`, streamed as function_call
    deltas; `function_call: "none"` answers in text."""
    client = sdk(server, slug)
    model = OPENAI_STYLE[slug]
    asked = {"model": model, "messages": WEATHER_QUESTION, "functions": [WEATHER]}
    for choice in ("auto", {"name": "get_weather"}):
        reply = client.chat.completions.create(**asked, function_call=choice)
        message = reply.choices[0].message
        assert reply.choices[0].finish_reason == "function_call"
        assert message.tool_calls is None and message.content is None
        assert message.function_call is not None
        assert message.function_call.name == "get_weather"
        assert "city" in json.loads(message.function_call.arguments)
    name, arguments = "", ""
    for chunk in client.chat.completions.create(**asked, stream=True):
        delta = chunk.choices[0].delta
        assert delta.tool_calls is None
        if delta.function_call is not None:
            name += delta.function_call.name or ""
            arguments += delta.function_call.arguments or ""
        finish = chunk.choices[0].finish_reason or None
    assert finish == "function_call"
    assert (name, arguments) == (message.function_call.name, message.function_call.arguments)
    plain = client.chat.completions.create(**asked, function_call="none")
    assert plain.choices[0].finish_reason == "stop" and plain.choices[0].message.content
    assert plain.choices[0].message.function_call is None


def test_deepseek_r1_thinks_first_in_reasoning_content(server: EmulatorServer) -> None:
    """A reasoning model's answer carries `message.reasoning_content` (DeepSeek's field,
    as the gateways relay it), streamed as `delta.reasoning_content` before the answer;
    its tokens count as completion tokens and spend the same `max_tokens`."""
    client = sdk(server, "apiyi")
    reply = client.chat.completions.create(model="deepseek-r1", messages=QUESTION)
    message = reply.choices[0].message
    thought = (message.model_extra or {})["reasoning_content"]
    assert thought and message.content and reply.choices[0].finish_reason == "stop"
    usage = reply.usage
    assert usage is not None and usage.completion_tokens_details is not None
    reasoning_tokens = usage.completion_tokens_details.reasoning_tokens or 0
    assert 0 < reasoning_tokens < usage.completion_tokens
    chunks = list(client.chat.completions.create(
        model="deepseek-r1", messages=QUESTION, stream=True,
        stream_options={"include_usage": True}))
    deltas = [c.choices[0].delta for c in chunks if c.choices]
    streamed_thought = "".join((d.model_extra or {}).get("reasoning_content") or ""
                               for d in deltas)
    first_content = next(i for i, d in enumerate(deltas) if d.content)
    assert all(not (d.model_extra or {}).get("reasoning_content")
               for d in deltas[first_content:])  # the thought comes first, whole
    assert streamed_thought == thought
    assert "".join(d.content or "" for d in deltas) == message.content
    assert chunks[-1].usage == usage
    # DeepSeek's own loop reads both attributes of every delta (one of them null).
    thought_read, answer_read = "", ""
    for chunk in client.chat.completions.create(model="deepseek-r1", messages=QUESTION,
                                                stream=True):
        delta: Any = chunk.choices[0].delta
        if delta.reasoning_content:
            thought_read += delta.reasoning_content
        else:
            answer_read += delta.content or ""
    assert (thought_read, answer_read) == (thought, message.content)
    cut = client.chat.completions.create(model="deepseek-r1", messages=QUESTION,
                                         max_tokens=5)
    assert (cut.choices[0].message.content, cut.choices[0].finish_reason) == ("", "length")
    assert thought.startswith((cut.choices[0].message.model_extra or {})["reasoning_content"])
    plain = client.chat.completions.create(model="deepseek-v3", messages=QUESTION)
    assert "reasoning_content" not in (plain.choices[0].message.model_extra or {})


def test_the_sdks_parse_helpers_get_valid_recursive_models(server: EmulatorServer) -> None:
    """`chat.completions.parse`, `responses.parse` and `pydantic_function_tool` send the
    SDK's strict schemas (all required, $defs, Optional as anyOf null); a model that holds
    itself must still come back whole."""
    from enum import StrEnum

    from pydantic import BaseModel

    class Color(StrEnum):
        red = "red"
        blue = "blue"

    class Address(BaseModel):
        street: str
        city: str

    class Person(BaseModel):
        name: str
        email: str | None
        favorite: Color
        addresses: list[Address]
        boss: Person | None = None

    client = sdk(server, "apiyi")
    for i in range(4):
        ask = [{"role": "user", "content": f"Describe person {i}"}]
        chat = client.chat.completions.parse(model="gpt-4o", messages=ask,  # type: ignore[arg-type]
                                             response_format=Person)
        assert isinstance(chat.choices[0].message.parsed, Person)
        reply = client.responses.parse(model="gpt-4o", input=ask[0]["content"],
                                       text_format=Person)
        assert isinstance(reply.output_parsed, Person)
    called = client.chat.completions.parse(
        model="gpt-4o", messages=[{"role": "user", "content": "Add a person"}],
        tools=[openai.pydantic_function_tool(Person)], tool_choice="required")
    [call] = called.choices[0].message.tool_calls or []
    assert isinstance(call.function.parsed_arguments, Person)
