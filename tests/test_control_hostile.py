"""Hostile input to the control API gets a JSON 4xx naming what is wrong, and leaves the
emulator serving: nothing is half applied, no later request fails because of it."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from .conftest import AUTH

CHAT = "/apiyi/v1/chat/completions"
ASK = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello"}]}

BAD_CALLS = [  # (method, path, JSON body, the param the error names)
    ("POST", "/_emulator/clock", {"advance": 1e300}, "advance"),
    ("POST", "/_emulator/clock", {"set": "1e300"}, "set"),
    ("POST", "/_emulator/clock", {"set": "-1e15"}, "set"),
    ("POST", "/_emulator/clock", {"set": "nan"}, "set"),
    ("POST", "/_emulator/clock", {"set": "inf"}, "set"),
    ("POST", "/_emulator/clock", {"set": "0001-01-01T00:00:00+14:00"}, "set"),
    ("POST", "/_emulator/keys", {"key": "k1", "provider": []}, "provider"),
    ("POST", "/_emulator/keys", {"key": "k1", "provider": {}}, "provider"),
    ("POST", "/_emulator/keys", {"key": "k1", "plan": []}, "plan"),
    ("POST", "/_emulator/keys", {"key": "k1", "state": []}, "state"),
    ("POST", "/_emulator/keys", {"key": "k1", "state": False}, "state"),
    ("POST", "/_emulator/keys", {"key": "k1", "limits": []}, "limits"),
    ("POST", "/_emulator/faults", {"status": []}, "status"),
    ("POST", "/_emulator/faults", {"status": {}}, "status"),
    ("POST", "/_emulator/faults", {"status": 400.0}, "status"),
    ("POST", "/_emulator/faults", {"error": []}, "error"),
    ("POST", "/_emulator/faults", {"latency_ms": 10**15}, "latency_ms"),
    ("POST", "/_emulator/faults", {"tokens_per_second": 1e-300}, "tokens_per_second"),
    ("PUT", "/_emulator/limits", {"ruijing": {"plans": ["free"]}}, None),
    ("PUT", "/_emulator/limits", {"ruijing": {"plans": {"free": 5}}}, None),
    ("PUT", "/_emulator/limits", {"apiyi": [["rpm", 5]]}, None),
    ("PUT", "/_emulator/limits", {"apiyi": "abc"}, None),
]


@pytest.mark.parametrize(("method", "path", "body", "param"), BAD_CALLS,
                         ids=[f"{m} {p} {b}" for m, p, b, _ in BAD_CALLS])
def test_bad_control_input_is_a_400_and_changes_nothing(
        client: TestClient, method: str, path: str, body: Any, param: str | None) -> None:
    before = {p: client.get(p).json() for p in ("/_emulator/clock", "/_emulator/keys",
                                                "/_emulator/faults", "/_emulator/limits")}
    reply = client.request(method, path, json=body)
    assert reply.status_code == 400 and reply.headers["content-type"] == "application/json"
    assert reply.json()["error"]["param"] == param
    after = {p: client.get(p).json() for p in before}
    before["/_emulator/clock"].pop("now"), after["/_emulator/clock"].pop("now")
    before["/_emulator/clock"].pop("iso"), after["/_emulator/clock"].pop("iso")
    assert after == before
    assert client.post(CHAT, json=ASK, headers=AUTH).status_code == 200


@pytest.mark.parametrize("value", ["status=[]", "error={}", '{"status": [500]}'])
def test_a_bad_fault_header_is_the_providers_400(client: TestClient, value: str) -> None:
    reply = client.post(CHAT, json=ASK, headers={**AUTH, "X-Emulator-Fault": value})
    assert reply.status_code == 400
    assert reply.json()["error"]["type"] == "invalid_request_error"


def test_the_clock_stays_within_what_answers_can_show(client: TestClient) -> None:
    # Up to the end of 9998: a live clock set there still has a year of dates to show.
    reply = client.post("/_emulator/clock", json={"set": "9998-12-31T23:59:00Z"})
    assert reply.status_code == 200
    assert client.post("/_emulator/clock", json={"advance": 60}).status_code == 400
    assert client.post("/_emulator/clock", json={"advance": 59}).status_code == 200
    answer = client.post(CHAT, json=ASK, headers=AUTH)
    assert answer.status_code == 200 and answer.json()["created"] >= 253370764799
    body = {"model": "gpt-4-turbo", "messages": [{"role": "user", "content": "hi"}]}
    enveloped = client.post("/aimodels/v1/chat/completions", json=body, headers=AUTH)
    assert enveloped.json()["timestamp"].startswith("9998-12-31T23:59:5")


@pytest.mark.parametrize(("limit", "count"), [("0", 0), ("2", 2), ("10", 3)])
def test_the_journal_limit_is_a_count_of_the_newest(client: TestClient, limit: str,
                                                    count: int) -> None:
    for _ in range(3):
        client.post(CHAT, json=ASK, headers=AUTH)
    listing = client.get(f"/_emulator/requests?limit={limit}").json()
    assert listing["count"] == count and len(listing["requests"]) == count
    if count:
        assert listing["requests"][-1]["id"] == 3


def test_a_journal_limit_past_any_journal_is_all_of_it(client: TestClient) -> None:
    client.post(CHAT, json=ASK, headers=AUTH)
    listing = client.get("/_emulator/requests?limit=" + "1" * 5000).json()
    assert listing["count"] == 1


@pytest.mark.parametrize("name", ["limit", "status", "after"])
@pytest.mark.parametrize("value", ["-1", "abc", "1e3", "²", ""])
def test_a_journal_number_that_is_no_number_is_a_400(client: TestClient, name: str,
                                                     value: str) -> None:
    reply = client.get(f"/_emulator/requests?{name}={value}")
    assert reply.status_code == 400 and reply.json()["error"]["param"] == name


@pytest.mark.parametrize(("method", "path", "status", "kind"), [
    ("GET", "/_emulator/nope", 404, "not_found"),
    ("GET", "/_emulator/", 404, "not_found"),
    ("PUT", "/_emulator/requests", 405, "method_not_allowed"),
    ("GET", "/_emulator/reset", 405, "method_not_allowed"),
    ("DELETE", "/_emulator/clock", 405, "method_not_allowed"),
])
def test_unknown_calls_and_methods_get_json(client: TestClient, method: str, path: str,
                                            status: int, kind: str) -> None:
    reply = client.request(method, path)
    assert reply.status_code == status and reply.json()["error"]["type"] == kind


def test_a_trailing_slash_deletes_nothing(client: TestClient) -> None:
    client.post("/_emulator/faults", json={"status": 503, "path": "/nowhere"})
    reply = client.request("DELETE", "/_emulator/faults/", follow_redirects=True)
    assert reply.status_code == 404
    assert len(client.get("/_emulator/faults").json()["faults"]) == 1
