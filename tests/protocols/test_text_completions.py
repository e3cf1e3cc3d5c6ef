"""apiyi's legacy completions (`POST /v1/completions`), aimodels' code completions
(`POST /v1/code/completions`, in its envelope) and apiyi's unsupported API families, in
process. The SDK side is tests/sdk/test_openai_text_sdk.py."""

from __future__ import annotations

import ast
import json
from typing import Any

import jsonschema
import pytest
from starlette.testclient import TestClient

from emulator import EmulatorApp
from emulator.generate.tokens import count_tokens
from emulator.openapi import wrap_success
from emulator.providers import PROFILES
from emulator.schemas import SchemaStore
from tests.conftest import AUTH

URL = "/apiyi/v1/completions"
MODEL = "gpt-3.5-turbo-instruct"


def complete(client: TestClient, **body: Any) -> Any:
    response = client.post(URL, headers=AUTH, json={"model": MODEL} | body)
    assert response.status_code == 200, response.text
    return response.json()


def chunks(client: TestClient, **body: Any) -> list[dict[str, Any]]:
    response = client.post(URL, headers=AUTH, json={"model": MODEL, "stream": True} | body)
    assert response.headers["content-type"].startswith("text/event-stream")
    frames = response.text.split("\n\n")
    assert frames[-2:] == ["data: [DONE]", ""]
    assert all(f.startswith("data: ") for f in frames[:-1])
    return [json.loads(f.removeprefix("data: ")) for f in frames[:-2]]


def test_completion_object(app: EmulatorApp, client: TestClient) -> None:
    body = complete(client, prompt="Once upon a time", max_tokens=12)
    assert app.state.schemas.violation("apiyi", "openai.completions", body,
                                       part="response") is None
    assert body["object"] == "text_completion" and body["id"].startswith("cmpl-")
    [choice] = body["choices"]
    assert choice["finish_reason"] == "length" and choice["logprobs"] is None
    assert choice["text"].startswith(" ")  # continues after the prompt's last word
    usage = body["usage"]
    assert usage["prompt_tokens"] == count_tokens("Once upon a time")
    assert usage["completion_tokens"] == 12 == count_tokens(choice["text"])
    assert complete(client, prompt="Once upon a time", max_tokens=12) == body


def test_n_prompts_echo_and_default_max_tokens(client: TestClient) -> None:
    body = complete(client, prompt=["Roses are", "The sky is"], n=2, echo=True)
    assert [c["index"] for c in body["choices"]] == [0, 1, 2, 3]
    assert [c["text"].split(" ")[0] for c in body["choices"]] == ["Roses"] * 2 + ["The"] * 2
    assert body["choices"][0]["text"] != body["choices"][1]["text"]
    # max_tokens defaults to 16, as OpenAI's does
    assert body["usage"]["completion_tokens"] == 4 * 16
    tokens = complete(client, prompt=[1, 2, 3], max_tokens=4)
    assert tokens["usage"]["prompt_tokens"] == 3


def test_stop_cuts_the_same_text(client: TestClient) -> None:
    full = complete(client, prompt="Tell me", max_tokens=40)["choices"][0]["text"]
    word = full.split()[3]
    stopped = complete(client, prompt="Tell me", max_tokens=40, stop=[word])["choices"][0]
    assert stopped["finish_reason"] == "stop"
    assert full.startswith(stopped["text"]) and word not in stopped["text"]


def test_stream_joins_to_the_completion(app: EmulatorApp, client: TestClient) -> None:
    request = {"prompt": ["Hello", "Bye"], "n": 2, "max_tokens": 8}
    whole = complete(client, **request)
    events = chunks(client, **request, stream_options={"include_usage": True})
    for event in events:
        assert app.state.schemas.violation("apiyi", "openai.completions", event,
                                           part="stream") is None
        assert event["id"] == whole["id"] and event["object"] == "text_completion"
    usage = events.pop()
    assert usage["choices"] == [] and usage["usage"] == whole["usage"]
    for choice in whole["choices"]:
        mine = [e["choices"][0] for e in events if e["choices"][0]["index"] == choice["index"]]
        assert "".join(c["text"] for c in mine) == choice["text"]
        assert [c["finish_reason"] for c in mine] == [None] * (len(mine) - 1) + ["length"]
    assert "usage" not in chunks(client, **request)[-1]


@pytest.mark.parametrize(("change", "param"), [
    ({"prompt": None}, "prompt"), ({"n": 0}, "n"), ({"model": "nope"}, "model"),
    ({"model": "text-embedding-ada-002"}, "model")])
def test_bad_completion_requests_are_apiyi_errors(client: TestClient, change: dict[str, Any],
                                                  param: str) -> None:
    body = {k: v for k, v in ({"model": MODEL, "prompt": "x"} | change).items()
            if v is not None}
    response = client.post(URL, headers=AUTH, json=body)
    assert response.status_code in (400, 404)
    assert set(response.json()["error"]) == {"message", "type", "param", "code"}
    assert response.json()["error"]["param"] == param


def test_prompt_and_max_tokens_past_the_context_are_refused_not_trimmed(
        client: TestClient) -> None:
    """OpenAI answers 400 context_length_exceeded when prompt + max_tokens do not fit
    (gpt-3.5-turbo-instruct: 4,096 tokens); it never trims max_tokens to what is left."""
    prompt = "one two three"
    used = count_tokens(prompt)
    fits = complete(client, prompt=prompt, max_tokens=4096 - used)
    assert fits["usage"]["prompt_tokens"] == used
    response = client.post(URL, headers=AUTH, json={
        "model": MODEL, "prompt": prompt, "max_tokens": 4097 - used})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "context_length_exceeded"
    assert error["param"] == "prompt"
    assert error["message"] == (
        f"This model's maximum context length is 4096 tokens, however you requested 4097 "
        f"tokens ({used} in your prompt; {4097 - used} for the completion). Please reduce "
        "your prompt; or completion length.")


# -- aimodels code completions ------------------------------------------------------------

CODE_URL = "/aimodels/v1/code/completions"


def code(client: TestClient, prompt: str, language: str, **extra: Any) -> Any:
    response = client.post(CODE_URL, headers=AUTH, json={
        "model": "codellama-70b", "prompt": prompt, "language": language} | extra)
    assert response.status_code == 200, response.text
    envelope = response.json()
    schema = SchemaStore().load("aimodels", "aimodels.code_completions", "response")
    assert schema is not None
    jsonschema.validate(envelope, wrap_success(PROFILES["aimodels"], schema))
    assert envelope["success"] is True and envelope["message"] == "操作成功"
    assert envelope["timestamp"] == "2024-01-15T10:30:00Z"
    return envelope["data"]


@pytest.mark.parametrize("prompt", [
    "def fibonacci(n):", "def is_prime(number):\n", "def merge_lists(left, right):",
    "class Stack:", "import os\n\ndef list_files(path):", "async def fetch_user(user_id):",
    "# sort a list of numbers\n"])
def test_python_prompt_continues_into_valid_python(client: TestClient, prompt: str) -> None:
    data = code(client, prompt, "python", max_tokens=400)
    [choice] = data["choices"]
    assert choice["finish_reason"] == "stop" and data["language"] == "python"
    ast.parse(prompt + choice["text"])
    assert choice["text"].strip()
    assert code(client, prompt, "python", max_tokens=400) == data


@pytest.mark.parametrize(("language", "prompt"), [
    ("javascript", "function add(a, b) {"), ("go", "func sum(xs []int) int {"),
    ("java", "public int square(int x) {")])
def test_brace_languages_close_what_the_prompt_opened(client: TestClient, language: str,
                                                      prompt: str) -> None:
    text = code(client, prompt, language)["choices"][0]["text"]
    whole = prompt + text
    assert whole.count("{") == whole.count("}") and text.rstrip().endswith("}")


def test_max_tokens_cuts_the_code(client: TestClient) -> None:
    data = code(client, "def fibonacci(n):", "python", max_tokens=5)
    assert data["choices"][0]["finish_reason"] == "length"
    assert data["usage"]["completion_tokens"] <= 5


# -- apiyi's unsupported families ----------------------------------------------------------

@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/fine_tuning/jobs"), ("GET", "/fine_tuning/jobs/ftjob-1"),
    ("POST", "/fine-tunes"), ("POST", "/files"), ("GET", "/files"),
    ("GET", "/files/file-1/content"), ("POST", "/uploads"), ("GET", "/organization/users"),
    ("GET", "/organization/costs"), ("GET", "/dashboard/billing/subscription"),
    ("GET", "/billing/usage")])
def test_unsupported_families_answer_an_apiyi_error(client: TestClient, method: str,
                                                    path: str) -> None:
    response = client.request(method, f"/apiyi/v1{path}", headers=AUTH, json={})
    assert response.status_code == 404
    assert response.json() == {"error": {
        "message": f"API易 does not support this endpoint ({method} /v1{path}).",
        "type": "invalid_request_error", "param": None, "code": "unsupported_endpoint"}}
