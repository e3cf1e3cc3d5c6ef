"""The OpenAPI 3.1 documents (issue 8): `llm-emulator openapi <provider>` and
`GET /<slug>/openapi.json` emit a document that openapi-spec-validator accepts, built from
the same schema files the emulator validates with, covering every route it serves."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate
from starlette.testclient import TestClient

from emulator import EmulatorServer
from emulator.cli import main
from emulator.openapi import OPENAPI_VERSION, build_openapi, media_types
from emulator.providers import PROFILES
from tests.contract.routes import ALL_ROUTES, RouteCase, case_id

SLUGS = list(PROFILES)


def operation(document: dict[str, Any], case: RouteCase) -> dict[str, Any]:
    return document["paths"][case.route.path][case.route.method.lower()]


def resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def all_refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in all_refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in all_refs(v)]
    return []


@pytest.mark.parametrize("slug", SLUGS)
def test_cli_prints_a_valid_openapi_31_document(slug: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi", slug]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["openapi"] == OPENAPI_VERSION
    validate(document)
    assert document == build_openapi(PROFILES[slug])


@pytest.mark.parametrize("slug", SLUGS)
def test_served_document_is_valid_and_names_this_emulator(slug: str,
                                                          client: TestClient) -> None:
    response = client.get(f"/{slug}/openapi.json")  # documentation: no key needed
    assert response.status_code == 200
    document = response.json()
    validate(document)
    base = PROFILES[slug].base_paths[0]
    assert document["servers"][0]["url"] == f"http://testserver/{slug}{base}"
    # Everything but the servers list is the CLI's document.
    offline = build_openapi(PROFILES[slug])
    assert {k: v for k, v in document.items() if k != "servers"} == \
        {k: v for k, v in offline.items() if k != "servers"}


def test_real_server_serves_every_providers_document(server: EmulatorServer) -> None:
    for slug in SLUGS:
        response = httpx.get(f"{server.url}/{slug}/openapi.json", timeout=10)
        assert response.status_code == 200, slug
        validate(response.json())


@pytest.mark.parametrize("slug", SLUGS)
def test_every_reference_resolves(slug: str) -> None:
    document = build_openapi(PROFILES[slug])
    for ref in all_refs(document):
        assert ref.startswith("#/"), ref
        resolve(document, ref)


@pytest.mark.parametrize("case", ALL_ROUTES, ids=case_id)
def test_route_is_documented_from_its_schema_files(case: RouteCase) -> None:
    document = build_openapi(case.profile)
    op = operation(document, case)
    assert op["x-source"] == case.route.source
    params = {p["name"] for p in op.get("parameters", [])}
    assert params == set(case.route.pattern.groupindex if case.route.pattern else ())
    if case.route.body != "none":
        content = op["requestBody"]["content"]
        media = "multipart/form-data" if case.route.body == "multipart" else "application/json"
        assert resolve(document, content[media]["schema"]["$ref"])
    success = op["responses"]["200"]["content"]
    response = case.schema("response")
    for media_type in media_types(response):
        assert media_type in success
    if "contentMediaType" not in (response or {}):
        assert "application/json" in success
    if case.route.streams:  # one event, its data's JSON the stream schema
        data = success["text/event-stream"]["schema"]["properties"]["data"]
        assert resolve(document, data["else"]["contentSchema"]["$ref"])
    for status in ("4XX", "5XX"):
        error = op["responses"][status]["content"]["application/json"]["schema"]
        assert resolve(document, error["$ref"])["required"]  # the provider's error.json
