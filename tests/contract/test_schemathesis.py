"""schemathesis, a second and independent fuzzer (issue 8), against the emulator's own
OpenAPI documents as `GET /<slug>/openapi.json` serves them, in-process over ASGI.

Every operation of every provider, in both of schemathesis' modes: positive (requests the
document allows: never a 5xx, a documented status and content type, a body matching the
response schema) and negative (requests the document forbids: also rejected with a
documented 4xx). `EMULATOR_FUZZ_EXAMPLES` sets the examples per operation and mode.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from emulator import Config, create_app
from emulator.providers import PROFILES
from tests.conftest import AUTH, FROZEN, KEY
from tests.contract.routes import ALL_ROUTES, RouteCase
from tests.contract.strategies import FUZZ_EXAMPLES, SHRINK, repair

# Rate limits off: the number of examples must never trip a 429 (documented, but noise).
APP = create_app(Config(seed=7, clock=FROZEN, limits_enabled=False))
DOCUMENTS = {slug: schemathesis.openapi.from_asgi(f"/{slug}/openapi.json", APP)
             for slug in PROFILES}
OPERATIONS = [(slug, result.ok()) for slug, document in DOCUMENTS.items()
              for result in document.get_all_operations()]
# Not run: ignored_auth (the emulator accepts any well-formed key unless told otherwise,
# Config.unknown_keys), max_response_time, and the stateful checks (no links declared).
# Both of the key headers the documents declare (xiaoai takes either), always valid: a
# drawn key is noise here (tests/test_routing_and_auth.py covers keys).
HEADERS = {**AUTH, "X-Api-Key": KEY}
CHECKS: dict[GenerationMode, list[Any]] = {
    GenerationMode.POSITIVE: [not_a_server_error, status_code_conformance,
                              content_type_conformance, response_schema_conformance],
    GenerationMode.NEGATIVE: [not_a_server_error, status_code_conformance,
                              content_type_conformance, response_schema_conformance,
                              negative_data_rejection],
}
FUZZ = settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None,
                phases=[Phase.explicit, Phase.generate] + ([Phase.shrink] if SHRINK else []),
                suppress_health_check=list(HealthCheck))


def label(operation: Any) -> str:
    return f"{operation.method.upper()} {operation.path}"


def negatable(operation: Any) -> bool:
    """Whether a request can break the document: a body or a key to get wrong (a path
    parameter that is any non-empty string cannot be, in a URL)."""
    raw = operation.definition.raw
    return "requestBody" in raw or raw.get("security") != []


RUNS = [pytest.param(slug, operation, mode, id=f"{slug}-{label(operation)}-{mode.value}")
        for slug, operation in OPERATIONS for mode in CHECKS
        if mode is GenerationMode.POSITIVE or negatable(operation)]


def route_of(slug: str, operation: Any) -> RouteCase:
    return next(c for c in ALL_ROUTES if c.slug == slug and c.route.path == operation.path
                and c.route.method == operation.method.upper())


def name_a_catalogue_model(route: RouteCase, body: Any, draw: int) -> None:
    """A positive body names a model of the route's kind (a document cannot know the
    catalogue), within its token limits, as the hypothesis strategies' bodies do: else
    nearly every positive case would stop at the 404 of an unknown model."""
    models = [m for m in route.profile.catalogue.models if m.kind in route.route.model_kinds]
    if not models or not isinstance(body, dict) or not isinstance(body.get("model"), str):
        return
    model = models[draw % len(models)]
    body["model"] = model.id
    repair(body, model.max_output_tokens, model)


@pytest.mark.parametrize(("slug", "operation", "mode"), RUNS)
def test_schemathesis_finds_nothing(slug: str, operation: Any, mode: GenerationMode) -> None:
    route = route_of(slug, operation)

    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode), draw=st.integers(0, 63))
    def run(case: Any, draw: int) -> None:
        if mode is GenerationMode.POSITIVE:
            name_a_catalogue_model(route, case.body, draw)
        response = case.call(headers=HEADERS)
        case.validate_response(response, checks=CHECKS[mode])

    run()
