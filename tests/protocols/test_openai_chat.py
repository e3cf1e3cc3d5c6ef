"""OpenAI chat completions on every provider, in-process: shapes, limits, tools, formats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from starlette.testclient import TestClient

from emulator.generate.tokens import count_tokens, split_tokens
from emulator.providers import PROFILES

from ..conftest import AUTH, REFERENCE, SCHEMAS

CHAT_MODEL = {"qhaigc": "gpt-4o", "apiyi": "gpt-4o", "xiaoai": "xiaoai-chat-v1",
              "ruijing": "ruijing-gpt-2.0", "aimodels": "gpt-4-turbo"}


def validator(path: Path) -> Draft202012Validator:
    return Draft202012Validator(json.loads(path.read_text()))


def chat(client: TestClient, slug: str, **body: Any) -> Any:
    body.setdefault("model", CHAT_MODEL[slug])
    body.setdefault("messages", [{"role": "user", "content": "Tell me about the sea"}])
    return client.post(f"/{slug}/v1/chat/completions", headers=AUTH, json=body)


def unwrap(slug: str, body: Any) -> Any:
    return body["data"] if PROFILES[slug].success_style == "aimodels" else body


def sse_payloads(text: str) -> list[str]:
    return [line[6:] for line in text.split("\n\n") if line.startswith("data: ")]


@pytest.mark.parametrize("slug", list(PROFILES))
def test_chat_completion_validates_against_provider_and_reference_schema(
        client: TestClient, slug: str) -> None:
    response = chat(client, slug)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    validator(SCHEMAS / slug / "openai.chat_completions.response.json").validate(body)
    reference = validator(REFERENCE / "openai" / "CreateChatCompletionResponse.json")
    reference.validate(unwrap(slug, body))


@pytest.mark.parametrize("slug", list(PROFILES))
def test_stream_chunks_validate_and_rebuild_the_same_text(client: TestClient, slug: str) -> None:
    plain = unwrap(slug, chat(client, slug).json())
    response = chat(client, slug, stream=True, stream_options={"include_usage": True})
    assert response.headers["content-type"] == "text/event-stream"
    payloads = sse_payloads(response.text)
    assert payloads[-1] == "[DONE]"
    chunks = [json.loads(p) for p in payloads[:-1]]
    own = validator(SCHEMAS / slug / "openai.chat_completions.stream.json")
    reference = validator(REFERENCE / "openai" / "CreateChatCompletionStreamResponse.json")
    for chunk in chunks:
        own.validate(chunk)
        reference.validate(chunk)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert all("role" not in c["choices"][0]["delta"] for c in chunks[1:-1])
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == plain["usage"]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks[:-1])
    assert text == plain["choices"][0]["message"]["content"]
    assert {c["id"] for c in chunks} == {plain["id"]}


def test_usage_is_consistent_with_the_text(client: TestClient) -> None:
    body = chat(client, "apiyi").json()
    content = body["choices"][0]["message"]["content"]
    assert body["usage"]["completion_tokens"] == count_tokens(content)
    assert body["usage"]["total_tokens"] == (body["usage"]["prompt_tokens"]
                                             + body["usage"]["completion_tokens"])


def test_stream_without_include_usage_has_no_usage_chunk(client: TestClient) -> None:
    chunks = [json.loads(p) for p in sse_payloads(chat(client, "apiyi", stream=True).text)[:-1]]
    assert all(c["choices"] for c in chunks)
    assert all("usage" not in c for c in chunks)


def test_max_tokens_cuts_the_answer_with_finish_reason_length(client: TestClient) -> None:
    full = chat(client, "apiyi").json()["choices"][0]["message"]["content"]
    body = chat(client, "apiyi", max_tokens=3).json()
    choice = body["choices"][0]
    assert choice["finish_reason"] == "length"
    assert split_tokens(choice["message"]["content"]) == split_tokens(full)[:3]
    assert body["usage"]["completion_tokens"] == 3


def test_stop_sequence_truncates_before_it(client: TestClient) -> None:
    full = chat(client, "apiyi").json()["choices"][0]["message"]["content"]
    word = full.split()[3]
    body = chat(client, "apiyi", stop=[word]).json()
    content = body["choices"][0]["message"]["content"]
    assert word not in content
    assert full.startswith(content)
    assert body["choices"][0]["finish_reason"] == "stop"


def test_n_gives_that_many_distinct_choices(client: TestClient) -> None:
    body = chat(client, "apiyi", n=3).json()
    assert [c["index"] for c in body["choices"]] == [0, 1, 2]
    assert len({c["message"]["content"] for c in body["choices"]}) == 3
    total = sum(count_tokens(c["message"]["content"]) for c in body["choices"])
    assert body["usage"]["completion_tokens"] == total


def test_chinese_prompt_gets_chinese_text(client: TestClient) -> None:
    body = chat(client, "ruijing", messages=[{"role": "user", "content": "讲个故事"}]).json()
    content = body["choices"][0]["message"]["content"]
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in content) > len(content) // 2


WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Get the current weather for a city",
    "parameters": {"type": "object", "required": ["city", "unit"], "properties": {
        "city": {"type": "string"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer", "minimum": 1, "maximum": 7}}}}}
STOCKS = {"type": "function", "function": {
    "name": "get_stock_price", "description": "Look up a stock price by ticker symbol",
    "parameters": {"type": "object", "required": ["ticker"],
                   "properties": {"ticker": {"type": "string", "maxLength": 5}}}}}


def test_required_tool_choice_gives_arguments_valid_against_the_schema(
        client: TestClient) -> None:
    body = chat(client, "apiyi", tools=[WEATHER], tool_choice="required",
                messages=[{"role": "user", "content": "Weather in Paris?"}]).json()
    choice = body["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    call = choice["message"]["tool_calls"][0]
    assert call["id"].startswith("call_") and call["type"] == "function"
    arguments = json.loads(call["function"]["arguments"])
    Draft202012Validator(WEATHER["function"]["parameters"]).validate(arguments)
    assert arguments["city"] == "Paris"


def test_named_tool_choice_calls_that_tool(client: TestClient) -> None:
    body = chat(client, "apiyi", tools=[WEATHER, STOCKS],
                tool_choice={"type": "function", "function": {"name": "get_stock_price"}}).json()
    calls = body["choices"][0]["message"]["tool_calls"]
    assert [c["function"]["name"] for c in calls] == ["get_stock_price"]
    Draft202012Validator(STOCKS["function"]["parameters"]).validate(
        json.loads(calls[0]["function"]["arguments"]))


def test_auto_calls_every_fitting_tool_in_parallel_unless_disabled(client: TestClient) -> None:
    question = [{"role": "user", "content": "What is the weather in Paris and the stock price "
                 "of ACME?"}]
    both = chat(client, "apiyi", tools=[WEATHER, STOCKS], messages=question).json()
    names = [c["function"]["name"] for c in both["choices"][0]["message"]["tool_calls"]]
    assert sorted(names) == ["get_stock_price", "get_weather"]
    one = chat(client, "apiyi", tools=[WEATHER, STOCKS], messages=question,
               parallel_tool_calls=False).json()
    assert len(one["choices"][0]["message"]["tool_calls"]) == 1


@pytest.mark.parametrize("slug", list(PROFILES))
@pytest.mark.parametrize(("field", "value"), [
    ("tool_choice", "auto"), ("tool_choice", "required"),
    ("tool_choice", {"type": "function", "function": {"name": "get_weather"}}),
    ("parallel_tool_calls", False),
])
def test_tool_settings_without_tools_are_openais_400(client: TestClient, slug: str,
                                                     field: str, value: Any) -> None:
    refused = chat(client, slug, **{field: value})
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["message"] == (f"Invalid value for '{field}': '{field}' is only allowed "
                                "when 'tools' are specified.")
    if "param" in error:
        assert error["param"] == field
    # With tools they are fine, and "none" asks for no tool at all.
    assert chat(client, slug, tools=[WEATHER], **{field: value}).status_code == 200
    assert chat(client, slug, tool_choice="none").status_code == 200


def test_logprobs_of_a_tool_call_have_no_content_tokens(client: TestClient) -> None:
    body = chat(client, "apiyi", tools=[WEATHER], tool_choice="required", logprobs=True,
                messages=[{"role": "user", "content": "Weather in Paris?"}]).json()
    choice = body["choices"][0]
    assert choice["message"]["tool_calls"]
    assert choice["logprobs"] == {"content": None, "refusal": None}
    validator(SCHEMAS / "apiyi" / "openai.chat_completions.response.json").validate(body)


@pytest.mark.parametrize("stream", [False, True])
def test_max_tokens_cuts_a_tool_call_mid_arguments(client: TestClient, stream: bool) -> None:
    """As OpenAI's model does: the arguments end where the tokens ran out (not valid
    JSON), finish_reason is "length", and usage counts exactly max_tokens."""
    ask = {"tools": [WEATHER], "tool_choice": "required",
           "messages": [{"role": "user", "content": "Weather in Paris?"}]}
    whole = chat(client, "apiyi", **ask).json()["choices"][0]["message"]["tool_calls"][0]
    options = {"stream": True, "stream_options": {"include_usage": True}} if stream else {}
    cut = chat(client, "apiyi", max_tokens=6, **ask, **options)
    if stream:
        chunks = [json.loads(p) for p in sse_payloads(cut.text) if p != "[DONE]"]
        arguments = "".join(d["function"].get("arguments", "") for c in chunks
                            for ch in c["choices"] for d in ch["delta"].get("tool_calls", []))
        finish = next(ch["finish_reason"] for c in chunks for ch in c["choices"]
                      if ch["finish_reason"])
        usage = chunks[-1]["usage"]
    else:
        choice = cut.json()["choices"][0]
        arguments = choice["message"]["tool_calls"][0]["function"]["arguments"]
        finish, usage = choice["finish_reason"], cut.json()["usage"]
    assert finish == "length" and usage["completion_tokens"] == 6
    assert whole["function"]["arguments"].startswith(arguments)
    assert len(arguments) < len(whole["function"]["arguments"])
    assert count_tokens("get_weather") + count_tokens(arguments) == 6


def test_auto_answers_with_text_after_a_tool_result(client: TestClient) -> None:
    first = chat(client, "apiyi", tools=[WEATHER],
                 messages=[{"role": "user", "content": "Weather in Paris?"}]).json()
    call = first["choices"][0]["message"]["tool_calls"][0]
    messages = [{"role": "user", "content": "Weather in Paris?"},
                {"role": "assistant", "content": None, "tool_calls": [call]},
                {"role": "tool", "tool_call_id": call["id"], "content": "22 degrees, sunny"}]
    final = chat(client, "apiyi", tools=[WEATHER], messages=messages).json()
    choice = final["choices"][0]
    assert choice["finish_reason"] == "stop"
    assert "22 degrees, sunny" in choice["message"]["content"]


def test_auto_with_an_unrelated_question_answers_with_text(client: TestClient) -> None:
    body = chat(client, "apiyi", tools=[STOCKS],
                messages=[{"role": "user", "content": "Write a poem about rivers"}]).json()
    assert body["choices"][0]["finish_reason"] == "stop"


def test_streamed_tool_calls_reassemble_by_index(client: TestClient) -> None:
    request = {"tools": [WEATHER, STOCKS], "messages": [
        {"role": "user", "content": "weather in Paris and stock price of ACME"}]}
    plain = chat(client, "apiyi", **request).json()["choices"][0]["message"]["tool_calls"]
    chunks = [json.loads(p) for p in
              sse_payloads(chat(client, "apiyi", stream=True, **request).text)[:-1]]
    calls: dict[int, dict[str, str]] = {}
    for chunk in chunks:
        for part in chunk["choices"][0]["delta"].get("tool_calls") or []:
            entry = calls.setdefault(part["index"], {"id": "", "name": "", "arguments": ""})
            entry["id"] += part.get("id", "")
            entry["name"] += part.get("function", {}).get("name", "")
            entry["arguments"] += part.get("function", {}).get("arguments", "")
    assert [calls[i] for i in sorted(calls)] == [
        {"id": c["id"], "name": c["function"]["name"], "arguments": c["function"]["arguments"]}
        for c in plain]
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_json_object_response_format_parses(client: TestClient) -> None:
    body = chat(client, "apiyi", response_format={"type": "json_object"}, messages=[
        {"role": "system", "content": "Answer in Json."},
        {"role": "user", "content": [{"type": "text", "text": "Tell me about the sea"}]}]).json()
    assert isinstance(json.loads(body["choices"][0]["message"]["content"]), dict)


def test_json_object_without_the_word_json_is_a_400(client: TestClient) -> None:
    reply = chat(client, "apiyi", response_format={"type": "json_object"})
    assert reply.status_code == 400
    assert reply.json()["error"] == {
        "message": "'messages' must contain the word 'json' in some form, to use "
                   "'response_format' of type 'json_object'.",
        "type": "invalid_request_error", "param": "messages", "code": "invalid_request_error"}


LOOSE = {"type": "object", "properties": {"city": {"type": "string"},
                                          "days": {"type": "integer"}},
         "required": ["city"], "additionalProperties": False}


@pytest.mark.parametrize(("schema", "problem"), [
    ({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
     "In context=(), 'additionalProperties' is required to be supplied and to be false."),
    (LOOSE, "In context=(), 'required' is required to be supplied and to be an array "
            "including every key in properties. Missing 'days'."),
    ({"type": "object", "additionalProperties": False, "required": ["meta"], "properties": {
        "meta": {"type": "object"}}},
     "In context=('properties', 'meta'), 'additionalProperties' is required to be supplied "
     "and to be false."),
    ({"type": "array", "items": {"type": "string"}},
     "schema must be a JSON Schema of 'type: \"object\"', got 'type: \"array\"'."),
])
def test_a_strict_schema_that_breaks_the_rules_is_a_400(client: TestClient, schema: Any,
                                                       problem: str) -> None:
    reply = chat(client, "apiyi", response_format={"type": "json_schema", "json_schema": {
        "name": "forecast", "strict": True, "schema": schema}})
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["message"] == f"Invalid schema for response_format 'forecast': {problem}"
    assert (error["param"], error["code"]) == ("response_format", "invalid_json_schema")
    tool = {"type": "function", "function": {"name": "forecast", "strict": True,
                                             "parameters": schema}}
    reply = chat(client, "apiyi", tools=[{"type": "function", "function": {
        "name": "other", "parameters": LOOSE}}, tool])  # the first is not strict: not checked
    error = reply.json()["error"]
    assert error["message"] == f"Invalid schema for function 'forecast': {problem}"
    assert (error["param"], error["code"]) == ("tools[1].function.parameters",
                                               "invalid_function_parameters")


@pytest.mark.parametrize(("schema", "problem"), [
    # Only names count as listed: anything else in `required` names no property.
    ({"type": "object", "additionalProperties": False, "properties": {"a": {}},
      "required": [{"x": 1}, ["a"], 5]},
     "In context=(), 'required' is required to be supplied and to be an array including "
     "every key in properties. Missing 'a'."),
    ({"type": 5}, "schema must be a JSON Schema of 'type: \"object\"', got 'type: \"5\"'."),
    ({"type": "object", "additionalProperties": False, "required": ["a"], "properties": {
        "a": {"oneOf": [{"type": "string"}, {"type": "object"}]}}},
     "In context=('properties', 'a', 'oneOf', '1'), 'additionalProperties' is required to "
     "be supplied and to be false."),
    ({"type": "object", "additionalProperties": False, "required": ["a"], "properties": {
        "a": {"type": "array", "items": [{"type": "object", "properties": {}}]}}},
     "In context=('properties', 'a', 'items', '0'), 'additionalProperties' is required to "
     "be supplied and to be false."),
])
def test_odd_strict_schemas_are_worded_not_crashed_on(client: TestClient, schema: Any,
                                                      problem: str) -> None:
    reply = chat(client, "apiyi", response_format={"type": "json_schema", "json_schema": {
        "name": "odd", "strict": True, "schema": schema}})
    assert reply.status_code == 400, reply.text
    assert reply.json()["error"]["message"] == f"Invalid schema for response_format 'odd': " \
        f"{problem}"


def test_a_strict_schema_that_keeps_the_rules_is_answered(client: TestClient) -> None:
    schema = {"type": "object", "additionalProperties": False, "required": ["city", "days"],
              "properties": {"city": {"type": "string"}, "days": {"anyOf": [
                  {"type": "integer"}, {"type": "null"}]}}}
    reply = chat(client, "apiyi", response_format={"type": "json_schema", "json_schema": {
        "name": "forecast", "strict": True, "schema": schema}})
    assert reply.status_code == 200
    Draft202012Validator(schema).validate(
        json.loads(reply.json()["choices"][0]["message"]["content"]))


def test_json_schema_response_format_validates(client: TestClient) -> None:
    schema = {"type": "object", "required": ["title", "score", "tags"],
              "additionalProperties": False, "properties": {
                  "title": {"type": "string"}, "score": {"type": "number", "minimum": 0,
                                                         "maximum": 1},
                  "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2}}}
    body = chat(client, "apiyi", response_format={
        "type": "json_schema", "json_schema": {"name": "review", "schema": schema}}).json()
    Draft202012Validator(schema).validate(json.loads(body["choices"][0]["message"]["content"]))


def test_context_window_overflow_is_a_400_on_ruijing(client: TestClient) -> None:
    long_prompt = "word " * 9000  # ruijing-gpt-lite has an 8K context
    response = chat(client, "ruijing", model="ruijing-gpt-lite",
                    messages=[{"role": "user", "content": long_prompt}])
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert "context length" in response.json()["error"]["message"]


@pytest.mark.parametrize("slug", list(CHAT_MODEL))
def test_sampling_parameters_may_be_null(client: TestClient, slug: str) -> None:
    # The reference types these as number-or-null: clients send explicit nulls.
    nulls = dict.fromkeys(("temperature", "top_p", "n", "presence_penalty",
                           "frequency_penalty"))
    reply = chat(client, slug, **nulls)
    assert reply.status_code == 200 and len(unwrap(slug, reply.json())["choices"]) == 1


FUNCTIONS = [{"name": "get_weather", "description": "Get the weather for a city",
              "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                             "required": ["city"]}}]


@pytest.mark.parametrize("slug", list(CHAT_MODEL))
def test_a_function_call_answer_fits_the_providers_own_schemas(client: TestClient,
                                                               slug: str) -> None:
    asked = {"messages": [{"role": "user", "content": "What is the weather in Paris?"}],
             "functions": FUNCTIONS}
    body = chat(client, slug, **asked).json()
    validator(SCHEMAS / slug / "openai.chat_completions.response.json").validate(body)
    assert unwrap(slug, body)["choices"][0]["finish_reason"] == "function_call"
    stream = validator(SCHEMAS / slug / "openai.chat_completions.stream.json")
    for frame in chat(client, slug, stream=True, **asked).text.split("\n\n"):
        if frame.startswith("data: {"):
            stream.validate(json.loads(frame[6:]))
    # The definitions are part of the prompt, as tools' are.
    plain = unwrap(slug, chat(client, slug, messages=asked["messages"]).json())
    assert unwrap(slug, body)["usage"]["prompt_tokens"] > plain["usage"]["prompt_tokens"]


def test_an_unknown_function_call_name_is_a_400_naming_function_call(
        client: TestClient) -> None:
    reply = chat(client, "apiyi", functions=FUNCTIONS, function_call={"name": "nope"})
    assert reply.status_code == 400 and reply.json()["error"]["param"] == "function_call"


def test_prompt_and_max_tokens_must_fit_the_window_together(client: TestClient) -> None:
    # ruijing-gpt-lite: an 8,192-token window. "word " * 8183 is 8,183 tokens, plus 3 for
    # the message and 3 for the reply: 8,189 in the messages, 3 left.
    prompt = [{"role": "user", "content": ("word " * 8183).strip()}]
    refused = chat(client, "ruijing", model="ruijing-gpt-lite", messages=prompt, max_tokens=4)
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == (
        "This model's maximum context length is 8192 tokens. However, you requested 8193 "
        "tokens (8189 in the messages, 4 in the completion). Please reduce the length of "
        "the messages or completion.")
    fits = chat(client, "ruijing", model="ruijing-gpt-lite", messages=prompt, max_tokens=3)
    assert fits.status_code == 200
    unbounded = chat(client, "ruijing", model="ruijing-gpt-lite", messages=prompt).json()
    assert unbounded["usage"]["prompt_tokens"] == 8189
    assert unbounded["usage"]["completion_tokens"] == 3  # what the window leaves
    assert unbounded["choices"][0]["finish_reason"] == "length"


@pytest.mark.parametrize(("slug", "status", "error"), [
    ("apiyi", 404, {"type": "invalid_request_error", "code": "model_not_found"}),
    ("qhaigc", 404, {"type": "invalid_request_error", "code": "model_not_found"}),
    ("ruijing", 404, {"type": "not_found_error"}),
    ("xiaoai", 400, {"type": "invalid_request_error"}),
    ("aimodels", 400, {"type": "invalid_request_error", "code": "model_not_found"}),
])
def test_unknown_model_gets_the_providers_documented_answer(
        client: TestClient, slug: str, status: int, error: dict[str, str]) -> None:
    response = chat(client, slug, model="no-such-model")
    assert response.status_code == status
    body = response.json()
    validator(SCHEMAS / slug / "error.json").validate(body)
    assert error.items() <= body["error"].items()
    assert "no-such-model" in body["error"]["message"]


def test_embedding_model_on_chat_is_a_bad_request(client: TestClient) -> None:
    response = chat(client, "ruijing", model="ruijing-embedding")
    assert response.status_code == 400
    assert "embedding" in response.json()["error"]["message"]


@pytest.mark.parametrize("slug", list(PROFILES))
@pytest.mark.parametrize(("field", "value"), [
    ("temperature", 2.5), ("top_p", 1.5), ("messages", "hi"), ("n", 0), ("stop", 5)])
def test_out_of_range_fields_get_a_400_naming_the_field(
        client: TestClient, slug: str, field: str, value: Any) -> None:
    response = chat(client, slug, **{field: value})
    assert response.status_code == 400
    body = response.json()
    validator(SCHEMAS / slug / "error.json").validate(body)
    assert field in body["error"]["message"]
    if PROFILES[slug].error_style == "openai":
        assert body["error"]["param"] == field


@pytest.mark.parametrize("slug", list(PROFILES))
def test_missing_required_field_is_named(client: TestClient, slug: str) -> None:
    response = client.post(f"/{slug}/v1/chat/completions", headers=AUTH,
                           json={"model": CHAT_MODEL[slug]})
    assert response.status_code == 400
    assert "messages" in response.json()["error"]["message"]


def test_models_list_and_retrieve_come_from_the_catalogue(client: TestClient) -> None:
    listing = client.get("/apiyi/v1/models", headers=AUTH).json()
    validator(REFERENCE / "openai" / "ListModelsResponse.json").validate(listing)
    ids = [m["id"] for m in listing["data"]]
    assert ids == [m.id for m in PROFILES["apiyi"].catalogue.models]
    assert listing["data"][0] == {"id": "gpt-3.5-turbo", "object": "model",
                                  "created": 1677610602, "owned_by": "openai"}
    one = client.get("/apiyi/v1/models/gpt-4o", headers=AUTH).json()
    assert one["id"] == "gpt-4o" and one["object"] == "model"
    missing = client.get("/apiyi/v1/models/nope", headers=AUTH)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "model_not_found"


def test_models_list_on_aimodels_is_enveloped(client: TestClient) -> None:
    body = client.get("/aimodels/v1/models", headers=AUTH).json()
    assert body["success"] is True and body["message"] == "操作成功"
    assert body["data"]["object"] == "list"
