"""The real `openai` SDK against a real server for the text endpoints beyond chat:
embeddings (float and base64 decode to the same vectors), legacy completions and the
Responses API, plain and streamed; raw HTTP for qhaigc's rerank and aimodels' envelope.

Strict response validation is on where the SDK allows it. Two places it cannot be: the
SDK validates an embeddings body before its own post-parser decodes base64 strings, and
it types a streamed legacy completion chunk with the non-streaming `Completion` model
(whose `finish_reason` is required), while OpenAI streams `finish_reason: null` until the
last chunk (wire-formats.md 1.4).
"""

from __future__ import annotations

import asyncio
import json

import httpx
import openai
import pytest

from emulator import EmulatorServer
from emulator.generate.vectors import cosine

from ..conftest import AUTH, KEY


def sdk(server: EmulatorServer, slug: str = "apiyi", strict: bool = True) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url(slug), api_key=KEY, max_retries=0,
                         _strict_response_validation=strict)


@pytest.mark.parametrize(("slug", "model", "dims"), [
    ("apiyi", "text-embedding-ada-002", 1536), ("qhaigc", "text-embedding-3-large", 3072),
    ("xiaoai", "xiaoai-embed-v1", 1024), ("ruijing", "ruijing-embedding", 1536),
    ("ruijing", "ruijing-embedding-large", 3072)])
def test_embeddings_base64_and_float_decode_to_the_same_vectors(
        server: EmulatorServer, slug: str, model: str, dims: int) -> None:
    texts = ["a cat on the mat", "the cat sat on a mat", "quarterly revenue report"]
    # The SDK's default is base64, decoded by the SDK itself.
    as_base64 = sdk(server, slug, strict=False).embeddings.create(model=model, input=texts)
    as_float = sdk(server, slug).embeddings.create(model=model, input=texts,
                                                   encoding_format="float")
    assert [d.embedding for d in as_base64.data] == [d.embedding for d in as_float.data]
    vectors = [d.embedding for d in as_float.data]
    assert {len(v) for v in vectors} == {dims}
    assert cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2])
    assert as_float.usage.prompt_tokens == as_float.usage.total_tokens > 0
    assert as_float._request_id and as_float._request_id.startswith("req_")


def test_embeddings_dimensions_argument(server: EmulatorServer) -> None:
    result = sdk(server, "qhaigc", strict=False).embeddings.create(
        model="text-embedding-3-small", input="hello", dimensions=64)
    assert len(result.data[0].embedding) == 64


def test_completions_plain_and_streamed(server: EmulatorServer) -> None:
    request = {"model": "gpt-3.5-turbo-instruct", "prompt": "Write a tagline for a bakery",
               "max_tokens": 20, "n": 2, "stop": ["\n"]}
    completion = sdk(server).completions.create(**request)  # type: ignore[call-overload]
    assert completion.object == "text_completion" and len(completion.choices) == 2
    assert completion.usage is not None and completion.usage.completion_tokens > 0
    stream = sdk(server, strict=False).completions.create(
        **request, stream=True, stream_options={"include_usage": True})
    pieces: dict[int, str] = {0: "", 1: ""}
    finish: dict[int, str | None] = {}
    usage = None
    for chunk in stream:
        assert chunk.id == completion.id
        for choice in chunk.choices:
            pieces[choice.index] += choice.text
            finish[choice.index] = choice.finish_reason
        usage = chunk.usage or usage
    assert pieces == {c.index: c.text for c in completion.choices}
    assert finish == {c.index: c.finish_reason for c in completion.choices}
    assert usage == completion.usage


def test_completions_logprobs_in_the_legacy_shape(server: EmulatorServer) -> None:
    """tokens, token_logprobs, top_logprobs (`logprobs` likeliest, the sampled token among
    them) and text_offset counted in prompt + completion; streamed, one token a chunk."""
    prompt = "Once upon a time"
    request = {"model": "gpt-3.5-turbo-instruct", "prompt": prompt, "max_tokens": 12}
    plain = sdk(server).completions.create(**request)  # type: ignore[call-overload]
    reply = sdk(server).completions.create(**request, logprobs=2)  # type: ignore[call-overload]
    choice = reply.choices[0]
    assert plain.choices[0].logprobs is None and choice.text == plain.choices[0].text
    logprobs = choice.logprobs
    assert logprobs is not None and "".join(logprobs.tokens) == choice.text
    assert len(logprobs.tokens) == reply.usage.completion_tokens
    offsets = [len(prompt)]
    for token in logprobs.tokens[:-1]:
        offsets.append(offsets[-1] + len(token))
    assert logprobs.text_offset == offsets
    for token, logprob, top in zip(logprobs.tokens, logprobs.token_logprobs,
                                   logprobs.top_logprobs, strict=True):
        assert len(top) == 2 and top[token] == logprob == max(top.values())
    streamed = sdk(server, strict=False).completions.create(  # type: ignore[call-overload]
        **request, logprobs=2, stream=True)
    pieces = [c.choices[0].logprobs for c in streamed if c.choices[0].text]
    assert [p.tokens[0] for p in pieces] == logprobs.tokens
    assert [p.text_offset[0] for p in pieces] == logprobs.text_offset


def test_async_completions(server: EmulatorServer) -> None:
    async def run() -> str:
        client = openai.AsyncOpenAI(base_url=server.base_url("apiyi"), api_key=KEY,
                                    max_retries=0)
        stream = await client.completions.create(model="gpt-3.5-turbo-instruct",
                                                 prompt="Hi", max_tokens=5, stream=True)
        text = "".join([c.choices[0].text async for c in stream if c.choices])
        await client.close()
        return text

    plain = sdk(server).completions.create(model="gpt-3.5-turbo-instruct", prompt="Hi",
                                           max_tokens=5)
    assert asyncio.run(run()) == plain.choices[0].text


def test_responses_plain_streamed_and_stream_helper(server: EmulatorServer) -> None:
    client = sdk(server)
    request = {"model": "gpt-4o", "instructions": "Be brief.",
               "input": "What is a vector database?"}
    response = client.responses.create(**request)  # type: ignore[call-overload]
    assert response.status == "completed" and response.output_text
    assert response.usage is not None and response.usage.output_tokens > 0
    events = list(client.responses.create(**request, stream=True))
    assert events[0].type == "response.created" and events[-1].type == "response.completed"
    assert [e.sequence_number for e in events] == list(range(len(events)))
    deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert deltas == response.output_text
    assert events[-1].response.output_text == response.output_text  # type: ignore[union-attr]
    with client.responses.stream(**request) as stream:
        texts = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert "".join(texts) == final.output_text == response.output_text
    assert final.id == response.id


def test_responses_include_output_text_logprobs(server: EmulatorServer) -> None:
    """include=["message.output_text.logprobs"]: one entry per token of the same text as
    without it, `top_logprobs` alternatives each (the sampled token first), echoed in the
    Response; a stream's deltas carry their own token's entry. An unknown value is a 400."""
    client = sdk(server)
    request = {"model": "gpt-4o", "input": "Describe a harbour.", "store": False}
    plain = client.responses.create(**request)  # type: ignore[call-overload]
    response = client.responses.create(  # type: ignore[call-overload]
        **request, include=["message.output_text.logprobs"], top_logprobs=3)
    part = response.output[0].content[0]  # type: ignore[union-attr]
    assert response.output_text == plain.output_text and response.top_logprobs == 3
    assert plain.output[0].content[0].logprobs == []  # type: ignore[union-attr]
    assert "".join(e.token for e in part.logprobs) == part.text
    assert len(part.logprobs) == response.usage.output_tokens  # type: ignore[union-attr]
    for entry in part.logprobs:
        tops = entry.top_logprobs
        assert len(tops) == 3 and tops[0].token == entry.token
        assert tops[0].logprob == entry.logprob > tops[1].logprob > tops[2].logprob
        assert bytes(entry.bytes) == entry.token.encode()
    events = list(client.responses.create(  # type: ignore[call-overload]
        **request, include=["message.output_text.logprobs"], top_logprobs=3, stream=True))
    deltas = [e for e in events if e.type == "response.output_text.delta"]
    assert [e.logprobs[0].token for e in deltas] == [e.token for e in part.logprobs]
    assert [e.logprobs[0].logprob for e in deltas] == [e.logprob for e in part.logprobs]
    with pytest.raises(openai.BadRequestError) as refused:
        client.responses.create(**request, include=["message.output_text.bogus"])  # type: ignore[call-overload, list-item]
    assert refused.value.param is not None and refused.value.param.startswith("include")


def test_stored_responses_retrieve_list_delete_and_chain(server: EmulatorServer) -> None:
    """A response is kept (store defaults to true): retrieved as answered, its input items
    listed in cursor pages; previous_response_id must name a kept one (OpenAI's 400);
    a deleted or unstored one is a 404."""
    client = sdk(server)
    first = client.responses.create(model="gpt-4o", input=[
        {"role": "user", "content": "One"}, {"role": "user", "content": "Two"}])
    assert client.responses.retrieve(first.id) == first
    items = client.responses.input_items.list(first.id, limit=1)
    assert len(items.data) == 1 and items.has_more
    every = list(client.responses.input_items.list(first.id, limit=1))  # auto-paging
    assert [i.content[0].text for i in every] == ["Two", "One"]  # type: ignore[union-attr]
    ordered = client.responses.input_items.list(first.id, order="asc").data
    assert [i.id for i in ordered] == [i.id for i in reversed(every)]
    chained = client.responses.create(model="gpt-4o", input="And three?",
                                      previous_response_id=first.id)
    assert chained.previous_response_id == first.id
    # The earlier turns are read again: part of the follow-up's input tokens.
    alone = client.responses.create(model="gpt-4o", input="And three?", store=False)
    assert first.usage is not None and chained.usage is not None and alone.usage is not None
    assert chained.usage.input_tokens == (first.usage.input_tokens + first.usage.output_tokens
                                          + alone.usage.input_tokens)
    with pytest.raises(openai.BadRequestError) as unknown:
        client.responses.create(model="gpt-4o", input="x", previous_response_id="resp_0")
    assert unknown.value.param == "previous_response_id"
    client.responses.delete(first.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(first.id)
    with pytest.raises(openai.BadRequestError):
        client.responses.create(model="gpt-4o", input="x", previous_response_id=first.id)
    unkept = client.responses.create(model="gpt-4o", input="Forget me", store=False)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(unkept.id)
    server.state.reset()
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(chained.id)


def test_responses_function_call_round_trip(server: EmulatorServer) -> None:
    client = sdk(server)
    tools = [{"type": "function", "name": "get_weather", "description": "Weather in a city",
              "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                             "required": ["city"], "additionalProperties": False}}]
    first = client.responses.create(model="gpt-4o", input="Weather in Oslo?",
                                    tools=tools)  # type: ignore[arg-type]
    [call] = [item for item in first.output if item.type == "function_call"]
    assert isinstance(json.loads(call.arguments)["city"], str)
    with client.responses.stream(model="gpt-4o", input="Weather in Oslo?",
                                 tools=tools) as stream:  # type: ignore[arg-type]
        streamed = stream.get_final_response()
    assert streamed.output[0].arguments == call.arguments  # type: ignore[union-attr]
    second = client.responses.create(model="gpt-4o", tools=tools,  # type: ignore[arg-type]
                                     input=[{"role": "user", "content": "Weather in Oslo?"},
                                            call.to_dict(),  # type: ignore[list-item]
                                            {"type": "function_call_output",
                                             "call_id": call.call_id, "output": "-3°C"}])
    assert "-3°C" in second.output_text


def test_responses_max_output_tokens_cuts_a_function_call(server: EmulatorServer) -> None:
    client = sdk(server)
    fields = ("city", "country", "units", "date", "note")
    tools = [{"type": "function", "name": "get_weather", "description": "Weather in a city",
              "parameters": {"type": "object", "required": list(fields),
                             "properties": {f: {"type": "string"} for f in fields}}}]
    request = {"model": "gpt-4o", "input": "Weather in Oslo?", "tools": tools}
    [call] = client.responses.create(**request).output  # type: ignore[call-overload]
    cut = client.responses.create(**request, max_output_tokens=16)  # type: ignore[call-overload]
    [partial] = cut.output
    assert (cut.status, cut.incomplete_details.reason) == (  # type: ignore[union-attr]
        "incomplete", "max_output_tokens")
    assert (call.status, partial.status) == ("completed", "incomplete")  # type: ignore[union-attr]
    assert call.arguments.startswith(partial.arguments)  # type: ignore[union-attr]
    assert partial.arguments != call.arguments  # type: ignore[union-attr]
    assert cut.usage is not None and cut.usage.output_tokens == 16


def test_responses_json_mode_needs_the_word_in_the_input(server: EmulatorServer) -> None:
    client = sdk(server)
    json_mode = {"format": {"type": "json_object"}}
    with pytest.raises(openai.BadRequestError) as caught:  # instructions do not count
        client.responses.create(model="gpt-4o", instructions="Reply in JSON.",
                                input="Describe the sea", text=json_mode)  # type: ignore[arg-type]
    assert caught.value.param == "text.format"  # type: ignore[attr-defined]
    assert "must contain the word 'json'" in caught.value.message
    reply = client.responses.create(model="gpt-4o", input="Describe the sea as JSON",
                                    text=json_mode)  # type: ignore[arg-type]
    assert isinstance(json.loads(reply.output_text), dict)


def test_responses_strict_schemas_follow_the_strict_rules(server: EmulatorServer) -> None:
    client = sdk(server)
    loose = {"type": "object", "properties": {"city": {"type": "string"}}}
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model="gpt-4o", input="Weather in Oslo?", text={
            "format": {"type": "json_schema", "name": "place", "strict": True,
                       "schema": loose}})  # type: ignore[typeddict-item]
    assert caught.value.code == "invalid_json_schema"  # type: ignore[attr-defined]
    assert caught.value.body["message"] == (  # type: ignore[index]
        "Invalid schema for response_format 'place': In context=(), 'additionalProperties' "
        "is required to be supplied and to be false.")
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model="gpt-4o", input="Weather in Oslo?", tools=[{
            "type": "function", "name": "get_weather", "strict": True,
            "parameters": dict(loose, additionalProperties=False)}])  # type: ignore[list-item]
    assert caught.value.param == "tools[0].parameters"  # type: ignore[attr-defined]
    assert "Missing 'city'" in caught.value.message
    # Without `strict: true` the same schema is used as it is.
    reply = client.responses.create(model="gpt-4o", input="Weather in Oslo?", tools=[{
        "type": "function", "name": "get_weather", "parameters": loose}])  # type: ignore[list-item]
    assert reply.output[0].type == "function_call"


def test_rerank_over_raw_http(server: EmulatorServer) -> None:
    response = httpx.post(server.base_url("qhaigc") + "/rerank", headers=AUTH, json={
        "model": "bge-reranker-v2-m3", "query": "reset my password", "top_n": 2,
        "documents": ["Lunch menu for Friday", "How to reset a password",
                      "Password policy and reset steps", "Parking rules"]})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    results = response.json()["results"]
    assert sorted(r["index"] for r in results) == [1, 2]
    assert results[0]["relevance_score"] >= results[1]["relevance_score"]


def test_aimodels_code_completion_envelope_over_raw_http(server: EmulatorServer) -> None:
    response = httpx.post(server.base_url("aimodels") + "/code/completions", headers=AUTH,
                          json={"model": "codellama-70b", "prompt": "def factorial(n):",
                                "language": "python", "max_tokens": 200})
    assert response.status_code == 200
    envelope = response.json()
    assert set(envelope) == {"success", "data", "message", "timestamp"}
    assert envelope["success"] is True
    compile("def factorial(n):" + envelope["data"]["choices"][0]["text"], "<code>", "exec")
    refused = httpx.post(server.base_url("aimodels") + "/code/completions",
                         headers={"Authorization": "Bearer"}, json={})
    assert refused.status_code == 401
    assert refused.json()["success"] is False
    assert refused.json()["error"]["code"] == "invalid_api_key"


def test_apiyi_files_via_the_sdk_is_an_apiyi_error(server: EmulatorServer) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        sdk(server).files.create(file=("train.jsonl", b"{}\n"), purpose="fine-tune")
    assert caught.value.code == "unsupported_endpoint"
    with pytest.raises(openai.NotFoundError):
        sdk(server).fine_tuning.jobs.list()
