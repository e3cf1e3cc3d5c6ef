"""Every route the app serves ships its schemas (issue 8): a request and a response schema,
a stream schema when it streams, an error schema per provider; each a valid 2020-12
schema that says where it comes from (`x-source` documented|inferred, `x-doc`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from emulator.providers import PROFILES
from tests.conftest import SCHEMAS
from tests.contract.routes import ALL_ROUTES, RouteCase, case_id

STREAMING = [c for c in ALL_ROUTES if c.route.streams]
SCHEMA_FILES = sorted(SCHEMAS.glob("*/*.json"))


@pytest.mark.parametrize("case", ALL_ROUTES, ids=case_id)
@pytest.mark.parametrize("part", ["request", "response"])
def test_route_ships_its_schema(case: RouteCase, part: str) -> None:
    path = SCHEMAS / case.slug / f"{case.route.route_id}.{part}.json"
    assert path.is_file(), f"{case.id} ({case.route.method} {case.route.path}) lacks {path.name}"


@pytest.mark.parametrize("case", STREAMING, ids=case_id)
def test_streaming_route_ships_its_stream_schema(case: RouteCase) -> None:
    path = SCHEMAS / case.slug / f"{case.route.route_id}.stream.json"
    assert path.is_file(), f"{case.id} streams but lacks {path.name}"


def test_chat_routes_are_marked_streaming() -> None:
    # The flag drives the stream-schema check above: it must not silently be off.
    assert {c.route.route_id for c in STREAMING} >= {"openai.chat_completions",
                                                     "anthropic.messages"}


@pytest.mark.parametrize("slug", list(PROFILES))
def test_provider_ships_its_error_schema(slug: str) -> None:
    assert (SCHEMAS / slug / "error.json").is_file()


@pytest.mark.parametrize("slug", list(PROFILES))
def test_no_stray_schema_files(slug: str) -> None:
    """A schema named after no route of the provider is a typo or a dead file."""
    served = {r.route_id for r in PROFILES[slug].routes}
    for path in (SCHEMAS / slug).glob("*.json"):
        if path.name == "error.json":
            continue
        route_id, _, part = path.name.removesuffix(".json").rpartition(".")
        assert part in ("request", "response", "stream"), path.name
        assert route_id in served, f"{slug}/{path.name} names no route of {slug}"


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_schema_is_valid_and_cites_its_source(path: Path) -> None:
    schema = json.loads(path.read_text())
    Draft202012Validator.check_schema(schema)
    assert schema.get("x-source") in ("documented", "inferred"), path.name
    assert isinstance(schema.get("x-doc"), str) and schema["x-doc"].strip(), path.name


@pytest.mark.parametrize("case", [c for c in ALL_ROUTES if c.route.pattern is not None],
                         ids=case_id)
def test_request_schema_types_every_path_parameter(case: RouteCase) -> None:
    """A route's `{name}` segments are its input: the request schema gives each a schema
    (the OpenAPI document's parameters come from there)."""
    schema = case.schema("request") or {}
    described = schema.get("x-path-parameters", {})
    assert set(described) == set(case.route.pattern.groupindex), case.id  # type: ignore
    for name, param in described.items():
        Draft202012Validator.check_schema(param)
        assert param.get("description"), (case.id, name)


@pytest.mark.parametrize("case", [c for c in ALL_ROUTES
                                  if "contentMediaType" in (c.schema("response") or {})],
                         ids=case_id)
def test_binary_response_lists_its_media_types(case: RouteCase) -> None:
    schema = case.schema("response") or {}
    types = schema.get("x-media-types", [schema["contentMediaType"]])
    assert all("/" in t and "*" not in t for t in types), types
