"""The memoised answers of pure routes (answer_cache.py): the same bytes as a fresh
generation, and everything per request (fixtures, faults, clock, journal) still applies."""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from emulator import Config, create_app
from emulator.protocols import HANDLER_PATHS, HANDLERS, PURE_ROUTES
from emulator.providers import PROFILES

from .conftest import AUTH, FROZEN

CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Describe a forest"}]}
URL = "/apiyi/v1/chat/completions"


def uncached_client(seed: int = 3) -> TestClient:
    app = create_app(Config(seed=seed, clock=FROZEN))
    app.state.answers.size = 0  # caching off: every answer generated afresh
    return TestClient(app)


def test_cached_answers_are_byte_identical_to_generated_ones() -> None:
    bodies = [CHAT, dict(CHAT, stream=True), dict(CHAT, n=2, max_tokens=5),
              dict(CHAT, stream=True, stream_options={"include_usage": True})]
    with TestClient(create_app(Config(seed=3, clock=FROZEN))) as cached, \
            uncached_client() as fresh:
        for body in bodies:
            first = cached.post(URL, headers=AUTH, json=body)
            again = cached.post(URL, headers=AUTH, json=body)
            expected = fresh.post(URL, headers=AUTH, json=body)
            assert first.content == again.content == expected.content
            assert first.headers["x-request-id"] == again.headers["x-request-id"]
        assert len(cached.app.state.answers.entries) == len(bodies)  # type: ignore[attr-defined]
        assert fresh.app.state.answers.entries == {}  # type: ignore[attr-defined]


def test_anthropic_and_embeddings_answers_are_cached_identically() -> None:
    calls = [("/xiaoai/v1/messages", {"model": "xiaoai-chat-v1", "max_tokens": 64,
                                       "messages": [{"role": "user", "content": "Hi"}]}),
             ("/apiyi/v1/embeddings", {"model": "text-embedding-ada-002", "input": "x"})]
    with TestClient(create_app(Config(seed=3, clock=FROZEN))) as cached, \
            uncached_client() as fresh:
        for url, body in calls:
            cached.post(url, headers=AUTH, json=body)
            assert cached.post(url, headers=AUTH, json=body).content == \
                fresh.post(url, headers=AUTH, json=body).content


def test_a_fixture_added_after_a_cached_answer_still_wins(client: TestClient) -> None:
    from emulator.fixtures import parse_rule

    client.post(URL, headers=AUTH, json=CHAT)
    client.post(URL, headers=AUTH, json=CHAT)  # now served from the cache
    rule = parse_rule({"match": {"content": {"contains": "forest"}},
                       "reply": {"content": "Canned."}}, "test")
    client.app.state.fixtures.add(rule)  # type: ignore[attr-defined]
    body = client.post(URL, headers=AUTH, json=CHAT).json()
    assert body["choices"][0]["message"]["content"] == "Canned."


def test_the_clock_still_moves_created(client: TestClient) -> None:
    first = client.post(URL, headers=AUTH, json=CHAT).json()
    client.post("/_emulator/clock", json={"advance": 5})
    later = client.post(URL, headers=AUTH, json=CHAT).json()
    assert later["created"] == first["created"] + 5
    assert later["choices"] == first["choices"] and later["id"] == first["id"]


def test_faults_and_the_journal_still_apply_to_cached_answers(client: TestClient) -> None:
    client.post(URL, headers=AUTH, json=CHAT)
    faulted = client.post(URL, headers={**AUTH, "X-Emulator-Fault": "status=503"}, json=CHAT)
    assert faulted.status_code == 503
    assert client.post(URL, headers=AUTH, json=CHAT).status_code == 200
    entries = client.app.state.journal.entries  # type: ignore[attr-defined]
    assert [e.status for e in entries] == [200, 503, 200]


def test_a_cached_answer_still_counts_down_the_rate_limit_headers() -> None:
    """The rendered response kept with a cached answer never carries one request's
    rate-limit headers to the next: each is rendered with its own."""
    with TestClient(create_app(Config(seed=3, clock=FROZEN))) as client:
        responses = [client.post(URL, headers=AUTH, json=CHAT) for _ in range(4)]
    remaining = [int(r.headers["x-ratelimit-remaining-requests"]) for r in responses]
    assert remaining == list(range(remaining[0], remaining[0] - 4, -1))
    assert len({r.content for r in responses}) == 1
    assert len({r.headers["x-request-id"] for r in responses}) == 1


def test_a_cached_answer_is_sent_the_same_way_every_time() -> None:
    """Without limits the whole rendered response is reused: the same status, headers
    (content-length included) and body, request after request."""
    with TestClient(create_app(Config(seed=3, clock=FROZEN, limits_enabled=False))) as client:
        sent = [client.post(URL, headers=AUTH, json=CHAT) for _ in range(4)]
    assert "x-ratelimit-remaining-requests" not in sent[0].headers
    assert len({(r.status_code, tuple(r.headers.items()), r.content) for r in sent}) == 1
    assert int(sent[0].headers["content-length"]) == len(sent[0].content)


def test_the_cache_is_bounded() -> None:
    app = create_app(Config(seed=1, clock=FROZEN))
    app.state.answers.size = 4
    with TestClient(app) as client:
        for i in range(10):
            body = dict(CHAT, messages=[{"role": "user", "content": f"question {i}"}])
            for _ in range(2):  # a body's answer is kept from its second sighting on
                assert client.post(URL, headers=AUTH, json=body).status_code == 200
    assert len(app.state.answers.entries) == 4


def test_a_body_seen_once_is_not_kept() -> None:
    app = create_app(Config(seed=1, clock=FROZEN))
    with TestClient(app) as client:
        for i in range(3):
            body = dict(CHAT, messages=[{"role": "user", "content": f"once {i}"}])
            assert client.post(URL, headers=AUTH, json=body).status_code == 200
    assert len(app.state.answers.entries) == 0


def test_every_route_has_a_handler_loaded_on_demand() -> None:
    route_ids = {r.route_id for p in PROFILES.values() for r in p.routes}
    assert route_ids <= set(HANDLER_PATHS) and set(HANDLERS) == set(HANDLER_PATHS)
    assert PURE_ROUTES.issubset(HANDLER_PATHS)
    for route_id in route_ids:
        assert route_id in HANDLERS and callable(HANDLERS[route_id])


def test_a_load_that_cycles_through_500_prompts_is_served_from_the_cache(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the first two passes (a body is kept from its second sighting on), no answer
    of 500 distinct prompts is generated again."""
    calls: list[int] = []
    handler = HANDLERS["openai.chat_completions"]

    def counted(call: Any) -> Any:
        calls.append(1)
        return handler(call)

    monkeypatch.setitem(HANDLERS, "openai.chat_completions", counted)
    bodies = [dict(CHAT, messages=[{"role": "user", "content": f"prompt {i}"}])
              for i in range(500)]
    app = create_app(Config(seed=1, clock=FROZEN, limits_enabled=False))

    async def load() -> list[list[bytes]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return [[(await client.post(URL, headers=AUTH, json=b)).content for b in bodies]
                    for _ in range(3)]

    passes = asyncio.run(load())
    assert passes[0] == passes[1] == passes[2]
    assert len(calls) == 1000


def test_embeddings_answers_are_bounded_by_bytes_and_kept_at_their_size() -> None:
    """A kept embeddings answer holds about 100 KB, not the 260 KB orjson's buffer took,
    and the byte bound caps how many are kept."""
    url = "/apiyi/v1/embeddings"
    app = create_app(Config(seed=1, clock=FROZEN, limits_enabled=False))
    cache = app.state.answers
    cache.max_bytes = 1_000_000
    with TestClient(app) as client:
        client.post(url, headers=AUTH, json={"model": "text-embedding-ada-002", "input": "warm"})
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for i in range(12):
                body = {"model": "text-embedding-ada-002", "input": f"text {i}"}
                for _ in range(2):
                    assert client.post(url, headers=AUTH, json=body).status_code == 200
            gc.collect()
            held = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    kept = len(cache.entries)
    assert 6 <= kept < 12 and cache.bytes <= cache.max_bytes  # the oldest went
    assert held / kept < 150_000


def test_a_body_repeated_over_seconds_holds_one_entry(client: TestClient) -> None:
    """An answer made in an earlier second of the clock is made again (its `created`
    moves) and replaces the old one, rather than adding one entry a second."""
    answers = client.app.state.answers  # type: ignore[attr-defined]
    created = []
    for _ in range(3):
        for _ in range(2):
            created.append(client.post(URL, headers=AUTH, json=CHAT).json()["created"])
        client.post("/_emulator/clock", json={"advance": 1})
    assert created[1:] == [created[0], created[0] + 1, created[0] + 1, created[0] + 2,
                           created[0] + 2]
    assert len(answers.entries) == 1
