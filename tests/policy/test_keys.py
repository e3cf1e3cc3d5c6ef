"""Key states, plans and the unknown-key policy, from Config, the CLI and the control API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from starlette.testclient import TestClient

from emulator import Config, create_app
from emulator.cli import build_parser, config_from_args
from emulator.policy.keys import KeySpec

from ..conftest import FROZEN, KEY, SCHEMAS
from .test_ratelimit import MODELS, chat

FORBIDDEN_DOCUMENTED = ("xiaoai", "ruijing", "aimodels")
NO_403 = ("qhaigc", "apiyi")


def make_client(**config: Any) -> Iterator[TestClient]:
    with TestClient(create_app(Config(seed=7, clock=FROZEN, **config))) as client:
        yield client


def call(client: TestClient, slug: str, key: str = KEY) -> Any:
    return client.post(f"/{slug}/v1/chat/completions", json=chat(slug),
                       headers={"Authorization": f"Bearer {key}"})


def valid_error(slug: str, body: Any) -> Any:
    jsonschema.validate(body, json.loads((SCHEMAS / slug / "error.json").read_text()))
    return body["error"]


@pytest.mark.parametrize("state", ["disabled", "expired"])
@pytest.mark.parametrize("slug", FORBIDDEN_DOCUMENTED)
def test_disabled_or_expired_key_is_403_where_documented(client: TestClient, slug: str,
                                                         state: str) -> None:
    added = client.post("/_emulator/keys", json={"key": "sk-old", "state": state})
    assert added.status_code == 200
    response = call(client, slug, "sk-old")
    assert response.status_code == 403
    error = valid_error(slug, response.json())
    assert error["type"] == "permission_error"
    assert error["message"] == f"The API key has been {state}."
    assert call(client, slug).status_code == 200  # other keys are untouched


@pytest.mark.parametrize("slug", NO_403)
def test_disabled_key_is_401_where_no_403_is_documented(client: TestClient, slug: str) -> None:
    client.post("/_emulator/keys", json={"key": "sk-old", "state": "disabled"})
    response = call(client, slug, "sk-old")
    assert response.status_code == 401
    assert valid_error(slug, response.json())["code"] == "invalid_api_key"


def test_apiyi_out_of_quota_is_429_insufficient_quota(client: TestClient) -> None:
    client.post("/_emulator/keys", json={"key": "sk-broke", "provider": "apiyi",
                                         "state": "out_of_quota"})
    response = call(client, "apiyi", "sk-broke")
    assert response.status_code == 429
    assert valid_error("apiyi", response.json()) == {
        "message": "You exceeded your current quota, please check your plan and billing "
                   "details.",
        "type": "insufficient_quota", "param": None, "code": "insufficient_quota"}
    # Waiting does not help, so no retry-after (as OpenAI's spec says for user action).
    assert "retry-after" not in response.headers
    # Registered for apiyi only: the same key works elsewhere.
    assert call(client, "qhaigc", "sk-broke").status_code == 200


@pytest.mark.parametrize("slug", ["xiaoai", "ruijing", "aimodels", "qhaigc"])
def test_out_of_quota_elsewhere_is_the_nearest_documented_429(client: TestClient,
                                                               slug: str) -> None:
    client.post("/_emulator/keys", json={"key": "sk-broke", "state": "out_of_quota"})
    response = call(client, slug, "sk-broke")
    assert response.status_code == 429
    valid_error(slug, response.json())


def test_unknown_keys_rejected_when_configured() -> None:
    for client in make_client(unknown_keys="reject", keys=({"key": "sk-known"},)):
        for slug in MODELS:
            refused = call(client, slug, "sk-stranger")
            assert refused.status_code == 401, slug
            valid_error(slug, refused.json())
            assert call(client, slug, "sk-known").status_code == 200
        client.post("/_emulator/keys", json={"key": "sk-new"})
        assert call(client, "xiaoai", "sk-new").status_code == 200


def test_unknown_keys_accepted_by_default(client: TestClient) -> None:
    assert call(client, "ruijing", "anything-well-formed").status_code == 200


def test_config_keys_survive_reset_runtime_keys_do_not() -> None:
    keys = (KeySpec(key="sk-config", state="disabled"),)
    for client in make_client(keys=keys):
        client.post("/_emulator/keys", json={"key": "sk-runtime", "state": "expired"})
        listed = {k["key"]: k["source"] for k in client.get("/_emulator/keys").json()["keys"]}
        assert listed == {"sk-config": "config", "sk-runtime": "runtime"}
        client.post("/_emulator/reset")
        assert call(client, "xiaoai", "sk-config").status_code == 403
        assert call(client, "xiaoai", "sk-runtime").status_code == 200


def test_provider_specific_key_wins_over_global(client: TestClient) -> None:
    client.post("/_emulator/keys", json={"key": "sk-k", "state": "disabled"})
    client.post("/_emulator/keys", json={"key": "sk-k", "provider": "aimodels"})
    assert call(client, "aimodels", "sk-k").status_code == 200
    assert call(client, "ruijing", "sk-k").status_code == 403
    removed = client.delete("/_emulator/keys", params={"key": "sk-k"}).json()
    assert removed == {"removed": 1}
    assert call(client, "ruijing", "sk-k").status_code == 200


def test_per_key_limits(client: TestClient) -> None:
    client.post("/_emulator/keys", json={"key": "sk-slow", "limits": {"rpm": 1}})
    assert [call(client, "xiaoai", "sk-slow").status_code for _ in range(2)] == [200, 429]
    assert call(client, "xiaoai").status_code == 200


@pytest.mark.parametrize("body", [
    {"state": "active"},
    {"key": "k", "state": "sleepy"},
    {"key": "k", "provider": "nobody"},
    {"key": "k", "provider": "xiaoai", "plan": "free"},
    {"key": "k", "plan": "platinum"},
    {"key": "k", "limits": {"rpm": -1}},
    {"key": "k", "color": "blue"},
])
def test_bad_key_registrations_are_400(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post("/_emulator/keys", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["message"]


def test_cli_reads_keys_limits_and_switches(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps([{"key": "sk-free", "provider": "ruijing", "plan": "free"}]))
    limits = tmp_path / "limits.json"
    limits.write_text(json.dumps({"apiyi": {"rpm": 10}}))
    args = build_parser().parse_args(["serve", "--keys", str(keys), "--limits", str(limits),
                                      "--no-limits", "--unknown-keys", "reject"])
    config = config_from_args(args)
    assert config.keys == ({"key": "sk-free", "provider": "ruijing", "plan": "free"},)
    assert config.limit_overrides == {"apiyi": {"rpm": 10}}
    assert config.limits_enabled is False and config.unknown_keys == "reject"
    app = create_app(config)
    assert app.state.keys.lookup("ruijing", "sk-free") == KeySpec(
        key="sk-free", provider="ruijing", plan="free")
