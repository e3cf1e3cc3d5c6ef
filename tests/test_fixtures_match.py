"""Fixture rules: which rule answers, in which order, on which conditions, and what the
journal says when none did."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from emulator import Config, create_app

from .conftest import AUTH

CHAT = "/apiyi/v1/chat/completions"
WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}


def ask(text: str = "hello", **extra: Any) -> dict[str, Any]:
    return {"model": "gpt-4o", "messages": [{"role": "user", "content": text}], **extra}


def answer(client: TestClient, body: dict[str, Any], path: str = CHAT) -> str | None:
    reply = client.post(path, json=body, headers=AUTH)
    assert reply.status_code == 200, reply.text
    return reply.json()["choices"][0]["message"]["content"]


def journal(client: TestClient) -> list[dict[str, Any]]:
    return client.get("/_emulator/requests").json()["requests"]


def add(client: TestClient, *rules: dict[str, Any]) -> None:
    reply = client.post("/_emulator/fixtures", json=list(rules))
    assert reply.status_code == 201, reply.text


def test_runtime_rules_come_before_file_rules_before_the_generator(tmp_path: Path) -> None:
    (tmp_path / "greet.yaml").write_text(
        "match: {content: hello}\nreply: {content: from the file}\n")
    with TestClient(create_app(Config(fixtures_dir=tmp_path))) as client:
        assert answer(client, ask("hello there")) == "from the file"
        add(client, {"name": "old", "match": {"content": "hello"}, "reply": {"content": "old"}})
        add(client, {"name": "new", "match": {"content": "hello"}, "reply": {"content": "new"}})
        assert answer(client, ask("hello there")) == "new"  # newest runtime rule first
        generated = answer(client, ask("something else"))
        assert generated not in {"new", "old", "from the file"}
        assert [e["fixture"] for e in journal(client)] == ["greet.yaml", "new", None]
        client.post("/_emulator/reset")
        assert answer(client, ask("hello there")) == "from the file"


def test_a_list_keeps_its_order_and_file_rules_beat_the_docs_exchanges(
        tmp_path: Path) -> None:
    intro = {"model": "gpt-3.5-turbo", "messages": [
        {"role": "system", "content": "你是一个有用的AI助手。"},
        {"role": "user", "content": "你好!请介绍一下自己。"}]}
    with TestClient(create_app(Config())) as client:
        assert answer(client, intro) == "Hello! How can I help you today?"  # the doc's own
    (tmp_path / "a.json").write_text(
        '[{"name": "first", "match": {"content": "你好"}, "reply": {"content": "one"}},'
        ' {"name": "second", "match": {"content": "你好"}, "reply": {"content": "two"}}]')
    with TestClient(create_app(Config(fixtures_dir=tmp_path))) as client:
        assert answer(client, intro) == "one"


# (conditions, a request that matches, one that does not, the miss reason)
CONDITIONS = [
    ({"provider": "qhaigc"}, ("/qhaigc/v1/chat/completions", ask()), (CHAT, ask()),
     None),  # another provider: not a candidate, so no reason is given
    ({"provider": ["apiyi", "qhaigc"], "route": "openai.chat_completions"},
     (CHAT, ask()), ("/apiyi/v1/completions", {"model": "gpt-4o", "prompt": "hi"}), None),
    ({"path": {"matches": "^/v1/chat"}}, (CHAT, ask()),
     ("/apiyi/v1/completions", {"model": "gpt-4o", "prompt": "hi"}), None),
    ({"model": "gpt-4o"}, (CHAT, ask()), (CHAT, dict(ask(), model="gpt-3.5-turbo")),
     "model 'gpt-3.5-turbo' != 'gpt-4o'"),
    ({"model": {"matches": "^gpt-4o$"}}, (CHAT, ask()),
     (CHAT, dict(ask(), model="gpt-3.5-turbo")), "does not match /^gpt-4o$/"),
    ({"stream": False}, (CHAT, ask()), (CHAT, ask(stream=True)), "stream true != false"),
    ({"content": "ell"}, (CHAT, ask("hello")), (CHAT, ask("bye")),
     "content 'bye' does not contain 'ell'"),
    ({"content": {"equals": "hello"}}, (CHAT, ask("hello")), (CHAT, ask("hello!")),
     "content 'hello!' != 'hello'"),
    ({"content": {"matches": r"\bweather\b"}}, (CHAT, ask("the weather")),
     (CHAT, ask("weathers")), "does not match"),
    ({"last_role": "assistant"},
     (CHAT, {"model": "gpt-4o", "messages": [{"role": "user", "content": "a"},
                                              {"role": "assistant", "content": "b"}]}),
     (CHAT, ask()), "last_role 'user' != 'assistant'"),
    ({"tool_result": True},
     (CHAT, {"model": "gpt-4o", "messages": [
         {"role": "user", "content": "a"},
         {"role": "assistant", "content": None, "tool_calls": [
             {"id": "c1", "type": "function",
              "function": {"name": "f", "arguments": "{}"}}]},
         {"role": "tool", "tool_call_id": "c1", "content": "21 degrees"}]}),
     (CHAT, ask()), "does not end with tool results"),
    ({"tool_result": {"contains": "21 degrees"}, "last_role": "tool"},
     ("/xiaoai/v1/messages", {"model": "xiaoai-chat-v1", "max_tokens": 50, "messages": [
         {"role": "user", "content": "a"},
         {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f",
                                            "input": {}}]},
         {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1",
                                       "content": "it is 21 degrees"}]}]}),
     ("/xiaoai/v1/messages", {"model": "xiaoai-chat-v1", "max_tokens": 50,
                              "messages": [{"role": "user", "content": "a"}]}),
     "last_role 'user' != 'tool'; tool_result: the request does not end"),
    ({"query": {"tag": "a"}}, (CHAT + "?tag=a&page=2", ask()), (CHAT + "?tag=b", ask()),
     "query.tag: \"'b'\" != \"'a'\""),
    ({"query": {"tag": ["a", "b"]}, "query_exact": True}, (CHAT + "?tag=a&tag=b", ask()),
     (CHAT + "?tag=a&tag=b&page=2", ask()), "query.page: not in the rule (query_exact)"),
]


@pytest.mark.parametrize(("conditions", "hit", "miss", "reason"), CONDITIONS,
                         ids=[next(iter(c[0])) for c in CONDITIONS])
def test_each_match_condition(client: TestClient, conditions: dict[str, Any],
                              hit: tuple[str, Any], miss: tuple[str, Any],
                              reason: str | None) -> None:
    add(client, {"name": "rule", "match": conditions, "reply": {"content": "CANNED"}})
    for path, body in (hit, miss):
        assert client.post(path, json=body, headers=AUTH).status_code == 200
    matched, missed = journal(client)
    assert (matched["fixture"], matched["fixture_miss"]) == ("rule", None)
    assert missed["fixture"] is None
    if reason is None:
        assert missed["fixture_miss"] is None
    else:
        assert missed["fixture_miss"].startswith("nearest rule 'rule': ")
        assert reason in missed["fixture_miss"]


def test_nth_counts_requests_meeting_the_other_conditions(client: TestClient) -> None:
    add(client,
        {"name": "first", "match": {"content": "weather", "nth": 1},
         "reply": {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Oslo"}}]}},
        {"name": "second", "match": {"content": "weather", "nth": 2},
         "reply": {"content": "Sunny in Oslo."}})
    body = ask("weather in Oslo?", tools=[WEATHER])
    first = client.post(CHAT, json=body, headers=AUTH).json()["choices"][0]
    assert first["message"]["tool_calls"][0]["function"]["arguments"] == '{"city":"Oslo"}'
    assert answer(client, ask("unrelated")) != "Sunny in Oslo."  # does not count
    assert answer(client, body) == "Sunny in Oslo."
    third = journal(client)[-1]
    assert third["fixture"] == "second"
    answer(client, body)  # the third: neither rule, and the journal says why (a tie
    # goes to the rule tried first)
    assert journal(client)[-1]["fixture_miss"] == (
        "nearest rule 'first': nth 1: this was request 3 that meets its other conditions")
    client.post("/_emulator/reset")  # counts start again
    assert client.post(CHAT, json=body, headers=AUTH).json()["choices"][0]["finish_reason"] \
        == "tool_calls"


def test_the_nearest_rule_is_the_one_failing_fewest_conditions(client: TestClient) -> None:
    add(client,
        {"name": "far", "match": {"model": "gpt-3.5-turbo", "content": "nope"},
         "reply": {"content": "x"}},
        {"name": "near", "match": {"model": "gpt-3.5-turbo", "content": "hello"},
         "reply": {"content": "y"}})
    answer(client, ask("hello"))
    assert journal(client)[-1]["fixture_miss"] == \
        "nearest rule 'near': model 'gpt-4o' != 'gpt-3.5-turbo'"


def test_strict_mode_answers_a_miss_with_the_providers_404() -> None:
    with TestClient(create_app(Config(strict_fixtures=True))) as client:
        add(client, {"name": "only", "match": {"model": "gpt-4o", "content": "ping"},
                     "reply": {"content": "pong"}})
        assert answer(client, ask("ping")) == "pong"
        miss = client.post(CHAT, json=ask("hello"), headers=AUTH)
        assert miss.status_code == 404
        error = miss.json()["error"]
        assert error["code"] == "fixture_not_matched"
        assert "nearest rule 'only': content 'hello' does not contain 'ping'" in error["message"]
        aimodels = client.post("/aimodels/v1/chat/completions", headers=AUTH, json={
            "model": "gpt-4-turbo", "messages": [{"role": "user", "content": "hi"}]})
        assert aimodels.status_code == 404 and aimodels.json()["success"] is False
        # The catalogue is the emulator's own, not an answer: it stays reachable.
        assert client.get("/apiyi/v1/models", headers=AUTH).status_code == 200
        statuses = [(e["status"], e["fixture"]) for e in journal(client)]
        assert statuses == [(200, "only"), (404, None), (404, None), (200, None)]


def test_the_model_gate_skips_only_when_no_rule_could_match_or_be_named() -> None:
    from emulator.fixtures import FixtureStore, load_exchanges, parse_rule

    store = FixtureStore([], load_exchanges(["apiyi"]))
    route = "openai.chat_completions"
    assert store.cannot_match("apiyi", route, "gpt-4o")  # the exchanges ask gpt-3.5-turbo
    assert not store.cannot_match("apiyi", route, "gpt-3.5-turbo")
    store.add(parse_rule({"name": "mine", "match": {"content": {"contains": "x"}},
                          "reply": {"content": "y"}}, "test"))
    assert not store.cannot_match("apiyi", route, "gpt-4o")  # a runtime rule: match() asks
    store.reset()
    loaded = FixtureStore([parse_rule({"name": "file", "match": {"model": "gpt-4o-mini"},
                                       "reply": {"content": "y"}}, "test")],
                          load_exchanges(["apiyi"]))
    assert not loaded.cannot_match("apiyi", route, "gpt-4o")  # its miss is worded


def test_a_match_that_is_not_an_object_is_a_400_not_a_catch_all(client: TestClient) -> None:
    """`match: []` (or "", 0, false) once matched every request; a missing match still does."""
    for match in ([], "", 0, False):
        reply = client.post("/_emulator/fixtures", json={"name": "bad", "match": match,
                                                         "reply": {"content": "caught"}})
        assert reply.status_code == 400, match
        assert reply.json()["error"] == {"message": "api: match: expected an object",
                                         "type": "invalid_fixture", "param": None}
    assert client.get("/_emulator/fixtures?origin=runtime").json()["count"] == 0
    assert answer(client, ask("anything")) != "caught"
    add(client, {"name": "all", "reply": {"content": "every request"}})
    assert answer(client, ask("anything")) == "every request"
