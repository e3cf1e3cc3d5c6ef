"""A client's own JSON Schemas are input too (issue 8): tool parameters and structured
output formats that are malformed, self-referencing or absurd (a minLength of a billion,
bounds past any integer) get a 2xx or the provider's 4xx, never a 500. The emulator draws
tool arguments and structured text from them, so it must not trust them."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from emulator import Config, create_app
from tests.conftest import AUTH, FROZEN
from tests.contract.bad_http import TOOL_CALLS
from tests.contract.routes import JSON_ROUTES, RouteCase, assert_error_body, case_id, minimal_body
from tests.contract.strategies import FUZZ_EXAMPLES

CLIENT = TestClient(create_app(Config(seed=7, clock=FROZEN, limits_enabled=False)),
                    base_url="http://testserver")
KEYWORDS = ["type", "properties", "required", "items", "enum", "const", "anyOf", "oneOf",
            "allOf", "$ref", "$defs", "minimum", "maximum", "exclusiveMinimum",
            "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "minItems",
            "maxItems", "minProperties", "additionalProperties", "format", "pattern", "not",
            "uniqueItems"]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=4),
    st.sampled_from(["object", "array", "string", "integer", "number", "boolean", "null",
                     "#", "#/$defs/x", "#/properties/a", "date-time", 10**9, 1e-300, 1e300]))
HOSTILE = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.one_of(st.sampled_from(KEYWORDS), st.text(max_size=3)), inner,
                    max_size=4)), max_leaves=16)
# Where a schema goes in each wire format that takes one: tools, and structured output.
PLACES: dict[str, Any] = {
    **{route: [call] for route, call in TOOL_CALLS.items()},
}
PLACES["openai.chat_completions"].append(lambda schema: {"response_format": {
    "type": "json_schema", "json_schema": {"name": "out", "schema": schema}}})
CASES = [c for c in JSON_ROUTES if c.route.route_id in PLACES]


@pytest.mark.parametrize("case", CASES, ids=case_id)
@settings(max_examples=FUZZ_EXAMPLES * 4, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(schema=HOSTILE, place=st.integers(0, 1))
def test_a_hostile_client_schema_is_never_a_500(case: RouteCase, schema: Any,
                                                place: int) -> None:
    places = PLACES[case.route.route_id]
    body = {**minimal_body(case), **places[place % len(places)](schema)}
    response = CLIENT.post(case.url(), headers=AUTH, json=body)
    if response.status_code >= 300:
        assert_error_body(case.slug, response)
