"""Property tests (issue 8): bodies drawn from each JSON route's request schema always get
a 2xx whose body validates; bodies taken out of the schema always get the provider's
documented 400; nothing ever gets a 500. `EMULATOR_FUZZ_EXAMPLES=200` for a larger run."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from emulator import Config, create_app
from tests.conftest import AUTH, FROZEN
from tests.contract.routes import (
    JSON_ROUTES,
    RouteCase,
    assert_error_body,
    case_id,
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
CASES = [c for c in JSON_ROUTES if c.schema("request") is not None]


def post(case: RouteCase, body: dict[str, Any]) -> Any:
    return CLIENT.request(case.route.method, case.url(case.path_params()), headers=AUTH,
                          json=body)


@pytest.mark.parametrize("case", CASES, ids=case_id)
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
    response = post(case, body)
    assert_error_body(case.slug, response, 400)
