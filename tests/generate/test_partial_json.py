"""partial_json reads a JSON text cut short exactly as the anthropic SDK's parser (jiter's
partial mode) reads a streamed tool call's pieces: every prefix of many JSON values."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jiter import from_json

from emulator.generate.partial_json import partial_json

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=4),
    max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(value=st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=5))
def test_every_prefix_reads_as_the_sdk_reads_it(value: dict[str, Any]) -> None:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for end in range(1, len(text) + 1):
        prefix = text[:end]
        assert partial_json(prefix) == from_json(prefix.encode(), partial_mode=True), prefix
    assert partial_json(text) == value


@pytest.mark.parametrize(("text", "value"), [
    ('{"city":"Bei', {}),
    ('{"city":"Beijing","days":[1,2', {"city": "Beijing", "days": [1, 2]}),
    ('{"ok":tr', {}),
    ('{"n":12.', {}),
    ('{"n":12', {"n": 12}),
    ('{"a":{"b":"x"},"c', {"a": {"b": "x"}}),
    ('{"a":"x","b":', {"a": "x"}),
    ("", None),
])
def test_cut_values_are_left_out_and_containers_closed(text: str, value: Any) -> None:
    assert partial_json(text) == value
