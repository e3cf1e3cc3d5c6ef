"""Rate limits per provider: the 429 body and headers, recovery when the clock moves,
plans, token windows, concurrency, overrides and switching limits off."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest
from starlette.testclient import TestClient

from emulator import Config, EmulatorServer, create_app
from emulator.context import RequestContext
from emulator.errors import RateLimited
from emulator.policy.ratelimit import estimate_tokens, go_duration

from ..conftest import AUTH, FROZEN, KEY, SCHEMAS

T0 = 1705314600  # FROZEN as Unix seconds
MODELS = {"qhaigc": "gpt-4o", "apiyi": "gpt-4o", "xiaoai": "xiaoai-chat-v1",
          "ruijing": "ruijing-gpt-2.0", "aimodels": "gpt-4-turbo"}
RATE_HEADERS = ("x-ratelimit-", "retry-after")


def chat(slug: str, max_tokens: int = 16) -> dict[str, Any]:
    return {"model": MODELS[slug], "messages": [{"role": "user", "content": "Say hi"}],
            "max_tokens": max_tokens}


def limited_client(**config: Any) -> Iterator[TestClient]:
    app = create_app(Config(seed=7, clock=FROZEN, **config))
    with TestClient(app, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def tight() -> Iterator[TestClient]:
    """Two requests a minute everywhere (and no other limit, so headers are predictable)."""
    overrides = {slug: {"rpm": 2, "rpd": None, "tpm": None, "tpd": None} for slug in MODELS}
    yield from limited_client(limit_overrides=overrides)


def post(client: TestClient, slug: str, body: dict[str, Any] | None = None,
         headers: dict[str, str] | None = None) -> httpx.Response:
    return client.post(f"/{slug}/v1/chat/completions", json=body or chat(slug),
                       headers=headers or AUTH)


def rate_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith(RATE_HEADERS)}


def check_error_schema(slug: str, body: Any) -> None:
    schema = json.loads((SCHEMAS / slug / "error.json").read_text())
    jsonschema.validate(body, schema)


def advance(client: TestClient, seconds: float) -> None:
    assert client.post("/_emulator/clock", json={"advance": seconds}).status_code == 200


EXPECTED_429 = {
    "qhaigc": {"error": {"message": "Rate limit reached for gpt-4o on requests per min (RPM): "
                         "Limit 2, Used 2, Requested 1. Please try again in 1m0s.",
                         "type": "requests", "param": None, "code": "rate_limit_exceeded"}},
    "apiyi": {"error": {"message": "Rate limit reached for gpt-4o on requests per min (RPM): "
                        "Limit 2, Used 2, Requested 1. Please try again in 1m0s.",
                        "type": "requests", "param": None, "code": "rate_limit_exceeded"}},
    "xiaoai": {"error": {"type": "rate_limit_error",
                         "message": "Rate limit reached for xiaoai-chat-v1 on requests per "
                         "min (RPM): Limit 2, Used 2, Requested 1. Please try again in 1m0s."}},
    "ruijing": {"error": {"message": "Rate limit reached for ruijing-gpt-2.0 on requests per "
                          "min (RPM): Limit 2, Used 2, Requested 1. Please try again in 1m0s.",
                          "type": "rate_limit_error"}},
    "aimodels": {"success": False, "timestamp": "2024-01-15T10:30:00Z",
                 "error": {"code": "rate_limit_exceeded", "type": "rate_limit_error",
                           "message": "Rate limit reached for gpt-4-turbo on requests per min "
                           "(RPM): Limit 2, Used 2, Requested 1. Please try again in 1m0s."}},
}

EXPECTED_429_HEADERS = {
    "qhaigc": {"x-ratelimit-limit-requests": "2", "x-ratelimit-remaining-requests": "0",
               "x-ratelimit-reset-requests": "1m0s", "retry-after": "60"},
    "apiyi": {"x-ratelimit-limit-requests": "2", "x-ratelimit-remaining-requests": "0",
              "x-ratelimit-reset-requests": "1m0s", "retry-after": "60"},
    "xiaoai": {"retry-after": "60"},
    "ruijing": {"retry-after": "60"},
    "aimodels": {"x-ratelimit-limit": "2", "x-ratelimit-remaining": "0",
                 "x-ratelimit-reset": str(T0 + 60), "retry-after": "60"},
}


@pytest.mark.parametrize("slug", list(MODELS))
def test_third_request_in_a_minute_gets_documented_429(tight: TestClient, slug: str) -> None:
    assert post(tight, slug).status_code == 200
    assert post(tight, slug).status_code == 200
    refused = post(tight, slug)
    assert refused.status_code == 429
    check_error_schema(slug, refused.json())
    assert refused.json() == EXPECTED_429[slug]
    assert rate_headers(refused) == EXPECTED_429_HEADERS[slug]


@pytest.mark.parametrize("slug", list(MODELS))
def test_window_frees_exactly_at_its_reset(tight: TestClient, slug: str) -> None:
    post(tight, slug)
    advance(tight, 20)
    post(tight, slug)
    advance(tight, 30)
    refused = post(tight, slug)
    # The window opened with the first request: it frees 60 s after it, 10 s from now.
    assert refused.headers["retry-after"] == "10"
    advance(tight, 9.5)
    assert post(tight, slug).status_code == 429
    advance(tight, 0.5)
    again = post(tight, slug)
    assert again.status_code == 200
    assert "retry-after" not in again.headers


def test_aimodels_headers_count_down_on_every_response(tight: TestClient) -> None:
    seen = []
    for _ in range(2):
        response = post(tight, "aimodels")
        seen.append(rate_headers(response))
    assert seen == [
        {"x-ratelimit-limit": "2", "x-ratelimit-remaining": "1",
         "x-ratelimit-reset": str(T0 + 60)},
        {"x-ratelimit-limit": "2", "x-ratelimit-remaining": "0",
         "x-ratelimit-reset": str(T0 + 60)},
    ]
    # Errors raised before the limit check carry the headers too (uncharged).
    bad = tight.post("/aimodels/v1/chat/completions", json={"messages": []}, headers=AUTH)
    assert bad.status_code == 400
    assert bad.headers["x-ratelimit-remaining"] == "0"
    advance(tight, 60)
    fresh = tight.get("/aimodels/v1/models", headers={"Authorization": "Bearer other-key"})
    assert rate_headers(fresh)["x-ratelimit-remaining"] == "1"


def test_aimodels_default_limit_counts_down_by_one(client: TestClient) -> None:
    remaining = [int(post(client, "aimodels").headers["x-ratelimit-remaining"])
                 for _ in range(5)]
    assert remaining == [59, 58, 57, 56, 55]


def test_openai_style_token_headers_and_tpm_429() -> None:
    for client in limited_client(limit_overrides={"apiyi": {"tpm": 100}}):
        body = chat("apiyi", max_tokens=40)
        cost = estimate_tokens(body)
        assert cost == 3 + 3 + 2 + 40  # reply + message framing, "Say hi", max_tokens
        first = post(client, "apiyi", body)
        assert rate_headers(first) == {
            "x-ratelimit-limit-requests": "3000", "x-ratelimit-remaining-requests": "2999",
            "x-ratelimit-reset-requests": "1m0s", "x-ratelimit-limit-tokens": "100",
            "x-ratelimit-remaining-tokens": str(100 - cost),
            "x-ratelimit-reset-tokens": "1m0s"}
        advance(client, 59.988)
        post(client, "apiyi", body)
        refused = post(client, "apiyi", body)
        assert refused.status_code == 429
        assert refused.json()["error"]["message"] == (
            f"Rate limit reached for gpt-4o on tokens per min (TPM): Limit 100, "
            f"Used {2 * cost}, Requested {cost}. Please try again in 12ms.")
        assert refused.headers["x-ratelimit-reset-tokens"] == "12ms"
        assert refused.headers["retry-after"] == "1"  # integer seconds, never 0
        # OpenAI's body says which limit: "tokens" here, "requests" for a request count.
        assert refused.json()["error"]["type"] == "tokens"
        assert refused.json()["error"]["code"] == "rate_limit_exceeded"


def test_qhaigc_per_day_limit_waits_for_the_day() -> None:
    for client in limited_client(limit_overrides={"qhaigc": {"rpd": 2}}):
        post(client, "qhaigc")
        advance(client, 3600)
        post(client, "qhaigc")
        refused = post(client, "qhaigc")
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == str(86_400 - 3600)
        assert "requests per day (RPD): Limit 2, Used 2" in refused.json()["error"]["message"]
        advance(client, 86_400 - 3600)
        assert post(client, "qhaigc").status_code == 200


def test_ruijing_free_plan_fourth_request_in_a_minute_is_429() -> None:
    keys = ({"key": "sk-free", "provider": "ruijing", "plan": "free"},)
    free = {"Authorization": "Bearer sk-free"}
    for client in limited_client(keys=keys):
        assert [post(client, "ruijing", headers=free).status_code for _ in range(4)] == \
            [200, 200, 200, 429]
        refused = post(client, "ruijing", headers=free)
        assert refused.headers["retry-after"] == "60"
        assert refused.json()["error"]["type"] == "rate_limit_error"
        # Other keys are on the default plan ("pro", 60 RPM): unaffected.
        assert post(client, "ruijing").status_code == 200
        advance(client, 60)
        assert post(client, "ruijing", headers=free).status_code == 200


def test_ruijing_free_plan_tokens_per_day() -> None:
    keys = ({"key": "sk-free", "plan": "free"},)
    free = {"Authorization": "Bearer sk-free"}
    body = chat("ruijing", max_tokens=4000)
    for client in limited_client(keys=keys):
        assert post(client, "ruijing", body, free).status_code == 200
        assert post(client, "ruijing", body, free).status_code == 200
        refused = post(client, "ruijing", body, free)  # 3 RPM allows it; 10,000 tokens not
        assert refused.status_code == 429
        assert "tokens per day (TPD): Limit 10000" in refused.json()["error"]["message"]
        assert refused.headers["retry-after"] == "86400"
        advance(client, 60)
        assert post(client, "ruijing", body, free).headers["retry-after"] == "86340"
        advance(client, 86_340)
        assert post(client, "ruijing", body, free).status_code == 200


def test_enterprise_plan_is_unlimited() -> None:
    keys = ({"key": "sk-ent", "plan": "enterprise"},)
    for client in limited_client(keys=keys, limit_overrides={"ruijing": {"rpm": 1}}):
        ent = {"Authorization": "Bearer sk-ent"}
        # A provider-wide override applies to every plan; the plan's own override wins.
        client.put("/_emulator/limits", json={"ruijing": {"plans": {"enterprise": {
            "rpm": None}}}})
        assert {post(client, "ruijing", headers=ent).status_code for _ in range(5)} == {200}
        assert [post(client, "ruijing").status_code for _ in range(2)] == [200, 429]


def test_limits_are_per_key_and_per_provider(tight: TestClient) -> None:
    for _ in range(2):
        post(tight, "xiaoai")
    assert post(tight, "xiaoai").status_code == 429
    other = {"Authorization": "Bearer sk-another"}
    assert post(tight, "xiaoai", headers=other).status_code == 200
    assert post(tight, "apiyi").status_code == 200


def test_no_limits_config_switches_everything_off() -> None:
    for client in limited_client(limits_enabled=False, limit_overrides={"xiaoai": {"rpm": 1}}):
        statuses = {post(client, "xiaoai").status_code for _ in range(5)}
        assert statuses == {200}
        assert rate_headers(post(client, "aimodels")) == {}


def test_control_api_overrides_and_reset(client: TestClient) -> None:
    shown = client.put("/_emulator/limits", json={"xiaoai": {"rpm": 1}}).json()
    assert shown["providers"]["xiaoai"]["rpm"] == 1
    assert [post(client, "xiaoai").status_code for _ in range(2)] == [200, 429]
    assert client.put("/_emulator/limits", json={"enabled": False}).status_code == 200
    assert post(client, "xiaoai").status_code == 200
    assert client.put("/_emulator/limits", json={"xiaoai": {"rpx": 1}}).status_code == 400
    assert client.put("/_emulator/limits", json={"nobody": {"rpm": 1}}).status_code == 400
    client.post("/_emulator/reset")
    shown = client.get("/_emulator/limits").json()
    assert shown["enabled"] is True and shown["providers"]["xiaoai"]["rpm"] == 60
    assert shown["providers"]["ruijing"]["plans"]["free"]["rpm"] == 3


def test_clock_control(client: TestClient) -> None:
    assert client.post("/_emulator/clock", json={"advance": 90}).json()["iso"] == \
        "2024-01-15T10:31:30Z"
    moved = client.post("/_emulator/clock", json={"set": "2024-01-16T00:00:00Z"}).json()
    assert moved["now"] == T0 + 48_600 and moved["frozen"] is True
    assert client.post("/_emulator/clock", json={"advance": -1}).status_code == 400
    assert client.post("/_emulator/clock", json={"set": "not a time"}).status_code == 400
    client.post("/_emulator/reset")
    assert client.get("/_emulator/clock").json()["now"] == T0


def test_reset_restores_a_fresh_state(app: Any, client: TestClient) -> None:
    fresh = app.state.snapshot()
    client.put("/_emulator/limits", json={"apiyi": {"rpm": 5}})
    client.post("/_emulator/keys", json={"key": "sk-x", "state": "disabled"})
    post(client, "apiyi")
    assert app.state.snapshot() != fresh
    app.state.reset()
    assert app.state.snapshot() == fresh


def _ctx(app: Any, slug: str) -> RequestContext:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    ctx = RequestContext(state=app.state, profile=app.profiles[slug], method="POST",
                         path="/v1/chat/completions", query="", headers={},
                         receive=receive)
    ctx.key = KEY
    ctx.body = chat(slug)
    return ctx


def test_apiyi_allows_100_concurrent_requests(app: Any) -> None:
    running = [_ctx(app, "apiyi") for _ in range(100)]
    for ctx in running:
        app.state.limiter.admit(ctx)
    extra = _ctx(app, "apiyi")
    with pytest.raises(RateLimited, match="Too many concurrent requests: Limit 100"):
        app.state.limiter.admit(extra)
    assert extra.response_headers["retry-after"] == "1"
    for release in running[0].on_complete:
        release()
    app.state.limiter.admit(_ctx(app, "apiyi"))


def test_concurrency_slot_is_released_after_the_response(client: TestClient, app: Any) -> None:
    for _ in range(3):
        assert post(client, "apiyi").status_code == 200
    assert app.state.limiter.in_flight == {}


def test_parallel_requests_get_exactly_the_limit() -> None:
    async def fire(base: str) -> list[int]:
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
            responses = await asyncio.gather(*(
                http.post("/v1/chat/completions", json=chat("xiaoai"), headers=AUTH)
                for _ in range(200)))
        return [r.status_code for r in responses]

    config = Config(seed=7, clock=FROZEN, limit_overrides={"xiaoai": {"rpm": 50}})
    with EmulatorServer(config) as server:
        statuses = asyncio.run(fire(f"{server.url}/xiaoai"))
    assert statuses.count(200) == 50
    assert statuses.count(429) == 150


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0s"), (0.012, "12ms"), (1, "1s"), (8.64, "8.64s"), (60, "1m0s"), (360, "6m0s"),
    (3723, "1h2m3s"), (86_400, "24h0m0s")])
def test_go_durations(seconds: float, text: str) -> None:
    assert go_duration(seconds) == text


@pytest.mark.parametrize("slug", ["apiyi", "ruijing"])
def test_a_request_larger_than_the_token_limit_gets_429_without_retry_after(slug: str) -> None:
    """No window will ever hold it: retry-after would promise a success that never comes."""
    overrides = {"apiyi": {"tpm": 50}, "ruijing": {"plans": {"pro": {"tpd": 50}}}}
    for client in limited_client(limit_overrides=overrides):
        refused = post(client, slug, chat(slug, max_tokens=100))
        assert refused.status_code == 429
        assert "retry-after" not in refused.headers
        error = refused.json()["error"]
        assert error["message"].startswith(f"Request too large for {MODELS[slug]} on tokens")
        assert error["type"] == ("tokens" if slug == "apiyi" else "rate_limit_error")
        check_error_schema(slug, refused.json())
        # Nothing was charged: a request that fits still passes.
        assert post(client, slug, chat(slug, max_tokens=8)).status_code == 200


def test_max_tokens_over_the_model_cap_is_its_400_whatever_the_token_limit() -> None:
    """The model's cap is checked before the token limit judges the request: a
    `max_tokens` past gpt-4o's 16,384 is OpenAI's 400, never a "Request too large" 429."""
    for client in limited_client(limit_overrides={"apiyi": {"tpm": 20_000}}):
        for max_tokens in (20_000, 999_999):
            refused = post(client, "apiyi", chat("apiyi", max_tokens=max_tokens))
            assert refused.status_code == 400
            assert refused.json()["error"]["message"].startswith(
                f"max_tokens is too large: {max_tokens}.")


@pytest.mark.parametrize(("slug", "body"), [
    ("apiyi", chat("apiyi", max_tokens=500_000)),  # over the model's output cap
    ("apiyi", {**chat("apiyi"), "tools": [{"type": "function", "function": {"name": "a"}}],
               "tool_choice": {"type": "function", "function": {"name": "b"}}}),  # no "b"
    ("ruijing", {"model": "ruijing-gpt-lite", "max_tokens": 2000,  # over its 8K context
                 "messages": [{"role": "user", "content": "word " * 9000}]}),
    ("xiaoai", {"model": "xiaoai-chat-v1", "max_tokens": 999_999,
                "messages": [{"role": "user", "content": "Hi"}]}),
])
def test_a_request_refused_after_admission_is_not_charged(slug: str,
                                                          body: dict[str, Any]) -> None:
    """Refused by the model's limits, not by the schema: it costs neither a request nor
    tokens, and its headers already say so."""
    for client in limited_client():
        refused = client.post(f"/{slug}/v1/chat/completions", json=body, headers=AUTH)
        assert refused.status_code == 400, refused.text
        served = post(client, slug)
        assert served.status_code == 200
        usage = client.get("/_emulator/limits").json()["usage"]
        assert usage[f"{slug}|{KEY}|rpm"][1] == 1  # the served request alone
        for dim in ("tpm", "tpd"):
            if f"{slug}|{KEY}|{dim}" in usage:
                assert usage[f"{slug}|{KEY}|{dim}"][1] == estimate_tokens(chat(slug))
        if slug == "apiyi":  # and its headers said so (ruijing and xiaoai send none)
            limit = int(served.headers["x-ratelimit-limit-requests"])
            assert refused.headers["x-ratelimit-remaining-requests"] == str(limit)
            assert served.headers["x-ratelimit-remaining-requests"] == str(limit - 1)
            tokens = int(served.headers["x-ratelimit-limit-tokens"])
            assert int(refused.headers["x-ratelimit-remaining-tokens"]) == tokens


def test_an_invalid_request_does_not_lock_a_free_plan_out_for_the_day() -> None:
    keys = ({"key": "sk-free", "provider": "ruijing", "plan": "free"},)
    free = {"Authorization": "Bearer sk-free"}
    for client in limited_client(keys=keys):
        too_long = {"model": "ruijing-gpt-lite", "max_tokens": 9000,
                    "messages": [{"role": "user", "content": "Hi"}]}
        assert post(client, "ruijing", too_long, free).status_code == 400
        assert post(client, "ruijing", chat("ruijing", max_tokens=2000), free).status_code \
            == 200


@pytest.mark.parametrize(("slug", "path", "header"), [
    ("apiyi", "/apiyi/v1/no-such-route", "x-ratelimit-remaining-requests"),
    ("aimodels", "/aimodels/v1/no-such-route", "x-ratelimit-remaining"),
])
def test_a_404_describes_the_window_of_the_key_it_sent(client: TestClient, slug: str,
                                                       path: str, header: str) -> None:
    served = [post(client, slug) for _ in range(2)]
    missing = client.get(path, headers=AUTH)
    assert missing.status_code == 404
    assert missing.headers[header] == served[-1].headers[header]


def test_a_429_on_a_route_without_a_model_names_none(tight: TestClient) -> None:
    for _ in range(2):
        assert tight.get("/apiyi/v1/models", headers=AUTH).status_code == 200
    refused = tight.get("/apiyi/v1/models", headers=AUTH)
    assert refused.status_code == 429
    assert refused.json()["error"]["message"].startswith(
        "Rate limit reached on requests per min (RPM): Limit 2, Used 2, Requested 1.")
