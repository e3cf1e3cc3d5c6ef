"""Each app owns its state; reset() returns it to a freshly built one; the public API."""

from __future__ import annotations

from starlette.testclient import TestClient

import emulator
from emulator import Config, create_app

from .conftest import AUTH

REQUEST = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}


def test_public_api_is_pinned() -> None:
    assert sorted(emulator.__all__) == ["Config", "EmulatorApp", "EmulatorServer",
                                        "__version__", "create_app"]


def test_reset_returns_state_to_a_fresh_one() -> None:
    app = create_app(Config(seed=1))
    fresh = create_app(Config(seed=1)).state.snapshot()
    with TestClient(app) as client:
        client.post("/apiyi/v1/chat/completions", headers=AUTH, json=REQUEST)
        app.state.clock.advance(30)
        assert app.state.snapshot() != fresh
        assert client.post("/_emulator/reset").status_code == 200
    assert app.state.snapshot() == fresh


def test_two_apps_in_one_process_do_not_share_state() -> None:
    one, two = create_app(Config()), create_app(Config())
    with TestClient(one) as client:
        client.post("/apiyi/v1/chat/completions", headers=AUTH, json=REQUEST)
    assert len(one.state.journal.entries) == 1
    assert len(two.state.journal.entries) == 0


def test_journal_is_bounded_and_counts_what_it_dropped() -> None:
    app = create_app(Config(journal_size=3))
    with TestClient(app) as client:
        for _ in range(5):
            client.get("/apiyi/v1/models", headers=AUTH)
        body = client.get("/_emulator/requests").json()
    assert body["count"] == 3 and body["dropped"] == 2
    assert [e["id"] for e in body["requests"]] == [3, 4, 5]


def test_journal_filters_by_provider_and_model(client: TestClient) -> None:
    client.post("/apiyi/v1/chat/completions", headers=AUTH, json=REQUEST)
    client.post("/ruijing/v1/chat/completions", headers=AUTH,
                json=dict(REQUEST, model="ruijing-gpt-lite"))
    by_provider = client.get("/_emulator/requests", params={"provider": "ruijing"}).json()
    assert [e["provider"] for e in by_provider["requests"]] == ["ruijing"]
    by_model = client.get("/_emulator/requests", params={"model": "gpt-4o"}).json()
    assert [e["model"] for e in by_model["requests"]] == ["gpt-4o"]
