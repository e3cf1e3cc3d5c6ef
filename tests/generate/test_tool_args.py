"""generate_instance produces values that validate against the schemas tools use."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from emulator.generate.text import generate_tokens
from emulator.generate.tokens import count_tokens, split_tokens
from emulator.generate.tool_args import generate_instance

SCHEMAS = [
    {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer", "minimum": 5,
                                                                "maximum": 9}}},
    {"type": "object", "properties": {"when": {"type": "string", "format": "date-time"},
                                      "mail": {"type": "string", "format": "email"},
                                      "id": {"type": "string", "format": "uuid"}},
     "required": ["when", "mail", "id"]},
    {"type": "object", "required": ["items"], "properties": {"items": {
        "type": "array", "minItems": 2, "maxItems": 4, "uniqueItems": True,
        "items": {"type": "string", "enum": ["x", "y", "z", "w"]}}}},
    {"type": "object", "required": ["n"], "properties": {"n": {
        "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}}},
    {"type": "object", "required": ["step"], "properties": {"step": {
        "type": "integer", "multipleOf": 5, "minimum": 1, "maximum": 50}}},
    {"$defs": {"point": {"type": "object", "required": ["x", "y"], "properties": {
        "x": {"type": "number"}, "y": {"type": "number"}}}},
     "type": "object", "required": ["from", "to"],
     "properties": {"from": {"$ref": "#/$defs/point"}, "to": {"$ref": "#/$defs/point"}}},
    {"type": "object", "required": ["v"], "properties": {"v": {"anyOf": [
        {"type": "null"}, {"type": "string", "minLength": 3, "maxLength": 5}]}}},
    {"type": "object", "required": ["mode", "flag", "name"], "additionalProperties": False,
     "properties": {"mode": {"const": "fast"}, "flag": {"type": "boolean"},
                    "name": {"type": ["string", "null"], "maxLength": 4}}},
    {"allOf": [{"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}},
               {"required": ["b"], "properties": {"b": {"type": "integer"}}}]},
    {"type": "object", "minProperties": 2, "additionalProperties": {"type": "integer"}},
    {"type": "object", "required": ["zip", "code", "tag"], "properties": {
        "zip": {"type": "string", "pattern": "^[0-9]{5}$"},
        "code": {"type": "string", "pattern": "^[A-Z]{2}-\\d{3}$", "maxLength": 6},
        "tag": {"type": "string", "pattern": "^(foo|bar)+$"}}},
    {"type": "object", "required": ["t"], "properties": {"t": {
        "type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"},
                                         {"type": "boolean"}], "items": False}}},
    {"type": "object", "required": ["t"], "properties": {"t": {
        "type": "array", "prefixItems": [{"type": "string"}], "items": {"type": "integer"},
        "contains": {"type": "integer", "const": 7}}}},
    {"type": "object", "required": ["c"], "properties": {"c": {
        "type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 20},
        "contains": {"const": 7}}}},
    {"type": "object", "minProperties": 2, "additionalProperties": False,
     "patternProperties": {"^id_[0-9]+$": {"type": "integer"}}},
    {"type": "object", "required": ["a"], "properties": {"a": {
        "type": "array", "items": {"type": "number"},
        "contains": {"type": "integer", "minimum": 10}}}},
    {"type": "object", "required": ["low"], "properties": {"low": {
        "type": "integer", "maximum": -5}}},
]


@pytest.mark.parametrize("schema", SCHEMAS)
@pytest.mark.parametrize("seed", range(20))
def test_generated_instance_validates(schema: dict, seed: int) -> None:
    value = generate_instance(schema, random.Random(seed), "Find flights to Tokyo")
    Draft202012Validator(schema).validate(value)


def test_location_like_strings_come_from_the_users_words() -> None:
    schema = {"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}}
    value = generate_instance(schema, random.Random(0), "What's the weather in San Francisco?")
    assert value == {"city": "San Francisco"}


@given(seed=st.integers(0, 2**32), chinese=st.booleans(), count=st.integers(0, 200))
@settings(max_examples=200, deadline=None)
def test_generated_tokens_resplit_to_themselves(seed: int, chinese: bool, count: int) -> None:
    tokens = generate_tokens(random.Random(seed), chinese, count)
    assert len(tokens) == count
    assert split_tokens("".join(tokens)) == tokens
    assert count_tokens("".join(tokens)) == count


# Recursive schemas as pydantic writes them (and the openai SDK's strict form of them):
# a model holding an Optional of itself, or a list of itself.
RECURSIVE = [
    {"$ref": "#/$defs/Node", "$defs": {"Node": {
        "type": "object", "additionalProperties": False, "required": ["name", "parent"],
        "properties": {"name": {"type": "string"},
                       "parent": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]}}}}},
    {"type": "object", "required": ["name", "children"], "properties": {
        "name": {"type": "string"},
        "children": {"type": "array", "items": {"$ref": "#"}}}},
    {"type": "object", "required": ["value", "next"], "properties": {
        "value": {"type": "integer"}, "next": {"type": ["object", "null"], "required": ["value"],
                                              "properties": {"value": {"type": "integer"},
                                                             "next": {"$ref": "#"}}}}},
]


@pytest.mark.parametrize("schema", RECURSIVE, ids=["optional-self", "list-of-self", "linked"])
def test_a_recursive_schema_bottoms_out_in_a_valid_value(schema: dict) -> None:
    validator = Draft202012Validator(schema)
    depths = set()
    for seed in range(200):
        value = generate_instance(schema, random.Random(seed))
        errors = list(validator.iter_errors(value))
        assert not errors, (seed, value, errors[0].message)
        depths.add(str(value).count("{"))
    assert max(depths) > 1  # it does recurse, not just stop at the top
