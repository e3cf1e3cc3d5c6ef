"""The docs' own example exchanges answer with the docs' own example replies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from .conftest import AUTH

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CHAT_EXCHANGES = sorted(p for p in FIXTURES.glob("*/exchanges/*.json")
                        if json.loads(p.read_text())["route"] == "openai.chat_completions")


def unwrap(body: dict) -> dict:
    return body["data"] if body.get("success") is True else body


@pytest.mark.parametrize("path", CHAT_EXCHANGES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_documented_chat_exchange_is_reproduced(client: TestClient, path: Path) -> None:
    slug = path.parent.parent.name
    exchange = json.loads(path.read_text())
    request = dict(exchange["request"], stream=False)
    expected = unwrap(exchange["response"])
    response = client.post(f"/{slug}/v1/chat/completions", headers=AUTH, json=request)
    assert response.status_code == 200
    body = unwrap(response.json())
    assert body["object"] == expected["object"]
    assert body["model"] == expected["model"]
    assert body["choices"][0]["message"]["content"] == \
        expected["choices"][0]["message"]["content"]
    assert body["choices"][0]["finish_reason"] == expected["choices"][0]["finish_reason"]
    assert body["usage"] == expected["usage"]
    journal = client.get("/_emulator/requests").json()["requests"]
    assert journal[-1]["fixture"] == f"{slug}/{path.stem}"


def test_apiyi_streaming_example_streams_the_documented_chunks(client: TestClient) -> None:
    response = client.post("/apiyi/v1/chat/completions", headers=AUTH, json={
        "model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "Hello"}],
        "stream": True})
    payloads = [line[6:] for line in response.text.split("\n\n") if line.startswith("data: ")]
    contents = [json.loads(p)["choices"][0]["delta"].get("content") for p in payloads[:-1]]
    assert [c for c in contents if c] == ["Hello", " there"]
    assert payloads[-1] == "[DONE]"


def test_a_similar_but_different_prompt_is_generated_not_canned(client: TestClient) -> None:
    response = client.post("/qhaigc/v1/chat/completions", headers=AUTH, json={
        "model": "gpt-4o", "messages": [{"role": "user", "content": "Hello there"}]})
    assert response.json()["choices"][0]["message"]["content"] != \
        "Hello! How can I help you today?"
