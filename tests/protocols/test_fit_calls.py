"""answers.fit_calls: tool calls cut where `max_tokens` runs out, never past it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from emulator.generate.tokens import count_tokens
from emulator.protocols.answers import fit_calls

CALLS = [("get_weather", '{"city":"Paris","unit":"c"}'), ("get_time", '{"city":"Paris"}'),
         ("get_news", '{"topic":"tides","limit":3}')]


def cost(calls: list[tuple[str, str]]) -> int:
    return sum(count_tokens(name) + count_tokens(arguments) for name, arguments in calls)


def test_a_budget_used_up_by_the_first_call_starts_no_second() -> None:
    exact = cost(CALLS[:1])
    assert fit_calls(CALLS, exact) == (CALLS[:1], True)
    assert fit_calls(CALLS, cost(CALLS)) == (CALLS, False)


@given(st.integers(min_value=1, max_value=60))
def test_the_kept_calls_never_cost_more_than_max_tokens(max_tokens: int) -> None:
    kept, cut = fit_calls(CALLS, max_tokens)
    assert cost(kept) <= max_tokens
    assert cut == (cost(CALLS) > max_tokens)
    for (name, arguments), (full_name, full) in zip(kept, CALLS, strict=False):
        assert name == full_name and full.startswith(arguments)


def test_a_call_whose_name_does_not_fit_never_starts() -> None:
    long_name = [("get-weather-now", '{"city":"Paris"}')]  # get - weather - now: 5 tokens
    assert count_tokens("get-weather-now") == 5
    assert fit_calls(long_name, 4) == ([], True)
    assert fit_calls(long_name, 5) == ([("get-weather-now", "")], True)
