"""Fault rules: the one parser, the store's counting (times, every, seeded probability),
the header forms, the control API and reset. Through-the-wire behaviour of each fault
kind is in tests/sdk/test_faults_sdk.py."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from emulator import EmulatorApp
from emulator.errors import InvalidRequest
from emulator.policy.fault_rules import HANG_DEFAULT_S
from emulator.policy.faults import FaultRule, FaultStore, parse_fault_header, parse_fault_rule
from emulator.providers import PROFILES
from emulator.transport import ConnectionDropped

from ..conftest import AUTH

CHAT = "/apiyi/v1/chat/completions"
BODY = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}


def store(seed: int = 7) -> FaultStore:
    return FaultStore(seed, PROFILES)


def fires(faults: FaultStore, n: int, model: str | None = "gpt-4o") -> list[str | None]:
    picked = [faults.select("apiyi", "openai.chat_completions", "/v1/chat/completions",
                            model) for _ in range(n)]
    return [e.id if e else None for e in picked]


def test_parser_builds_a_frozen_rule_with_defaults_filled() -> None:
    rule = parse_fault_rule({"provider": "apiyi", "status": 503, "times": 2}, "test")
    assert rule == FaultRule(provider="apiyi", status=503, times=2)
    assert rule.to_dict() == {"provider": "apiyi", "status": 503, "times": 2}
    assert parse_fault_rule({"hang": True}, "t").hang == HANG_DEFAULT_S
    assert parse_fault_rule({"duplicate": True}, "t").duplicate is True
    with pytest.raises(AttributeError):
        rule.status = 500  # type: ignore[misc]


@pytest.mark.parametrize(("data", "field"), [
    ({"status": 399}, "status"),
    ({"status": 600}, "status"),
    ({"status": True}, "status"),
    ({"status": "503"}, "status"),
    ({"status": 503, "bogus": 1}, "bogus"),
    ({"cut_after": -1}, "cut_after"),
    ({"drop": "yes"}, "drop"),
    ({"status": 500, "times": 0}, "times"),
    ({"status": 500, "probability": 1.5}, "probability"),
    ({"status": 500, "every": 2, "probability": 0.5}, "probability"),
    ({"tokens_per_second": 0}, "tokens_per_second"),
    ({"hang": 601}, "hang"),
    ({"error": "teapot"}, "error"),
    ({"status": 503, "cut_after": 2}, "cut_after"),
    ({"drop": True, "keepalive": True}, "keepalive"),
    ({"stall_ms": 100}, "stall_ms"),
    ({"provider": ""}, "provider"),
])
def test_parser_rejects_bad_rules_naming_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_fault_rule(data, "rule.json")
    assert caught.value.param == field
    assert caught.value.message.startswith("rule.json: ") and field in caught.value.message


def test_a_rule_without_an_action_is_rejected() -> None:
    with pytest.raises(InvalidRequest, match="needs an action"):
        parse_fault_rule({"provider": "apiyi", "times": 1}, "t")


def test_header_takes_json_or_the_short_form() -> None:
    assert parse_fault_header('{"status": 503}') == FaultRule(status=503)
    assert parse_fault_header("cut_after=3; keepalive") == FaultRule(cut_after=3,
                                                                      keepalive=True)
    assert parse_fault_header("model=gpt-4o;latency_ms=5") == FaultRule(model="gpt-4o",
                                                                         latency_ms=5)
    with pytest.raises(InvalidRequest) as caught:
        parse_fault_header("status=503;times=2")
    assert caught.value.param == "times"


def test_times_fires_for_the_next_n_then_stops() -> None:
    faults = store()
    faults.add(FaultRule(status=500, times=2))
    assert fires(faults, 4) == ["fault_1", "fault_1", None, None]
    assert faults.listing()[0]["remaining"] == 0 and faults.listing()[0]["hits"] == 2


def test_every_kth_matching_request() -> None:
    faults = store()
    faults.add(FaultRule(status=500, every=3))
    assert fires(faults, 6) == [None, None, "fault_1", None, None, "fault_1"]


def test_newest_rule_first_and_a_passing_rule_lets_older_ones_try() -> None:
    faults = store()
    faults.add(FaultRule(status=500))
    faults.add(FaultRule(status=503, every=2))
    assert fires(faults, 4) == ["fault_1", "fault_2", "fault_1", "fault_2"]


def test_matching_on_provider_route_path_and_model() -> None:
    faults = store()
    faults.add(FaultRule(status=500, model="other"))
    faults.add(FaultRule(status=500, provider="xiaoai"))
    faults.add(FaultRule(status=500, route="openai.embeddings"))
    assert fires(faults, 1) == [None]
    assert fires(faults, 1, model="other") == ["fault_1"]
    for path in ("/v1/chat/completions", "/apiyi/v1/chat/completions", "/v1/chat/*"):
        faults.clear()
        faults.add(FaultRule(status=500, path=path))
        assert fires(faults, 1) == ["fault_1"], path
    faults.add(FaultRule(status=500, path="/v1/embeddings"))
    assert fires(faults, 1) == ["fault_1"]  # the newer rule did not match


def test_probability_is_seeded_repeatable_and_depends_on_the_seed() -> None:
    def pattern(seed: int) -> list[str | None]:
        faults = store(seed)
        faults.add(FaultRule(status=500, probability=0.5))
        return fires(faults, 40)

    assert pattern(7) == pattern(7)
    assert pattern(7) != pattern(8)
    assert 8 < sum(1 for f in pattern(7) if f) < 32


def test_store_rejects_unknown_provider_and_route() -> None:
    faults = store()
    for rule, field in ((FaultRule(status=500, provider="nope"), "provider"),
                        (FaultRule(status=500, route="openai.nope"), "route")):
        with pytest.raises(InvalidRequest) as caught:
            faults.add(rule)
        assert caught.value.param == field
    assert faults.entries == []


def test_control_api_adds_lists_and_deletes(client: TestClient) -> None:
    added = client.post("/_emulator/faults", json=[{"status": 503, "times": 1},
                                                   {"latency_ms": 5}])
    assert added.status_code == 201 and added.json()["ids"] == ["fault_2", "fault_1"]
    listing = client.get("/_emulator/faults").json()["faults"]
    assert [f["id"] for f in listing] == ["fault_2", "fault_1"]  # the list's order
    assert listing[0] == {"id": "fault_2", "rule": {"status": 503, "times": 1},
                          "remaining": 1, "hits": 0, "seen": 0}
    assert client.post(CHAT, json=BODY, headers=AUTH).status_code == 503
    assert client.get("/_emulator/faults").json()["faults"][0]["remaining"] == 0
    assert client.delete("/_emulator/faults/fault_2").json() == {"removed": 1}
    assert client.delete("/_emulator/faults/fault_2").status_code == 404
    assert client.delete("/_emulator/faults").json() == {"removed": 1}
    assert client.get("/_emulator/faults").json() == {"faults": []}


def test_control_api_rejects_a_bad_rule_and_adds_none(client: TestClient) -> None:
    reply = client.post("/_emulator/faults", json=[{"status": 503}, {"cut_after": "3"}])
    assert reply.status_code == 400
    assert reply.json()["error"]["param"] == "cut_after"
    assert "faults[1]" in reply.json()["error"]["message"]
    assert client.get("/_emulator/faults").json() == {"faults": []}


def test_bad_header_is_a_400_in_the_provider_format(client: TestClient) -> None:
    reply = client.post(CHAT, json=BODY, headers={**AUTH, "X-Emulator-Fault": "status=999"})
    assert reply.status_code == 400
    assert reply.json()["error"]["param"] == "status"
    reply = client.post("/aimodels/v1/chat/completions", json=BODY,
                        headers={**AUTH, "X-Emulator-Fault": "{nope"})
    assert reply.status_code == 400 and reply.json()["success"] is False


def test_header_fault_with_a_model_condition_reads_the_body_once(client: TestClient) -> None:
    headers = {**AUTH, "X-Emulator-Fault": "model=gpt-4o;status=502"}
    assert client.post(CHAT, json=BODY, headers=headers).status_code == 502
    other = BODY | {"model": "gpt-3.5-turbo"}
    reply = client.post(CHAT, json=other, headers=headers)
    assert reply.status_code == 200 and reply.json()["model"] == "gpt-3.5-turbo"


def test_error_kind_and_message_override(client: TestClient) -> None:
    client.post("/_emulator/faults", json={"error": "quota_exceeded", "message": "No money"})
    reply = client.post(CHAT, json=BODY, headers=AUTH)
    # No retry-after: an empty quota needs the user to act, as a real out-of-quota key's
    # 429 says (reference: TooManyRequests omits it then).
    assert reply.status_code == 429 and "retry-after" not in reply.headers
    assert reply.json()["error"] == {"message": "No money", "type": "insufficient_quota",
                                     "param": None, "code": "insufficient_quota"}


@pytest.mark.parametrize(("rule", "unit", "wait"), [
    ({"status": 429}, "requests", 1),
    ({"status": 429, "retry_after": 7}, "requests", 7),
    ({"error": "tokens_rate_limited"}, "tokens", 1),
])
def test_an_injected_429_shows_its_window_used_up_until_retry_after(
        client: TestClient, rule: dict[str, Any], unit: str, wait: int) -> None:
    client.post("/_emulator/faults", json=rule)
    reply = client.post(CHAT, json=BODY, headers=AUTH)
    assert reply.status_code == 429 and reply.headers["retry-after"] == str(wait)
    assert reply.headers[f"x-ratelimit-remaining-{unit}"] == "0"
    assert reply.headers[f"x-ratelimit-reset-{unit}"] == f"{wait}s"
    other = "tokens" if unit == "requests" else "requests"
    assert int(reply.headers[f"x-ratelimit-remaining-{other}"]) > 0  # untouched
    assert reply.json()["error"]["type"] == unit


def test_an_injected_429_on_aimodels_resets_when_retry_after_says(app: EmulatorApp,
                                                                  client: TestClient) -> None:
    client.post("/_emulator/faults", json={"status": 429, "retry_after": 5})
    reply = client.post("/aimodels/v1/chat/completions", headers=AUTH, json={
        "model": "gpt-4-turbo", "messages": [{"role": "user", "content": "hi"}]})
    assert reply.status_code == 429 and reply.headers["x-ratelimit-remaining"] == "0"
    now = app.state.clock.now()
    assert now + 4 <= int(reply.headers["x-ratelimit-reset"]) <= now + 6


def test_no_rule_and_no_header_leaves_the_request_alone(app: EmulatorApp,
                                                        client: TestClient) -> None:
    assert client.post(CHAT, json=BODY, headers=AUTH).status_code == 200
    assert app.state.journal.entries[-1].faults == []


def test_reset_clears_rules_and_equals_a_fresh_state(app: EmulatorApp,
                                                     client: TestClient) -> None:
    fresh = app.state.snapshot()
    client.post("/_emulator/faults", json={"status": 500, "probability": 0.5})
    assert app.state.snapshot()["faults"] != []
    assert client.post("/_emulator/reset").status_code == 200
    assert app.state.faults.entries == [] and app.state.snapshot() == fresh
    # ids start again, so a seeded probability rule fires the same way after reset
    assert app.state.faults.add(FaultRule(status=500)) == "fault_1"


def test_drop_under_a_server_without_our_protocol_raises(client: TestClient) -> None:
    # The in-process client exposes no transport: the fault says so instead of a 500.
    with pytest.raises(ConnectionDropped):
        client.post(CHAT, json=BODY, headers={**AUTH, "X-Emulator-Fault": "drop"})


@pytest.mark.parametrize(("error", "type_", "message"), [
    ("overloaded", "overloaded_error", "Overloaded"),  # Anthropic's own words
    ("rate_limited", "rate_limit_error", "The emulator injected this error (fault header)."),
])
def test_an_error_inside_a_stream_is_worded_for_its_kind(client: TestClient, error: str,
                                                         type_: str, message: str) -> None:
    body = {"model": "xiaoai-chat-v1", "max_tokens": 30, "stream": True,
            "messages": [{"role": "user", "content": "hi"}]}
    reply = client.post("/xiaoai/v1/messages", json=body, headers={
        **AUTH, "X-Emulator-Fault": f"stream_error_after=2;error={error}"})
    assert reply.status_code == 200
    last = reply.text.strip().split("\n\n")[-1]
    assert last.startswith("event: error\n")
    assert f'"type":"{type_}"' in last and f'"message":"{message}"' in last


@pytest.mark.parametrize("slug", list(PROFILES))
@pytest.mark.parametrize("status", [408, 409, 418, 504, 599])
def test_a_status_no_kind_stands_for_keeps_its_status_in_the_provider_body(
        client: TestClient, slug: str, status: int) -> None:
    from ..contract.routes import error_validator

    profile = PROFILES[slug]
    route = profile.routes[0]
    headers = {**AUTH, "X-Emulator-Fault": f"status={status}"}
    reply = client.request(route.method, f"/{slug}{profile.base_paths[0]}{route.path}",
                           headers=headers)
    assert reply.status_code == status
    assert not list(error_validator(slug).iter_errors(reply.json())), reply.text
    assert "retry-after" not in reply.headers


def test_a_status_of_its_own_kind_takes_the_provider_status(client: TestClient) -> None:
    """529 stands for overloaded, which apiyi documents as a 503 (xiaoai as a 529)."""
    reply = client.post(CHAT, json=BODY, headers={**AUTH, "X-Emulator-Fault": "status=529"})
    assert reply.status_code == 503
    assert reply.json()["error"]["code"] == "engine_overloaded"
    reply = client.post(CHAT, json=BODY,
                        headers={**AUTH, "X-Emulator-Fault": "status=504;retry_after=3"})
    assert (reply.status_code, reply.headers["retry-after"]) == (504, "3")
