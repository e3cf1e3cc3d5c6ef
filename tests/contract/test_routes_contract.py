"""Each route answers a minimal valid request (derived from its own request schema) with a
2xx that validates against its response schema; the docs' example exchanges replay with
the documented content and usage; OpenAI- and Anthropic-format answers also validate
against the official reference schemas. Data-driven over PROFILES x routes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from starlette.testclient import TestClient

from emulator import Config, create_app
from emulator.providers import PROFILES
from tests.conftest import AUTH, FROZEN, REFERENCE
from tests.contract.routes import (
    ALL_ROUTES,
    RouteCase,
    as_form,
    assert_error_body,
    case_id,
    encode_multipart,
    minimal_body,
    response_violations,
    sse_payloads,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
EXCHANGES = sorted(FIXTURES.glob("*/exchanges/*.json"))
# The official schema of each wire format's answer: (whole body, one stream payload).
REFERENCE_SCHEMAS: dict[str, tuple[str, str | None]] = {
    "openai.chat_completions": ("openai/CreateChatCompletionResponse.json",
                                "openai/CreateChatCompletionStreamResponse.json"),
    "openai.completions": ("openai/CreateCompletionResponse.json", None),
    "openai.embeddings": ("openai/CreateEmbeddingResponse.json", None),
    "openai.models_list": ("openai/ListModelsResponse.json", None),
    "openai.models_retrieve": ("openai/Model.json", None),
    "openai.images_generations": ("openai/ImagesResponse.json",
                                  "openai/ImageGenStreamEvent.json"),
    "openai.responses": ("openai/Response.json", "openai/ResponseStreamEvent.json"),
    "anthropic.messages": ("anthropic/Message.json", "anthropic/StreamEvent.json"),
}
# Fields of a documented answer that a replay must reproduce exactly, where present.
DOCUMENTED_FIELDS = ("object", "type", "role", "model", "usage", "stop_reason", "content",
                     "choices.0.message.content", "choices.0.finish_reason")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = create_app(Config(seed=7, clock=FROZEN, limits_enabled=False))
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@cache
def reference(name: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((REFERENCE / name).read_text()))


def payload(body: Any) -> Any:
    """The answer inside a success envelope (aimodels), or the body itself."""
    if isinstance(body, dict) and body.get("success") is True and "data" in body:
        return body["data"]
    return body


def send(client: TestClient, case: RouteCase, body: dict[str, Any] | None,
         params: dict[str, str] | None = None) -> Any:
    url = case.url(params)
    if case.route.body == "none" or body is None:
        return client.request(case.route.method, url, headers=AUTH)
    if case.route.body == "multipart":
        schema = case.schema("request")
        assert schema is not None
        content, content_type = encode_multipart(*as_form(schema, body))
        return client.request(case.route.method, url, content=content,
                              headers={**AUTH, "Content-Type": content_type})
    return client.request(case.route.method, url, headers=AUTH, json=body)


def check_reference(case: RouteCase, response: Any) -> None:
    names = REFERENCE_SCHEMAS.get(case.route.route_id)
    if names is None:
        return
    if response.headers["content-type"].startswith("text/event-stream"):
        if names[1] is None:
            return
        validator = reference(names[1])
        for chunk in sse_payloads(response.text):
            errors = list(validator.iter_errors(chunk))
            assert not errors, (chunk, errors[0].message)
        return
    errors = list(reference(names[0]).iter_errors(payload(response.json())))
    assert not errors, (case.id, errors[0].message)


@pytest.mark.parametrize("case", ALL_ROUTES, ids=case_id)
def test_minimal_request_gets_a_2xx_matching_the_response_schema(client: TestClient,
                                                                 case: RouteCase) -> None:
    params = case.path_params()
    if params is None:
        # The path names a resource a test would first create (a job, a file): an unknown
        # one is the provider's documented 404, never a 500.
        body = None if case.route.body == "none" else minimal_body(case)
        response = send(client, case, body, {k: "unknown-0000" for k in
                                             case.route.pattern.groupindex})  # type: ignore
        assert_error_body(case.slug, response, 404)
        return
    body = None if case.route.body == "none" else minimal_body(case)
    response = send(client, case, body, params)
    assert 200 <= response.status_code < 300, (case.id, body, response.text[:500])
    violations = response_violations(case, response)
    assert not violations, (case.id, violations[:3])
    check_reference(case, response)


@pytest.mark.parametrize("case", [c for c in ALL_ROUTES if c.route.streams], ids=case_id)
def test_streamed_answer_matches_the_stream_schema(client: TestClient, case: RouteCase) -> None:
    body = dict(minimal_body(case), stream=True)
    response = send(client, case, body)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/event-stream")
    assert sse_payloads(response.text), "no data payloads in the stream"
    violations = response_violations(case, response)
    assert not violations, violations[:3]
    check_reference(case, response)


def field(body: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if isinstance(body, list) and part.isdigit() and int(part) < len(body):
            body = body[int(part)]
        elif isinstance(body, dict) and part in body:
            body = body[part]
        else:
            return KeyError
    return body


def test_every_exchange_names_a_served_route() -> None:
    for path in EXCHANGES:
        slug = path.parent.parent.name
        route_id = json.loads(path.read_text())["route"]
        assert route_id in {r.route_id for r in PROFILES[slug].routes}, path


@pytest.mark.parametrize("path", EXCHANGES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_documented_exchange_replays_the_documented_answer(client: TestClient,
                                                           path: Path) -> None:
    slug = path.parent.parent.name
    exchange = json.loads(path.read_text())
    case = next(RouteCase(PROFILES[slug], r) for r in PROFILES[slug].routes
                if r.route_id == exchange["route"])
    request = dict(exchange["request"])
    request.pop("stream", None)  # the streamed form is checked by the stream tests
    response = send(client, case, request, case.path_params())
    assert response.status_code == 200, response.text[:500]
    got, expected = payload(response.json()), payload(exchange["response"])
    compared = 0
    for name in DOCUMENTED_FIELDS:
        want = field(expected, name)
        if want is not KeyError:
            assert field(got, name) == want, (name, field(got, name), want)
            compared += 1
    assert compared >= 2, "the exchange documents nothing this test compares"
    assert not response_violations(case, response)
    check_reference(case, response)
