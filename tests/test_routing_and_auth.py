"""Where providers are served, and how keys are read."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from jsonschema import Draft202012Validator
from starlette.testclient import TestClient

from emulator import Config, EmulatorServer, create_app
from emulator.providers import PROFILES

from .conftest import AUTH

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
HELLO = {"messages": [{"role": "user", "content": "hi"}]}
MODEL = {"qhaigc": "gpt-4o", "apiyi": "gpt-4o", "xiaoai": "xiaoai-chat-v1",
         "ruijing": "ruijing-gpt-2.0", "aimodels": "gpt-4-turbo"}


def error_validator(slug: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((SCHEMAS / slug / "error.json").read_text()))


def test_health_answers_200(client: TestClient) -> None:
    response = client.get("/_emulator/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_root_lists_the_providers(client: TestClient) -> None:
    body = client.get("/").json()
    assert set(body["providers"]) == set(PROFILES)
    assert body["providers"]["apiyi"].endswith("/apiyi/v1")


def test_unmounted_path_is_a_404_naming_the_mounts(client: TestClient) -> None:
    response = client.post("/v1/chat/completions", headers=AUTH, json=HELLO)
    assert response.status_code == 404
    assert "providers" in response.json()


@pytest.mark.parametrize("slug", list(PROFILES))
def test_documented_host_name_routes_to_the_provider_at_the_root(slug: str) -> None:
    app = create_app(Config())
    host = PROFILES[slug].hosts[0]
    with TestClient(app, base_url=f"http://{host}") as client:
        response = client.post("/v1/chat/completions", headers=AUTH,
                               json=dict(HELLO, model=MODEL[slug]))
    assert response.status_code == 200
    assert app.state.journal.entries[-1].provider == slug


def test_root_provider_serves_at_v1_and_keeps_the_mounts() -> None:
    with TestClient(create_app(Config(root_provider="ruijing"))) as client:
        root = client.post("/v1/chat/completions", headers=AUTH,
                           json=dict(HELLO, model="ruijing-gpt-2.0"))
        mounted = client.post("/apiyi/v1/chat/completions", headers=AUTH,
                              json=dict(HELLO, model="gpt-4o"))
    assert root.status_code == 200 and mounted.status_code == 200


def test_unknown_root_provider_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown provider"):
        create_app(Config(root_provider="nope"))


def test_qhaigc_hong_kong_node_serves_without_v1(client: TestClient) -> None:
    response = client.post("/qhaigc/chat/completions", headers=AUTH,
                           json=dict(HELLO, model="gpt-4o"))
    assert response.status_code == 200


@pytest.mark.parametrize("slug", list(PROFILES))
def test_unknown_path_is_a_404_in_the_providers_format(client: TestClient, slug: str) -> None:
    response = client.post(f"/{slug}/v1/no/such/thing", headers=AUTH, json={})
    assert response.status_code == 404
    error_validator(slug).validate(response.json())


@pytest.mark.parametrize(("slug", "id_headers"), [
    ("apiyi", {"x-request-id"}),
    ("xiaoai", {"x-request-id", "request-id"}),  # serves Anthropic's Messages API too
])
def test_a_404_carries_the_request_id_each_sdk_reads(client: TestClient, slug: str,
                                                     id_headers: set[str]) -> None:
    """An unknown path has no route to say which SDK sent it: where both may have, both
    id headers are sent (the anthropic SDK reads `request-id`, the openai one
    `x-request-id`), with the same id."""
    response = client.post(f"/{slug}/v1/messages/count_tokens", headers=AUTH, json={})
    assert response.status_code == 404
    sent = {k for k in response.headers if k in ("x-request-id", "request-id")}
    assert sent == id_headers
    assert len({response.headers[k] for k in sent}) == 1


@pytest.mark.parametrize("slug", list(PROFILES))
def test_wrong_method_is_a_405_in_the_providers_format(client: TestClient, slug: str) -> None:
    response = client.delete(f"/{slug}/v1/chat/completions", headers=AUTH)
    assert response.status_code == 405
    error_validator(slug).validate(response.json())


@pytest.mark.parametrize("slug", ["apiyi", "xiaoai"])
def test_head_is_get_without_a_body(server: EmulatorServer, slug: str) -> None:
    url = f"{server.base_url(slug)}/models"
    got = httpx.get(url, headers=AUTH)
    head = httpx.head(url, headers=AUTH)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == got.headers["content-length"]
    # A POST-only path still refuses HEAD, naming what it allows.
    refused = httpx.head(f"{server.base_url(slug)}/chat/completions", headers=AUTH)
    assert refused.status_code == 405 and refused.headers["allow"] == "POST"


EXPECTED_401 = {
    "qhaigc": {"error": {"message": "Invalid API key provided", "type": "invalid_request_error",
                         "param": None, "code": "invalid_api_key"}},
    "apiyi": {"error": {"message": "Invalid API key provided", "type": "invalid_request_error",
                        "param": None, "code": "invalid_api_key"}},
    "aimodels": {"success": False, "timestamp": "2024-01-15T10:30:00Z", "error": {
        "code": "invalid_api_key", "message": "API密鑰無效或已過期",
        "type": "authentication_error"}},
}


@pytest.mark.parametrize("slug", list(PROFILES))
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic abc"},
                                     {"Authorization": "Bearer "},
                                     {"Authorization": "Bearer two words"}])
def test_missing_or_malformed_key_gets_the_documented_401(
        client: TestClient, slug: str, headers: dict[str, str]) -> None:
    response = client.post(f"/{slug}/v1/chat/completions", headers=headers,
                           json=dict(HELLO, model=MODEL[slug]))
    assert response.status_code == 401
    body = response.json()
    error_validator(slug).validate(body)
    if slug in EXPECTED_401:
        assert body == EXPECTED_401[slug]
    else:
        assert body["error"]["type"] == "authentication_error"


def test_xiaoai_accepts_x_api_key(client: TestClient) -> None:
    response = client.post("/xiaoai/v1/chat/completions", headers={"X-Api-Key": "sk-gw-abc"},
                           json=dict(HELLO, model="xiaoai-chat-v1"))
    assert response.status_code == 200
    assert response.json()["id"].startswith("cmpl-")


def test_bearer_only_providers_ignore_x_api_key(client: TestClient) -> None:
    response = client.post("/apiyi/v1/chat/completions", headers={"X-Api-Key": "sk-abc"},
                           json=dict(HELLO, model="gpt-4o"))
    assert response.status_code == 401


def test_the_journal_masks_the_key(client: TestClient) -> None:
    client.post("/apiyi/v1/chat/completions", headers={"Authorization": "Bearer sk-secret-123456"},
                json=dict(HELLO, model="gpt-4o"))
    entry = client.get("/_emulator/requests").json()["requests"][-1]
    assert "sk-secret-123456" not in json.dumps(entry)
    assert entry["headers"]["authorization"] == "Bearer sk-...3456"
    assert entry["body"] == dict(HELLO, model="gpt-4o")
    assert entry["status"] == 200 and entry["route_id"] == "openai.chat_completions"


def test_bad_requests_are_still_journaled(client: TestClient) -> None:
    client.post("/ruijing/v1/chat/completions", headers=AUTH, content=b"{not json")
    entry = client.get("/_emulator/requests").json()["requests"][-1]
    assert entry["status"] == 400 and entry["body"] == "{not json"
