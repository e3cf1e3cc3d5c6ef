"""Same request, same seed: the same bytes. Different seed: a different answer."""

from __future__ import annotations

from starlette.testclient import TestClient

from emulator import Config, create_app

from .conftest import AUTH, FROZEN

REQUEST = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Describe a forest"}]}


def post(app_client: TestClient, body: dict, slug: str = "apiyi") -> bytes:
    return app_client.post(f"/{slug}/v1/chat/completions", headers=AUTH, json=body).content


def test_same_request_twice_gives_identical_bytes(client: TestClient) -> None:
    assert post(client, REQUEST) == post(client, REQUEST)


def test_two_apps_with_the_same_seed_and_clock_agree_byte_for_byte() -> None:
    with TestClient(create_app(Config(seed=3, clock=FROZEN))) as one, \
            TestClient(create_app(Config(seed=3, clock=FROZEN))) as two:
        assert post(one, REQUEST) == post(two, REQUEST)
        streamed = dict(REQUEST, stream=True)
        assert post(one, streamed) == post(two, streamed)


def test_a_different_seed_gives_a_different_answer() -> None:
    with TestClient(create_app(Config(seed=3, clock=FROZEN))) as one, \
            TestClient(create_app(Config(seed=4, clock=FROZEN))) as two:
        a, b = post(one, REQUEST), post(two, REQUEST)
    assert a != b


def test_the_answer_depends_on_provider_and_request(client: TestClient) -> None:
    other = dict(REQUEST, messages=[{"role": "user", "content": "Describe a desert"}])
    assert post(client, REQUEST) != post(client, other)
    assert post(client, REQUEST, "apiyi") != post(client, REQUEST, "qhaigc")


def test_response_headers_carry_a_deterministic_request_id(client: TestClient) -> None:
    first = client.post("/apiyi/v1/chat/completions", headers=AUTH, json=REQUEST)
    second = client.post("/apiyi/v1/chat/completions", headers=AUTH, json=REQUEST)
    assert first.headers["x-request-id"] == second.headers["x-request-id"]
    assert first.headers["x-request-id"].startswith("req_")


def test_frozen_clock_sets_created_and_real_clock_moves() -> None:
    with TestClient(create_app(Config(clock="2024-01-15T10:30:00Z"))) as frozen:
        body = frozen.post("/apiyi/v1/chat/completions", headers=AUTH, json=REQUEST).json()
    assert body["created"] == 1705314600
    with TestClient(create_app(Config())) as real:
        body = real.post("/apiyi/v1/chat/completions", headers=AUTH, json=REQUEST).json()
    assert body["created"] > 1705314600
