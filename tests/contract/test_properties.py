"""Property tests (issue 8): bodies drawn from each route's request schema always get a
2xx whose body validates; bodies taken out of the schema always get the provider's
documented 400; nothing ever gets a 500. JSON and multipart routes alike (a form is
encoded as an SDK sends it). `EMULATOR_FUZZ_EXAMPLES=200` for a larger run."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from starlette.testclient import TestClient

from emulator import Config, create_app, jsonutil
from emulator.errors import EmulatorError
from emulator.policy.multipart import parse_multipart
from tests.conftest import AUTH, FROZEN
from tests.contract.routes import (
    BODY_ROUTES,
    RouteCase,
    as_form,
    assert_error_body,
    case_id,
    encode_multipart,
    response_violations,
)
from tests.contract.strategies import FUZZ_EXAMPLES, SHRINK, invalid_bodies, valid_bodies

# One app for every example (hypothesis re-runs the test body, not the fixtures); rate
# limits off so the number of examples never trips a 429.
CLIENT = TestClient(create_app(Config(seed=7, clock=FROZEN, limits_enabled=False)),
                    base_url="http://testserver")
# No shrinking by default: each step is a request, and a failure already prints its body.
FUZZ = settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None,
                phases=[Phase.explicit, Phase.generate] + ([Phase.shrink] if SHRINK else []),
                suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
CASES = [c for c in BODY_ROUTES if c.schema("request") is not None]
# A route whose path names a resource the test has not made (a video to remix) answers a
# valid body with that resource's 404 (test_routes_contract); its 2xx is an SDK test's.
CASES_2XX = [c for c in CASES if c.path_params() is not None]


def encode(case: RouteCase, body: dict[str, Any]) -> tuple[bytes, str]:
    """(content, content type) as a client sends the body: JSON, or a multipart form."""
    if case.route.body != "multipart":
        return jsonutil.dumps(body), "application/json"
    return encode_multipart(*as_form(case.schema("request") or {}, body))


def post(case: RouteCase, body: dict[str, Any]) -> Any:
    content, content_type = encode(case, body)
    return CLIENT.request(case.route.method, case.url(case.path_params()), content=content,
                          headers={**AUTH, "Content-Type": content_type})


def still_invalid_on_the_wire(case: RouteCase, body: dict[str, Any]) -> bool:
    """A form carries only text and files: a mutation (a number where a string belongs,
    a file field of the wrong type) can read back valid. Judge the body the server will
    see, parsed by the emulator's own form reader."""
    schema = case.schema("request") or {}
    if case.route.body != "multipart":
        return True
    content, content_type = encode(case, body)
    try:
        seen = asyncio.run(parse_multipart({"content-type": content_type}, content, schema))
    except EmulatorError:
        return True  # unreadable is invalid too
    return not Draft202012Validator(schema).is_valid(seen)


@pytest.mark.parametrize("case", CASES_2XX, ids=case_id)
@FUZZ
@given(data=st.data())
def test_schema_valid_bodies_get_a_valid_2xx(case: RouteCase, data: st.DataObject) -> None:
    body = data.draw(valid_bodies(case), label="body")
    response = post(case, body)
    assert 200 <= response.status_code < 300, (response.status_code, response.text[:400])
    violations = response_violations(case, response)
    assert not violations, violations[:3]


@pytest.mark.parametrize("case", CASES, ids=case_id)
@FUZZ
@given(data=st.data())
def test_bodies_out_of_the_schema_get_the_documented_400(case: RouteCase,
                                                        data: st.DataObject) -> None:
    _what, body = data.draw(invalid_bodies(case), label="mutation")
    assume(still_invalid_on_the_wire(case, body))
    response = post(case, body)
    assert_error_body(case.slug, response, 400)
