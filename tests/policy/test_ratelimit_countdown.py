"""The OpenAI-style `x-ratelimit-*` headers (qhaigc, apiyi) are exact on every response:
remaining goes down by one request (and by the request's estimated tokens), and reset is
the time left until the window frees, read off the emulator's clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from emulator import Config, create_app
from emulator.policy.ratelimit import estimate_tokens

from ..conftest import FROZEN
from .test_ratelimit import advance, chat, post


@pytest.fixture
def five() -> Iterator[TestClient]:
    """5 requests and 200 tokens a minute on the OpenAI-style providers."""
    overrides = {slug: {"rpm": 5, "rpd": None, "tpm": 200, "tpd": None}
                 for slug in ("qhaigc", "apiyi")}
    app = create_app(Config(seed=7, clock=FROZEN, limit_overrides=overrides))
    with TestClient(app, base_url="http://testserver") as client:
        yield client


@pytest.mark.parametrize("slug", ["qhaigc", "apiyi"])
def test_remaining_counts_down_and_reset_follows_the_clock(five: TestClient,
                                                           slug: str) -> None:
    cost = estimate_tokens(chat(slug))
    seen = []
    for step in range(5):
        response = post(five, slug)
        assert response.status_code == 200
        seen.append((response.headers["x-ratelimit-remaining-requests"],
                     response.headers["x-ratelimit-remaining-tokens"],
                     response.headers["x-ratelimit-reset-requests"]))
        assert response.headers["x-ratelimit-limit-requests"] == "5"
        assert response.headers["x-ratelimit-limit-tokens"] == "200"
        advance(five, 10 if step < 4 else 0)
    assert seen == [(str(4 - i), str(200 - (i + 1) * cost), reset) for i, reset in
                    enumerate(["1m0s", "50s", "40s", "30s", "20s"])]
    refused = post(five, slug)
    assert refused.status_code == 429
    assert refused.headers["x-ratelimit-remaining-requests"] == "0"
    assert refused.headers["retry-after"] == "20"
    advance(five, 20)
    fresh = post(five, slug)
    assert fresh.status_code == 200
    assert fresh.headers["x-ratelimit-remaining-requests"] == "4"
    assert fresh.headers["x-ratelimit-reset-requests"] == "1m0s"
