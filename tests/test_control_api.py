"""The control API: health, reset, the request journal, runtime fixtures, the admin token."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from emulator import Config, create_app

from .conftest import AUTH, KEY

CHAT = "/apiyi/v1/chat/completions"
ASK = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello"}]}
RULE = {"name": "hi", "match": {"content": "hello"}, "reply": {"content": "canned"}}


def test_health_lists_the_providers(client: TestClient) -> None:
    reply = client.get("/_emulator/health")
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok", "providers": ["qhaigc", "apiyi", "xiaoai",
                                                          "ruijing", "aimodels"]}


def test_the_journal_shows_what_the_client_sent_with_keys_masked(client: TestClient) -> None:
    client.post(CHAT, json=ASK, headers=AUTH)
    client.post("/xiaoai/v1/messages", headers={"x-api-key": KEY}, json={
        "model": "xiaoai-chat-v1", "max_tokens": 20,
        "messages": [{"role": "user", "content": "hi"}]})
    listing = client.get("/_emulator/requests").json()
    assert (listing["count"], listing["dropped"]) == (2, 0)
    chat, message = listing["requests"]
    assert (chat["method"], chat["provider"], chat["path"], chat["route_id"]) == \
        ("POST", "apiyi", "/v1/chat/completions", "openai.chat_completions")
    assert chat["body"] == ASK and chat["status"] == 200 and chat["model"] == "gpt-4o"
    assert chat["duration_ms"] > 0 and isinstance(chat["time"], float)
    assert chat["headers"]["authorization"] == "Bearer sk-...0001"
    assert message["headers"]["x-api-key"] == "sk-...0001"
    assert KEY not in str(listing)


@pytest.mark.parametrize(("query", "expected"), [
    ("provider=xiaoai", ["/v1/messages"]),
    ("path=/chat/", ["/v1/chat/completions"]),
    ("model=gpt-4o", ["/v1/chat/completions"]),
    ("route=anthropic.messages", ["/v1/messages"]),
    ("limit=1", ["/v1/models"]),
    ("method=get", ["/v1/models"]),
    ("status=401", ["/v1/models"]),
    ("status=200", ["/v1/chat/completions", "/v1/messages"]),
    ("after=1", ["/v1/messages", "/v1/models"]),
    ("after=1&status=200&limit=5", ["/v1/messages"]),
    ("after=3", []),
    ("after=" + "9" * 40, []),
])
def test_the_journal_filters(client: TestClient, query: str, expected: list[str]) -> None:
    client.post(CHAT, json=ASK, headers=AUTH)
    client.post("/xiaoai/v1/messages", headers=AUTH, json={
        "model": "xiaoai-chat-v1", "max_tokens": 20,
        "messages": [{"role": "user", "content": "hi"}]})
    client.get("/apiyi/v1/models")  # no key: a 401
    entries = client.get(f"/_emulator/requests?{query}").json()["requests"]
    assert [e["path"] for e in entries] == expected


def test_the_journal_keeps_a_model_that_is_not_a_name_as_sent(client: TestClient) -> None:
    """`model` is whatever JSON the client sent: a 400 for the client, the value itself in
    the journal, and a model filter that simply does not match it."""
    odd = {"name": "gpt-4o"}
    assert client.post(CHAT, json={**ASK, "model": odd}, headers=AUTH).status_code == 400
    client.post(CHAT, json=ASK, headers=AUTH)
    listing = client.get("/_emulator/requests").json()["requests"]
    assert [(e["model"], e["status"]) for e in listing] == [(odd, 400), ("gpt-4o", 200)]
    by_model = client.get("/_emulator/requests?model=gpt-4o").json()["requests"]
    assert [e["model"] for e in by_model] == ["gpt-4o"]


def test_the_journal_is_bounded_and_counts_what_it_dropped() -> None:
    with TestClient(create_app(Config(journal_size=2))) as client:
        for text in ("one", "two", "three"):
            client.post(CHAT, headers=AUTH, json=dict(
                ASK, messages=[{"role": "user", "content": text}]))
        listing = client.get("/_emulator/requests").json()
        assert listing["dropped"] == 1
        assert [e["body"]["messages"][0]["content"] for e in listing["requests"]] == \
            ["two", "three"]
        assert client.delete("/_emulator/requests").status_code == 200
        assert client.get("/_emulator/requests").json()["count"] == 0


def test_fixtures_round_trip(client: TestClient) -> None:
    assert client.post("/_emulator/fixtures", json=RULE).json() == {"added": ["hi"]}
    listed = client.get("/_emulator/fixtures?origin=runtime").json()
    assert listed["count"] == 1
    assert listed["fixtures"][0] == {"name": "hi", "origin": "runtime", "source": "api",
                                     "nth": None, "count": 0, "rule": RULE}
    every = client.get("/_emulator/fixtures").json()["fixtures"]
    assert {f["origin"] for f in every} == {"runtime", "exchange"}
    assert client.post(CHAT, json=ASK, headers=AUTH).json()["choices"][0]["message"][
        "content"] == "canned"
    assert client.delete("/_emulator/fixtures?name=other").json() == {"removed": 0}
    assert client.delete("/_emulator/fixtures?name=hi").json() == {"removed": 1}
    assert client.get("/_emulator/fixtures?origin=runtime").json()["count"] == 0


@pytest.mark.parametrize(("body", "message"), [
    ([RULE, {"match": {"model": 4}, "reply": {}}], "api[1]: match.model: expected a string"),
    ({"reply": {"usage": {"prompt_tokens": "many"}}}, "api: reply.usage: expected an object"),
    ("not a rule", "api: expected an object"),
])
def test_a_bad_rule_is_a_400_naming_the_field_and_adds_nothing(
        client: TestClient, body: Any, message: str) -> None:
    reply = client.post("/_emulator/fixtures", json=body)
    assert reply.status_code == 400
    assert reply.json()["error"]["message"].startswith(message)
    assert client.get("/_emulator/fixtures?origin=runtime").json()["count"] == 0
    assert client.post("/_emulator/fixtures", content=b"{nope").status_code == 400


def test_reset_returns_to_a_fresh_state(client: TestClient) -> None:
    app: Any = client.app
    fresh = app.state.snapshot()
    client.post("/_emulator/fixtures", json=dict(RULE, match={"content": "hello", "nth": 1}))
    client.post(CHAT, json=ASK, headers=AUTH)
    client.post("/_emulator/clock", json={"advance": 60})
    client.post("/_emulator/keys", json={"key": "sk-other", "state": "disabled"})
    assert app.state.snapshot() != fresh
    assert client.post("/_emulator/reset").json() == {"status": "reset"}
    assert app.state.snapshot() == fresh
    assert client.get("/_emulator/requests").json()["requests"] == []


def test_an_admin_token_guards_every_control_call_but_health() -> None:
    with TestClient(create_app(Config(admin_token="s3cret"))) as client:
        assert client.get("/_emulator/health").status_code == 200
        for method, path in (("GET", "/_emulator/requests"), ("POST", "/_emulator/reset"),
                             ("GET", "/_emulator/fixtures"), ("GET", "/_emulator/clock")):
            denied = client.request(method, path)
            assert denied.status_code == 401
            assert denied.json()["error"]["type"] == "unauthorized"
            assert client.request(method, path, headers={
                "Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/_emulator/requests", headers={
            "Authorization": "Bearer s3cret"}).status_code == 200
        assert client.post("/_emulator/reset", headers={
            "X-Emulator-Token": "s3cret"}).status_code == 200
        # The providers themselves are not behind the token.
        assert client.post(CHAT, json=ASK, headers=AUTH).status_code == 200
