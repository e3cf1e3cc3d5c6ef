"""Hypothesis strategies from our request schemas, and mutations that take a body out of
its schema.

Hand-written because hypothesis-jsonschema 0.23.1 fails on every object schema with the
hypothesis we pin (`AttributeError: 'many' object has no attribute 'more'`). Covers the
keywords the shipped schemas use; what it cannot express (if/then, patterns inside
anyOf) is drawn loosely and filtered by the real validator, so every drawn body is valid.
Sizes are kept small: the point is the shape of a body, not its length.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tests.contract.routes import RouteCase, file_fields, sample_file

MAX_DEPTH = 5
FUZZ_EXAMPLES = int(os.environ.get("EMULATOR_FUZZ_EXAMPLES", "8"))
SHRINK = os.environ.get("EMULATOR_FUZZ_SHRINK", "") not in ("", "0")
JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10, 10),
                         st.text(max_size=5))
FORMAT_EXAMPLES = {
    "uri": st.just("https://example.com/a.png"),
    "url": st.just("https://example.com/a.png"),
    "date-time": st.just("2024-01-15T10:30:00Z"),
    "email": st.just("a@example.com"),
}


def _resolve(schema: Any, root: Mapping[str, Any]) -> Any:
    while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str) \
            and schema["$ref"].startswith("#/"):
        target: Any = root
        for part in schema["$ref"][2:].split("/"):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _number(schema: Mapping[str, Any], integer: bool) -> st.SearchStrategy[Any]:
    low = schema.get("minimum")
    high = schema.get("maximum")
    if integer:
        if "exclusiveMinimum" in schema:
            low = math.floor(schema["exclusiveMinimum"]) + 1
        if "exclusiveMaximum" in schema:
            high = math.ceil(schema["exclusiveMaximum"]) - 1
        low = None if low is None else math.ceil(low)
        high = None if high is None else math.floor(high)
        # Unbounded counts (max_tokens) stay plausible: a huge one only costs time.
        return st.integers(low if low is not None else -5,
                           high if high is not None else (low or 0) + 256)
    return st.floats(low, high, allow_nan=False, allow_infinity=False,
                     exclude_min="exclusiveMinimum" in schema,
                     exclude_max="exclusiveMaximum" in schema).map(
        lambda v: v if low is None or v >= low else low)


def from_schema(schema: Any, root: Mapping[str, Any] | None = None,
                depth: int = 0) -> st.SearchStrategy[Any]:
    if schema is True or schema == {}:
        return JSON_SCALARS
    if schema is False:
        return st.nothing()
    root = schema if root is None else root
    schema = _resolve(schema, root)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            rest = {k: v for k, v in schema.items() if k not in (key, "allOf")}
            options = [from_schema({**rest, **option}, root, depth + 1)
                       for option in schema[key]]
            return st.one_of(options)
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([from_schema({**schema, "type": k}, root, depth) for k in kind])
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else None
    if kind is None:
        return JSON_SCALARS
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind in ("integer", "number"):
        return _number(schema, kind == "integer")
    if kind == "string":
        if "format" in schema and schema["format"] in FORMAT_EXAMPLES:
            return FORMAT_EXAMPLES[schema["format"]]
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        low = int(schema.get("minLength", 0))
        return st.text(min_size=low, max_size=max(low, min(int(schema.get("maxLength", 12)),
                                                             low + 12)))
    if kind == "array":
        low = int(schema.get("minItems", 0))
        high = min(int(schema.get("maxItems", low + 3)), low + 3)
        if depth >= MAX_DEPTH:
            high = low
        return st.lists(from_schema(schema.get("items", {}), root, depth + 1),
                        min_size=low, max_size=high)
    # object
    properties: Mapping[str, Any] = schema.get("properties", {})
    required = [k for k in schema.get("required", []) if isinstance(k, str)]
    return st.fixed_dictionaries(
        {k: from_schema(properties.get(k, {}), root, depth + 1) for k in required},
        optional={} if depth >= MAX_DEPTH else
        {k: from_schema(v, root, depth + 1) for k, v in properties.items()
         if k not in required})


TOKEN_LIMITS = ("max_tokens", "max_completion_tokens", "max_output_tokens")
_STRATEGIES: dict[str, st.SearchStrategy[dict[str, Any]]] = {}


def repair(body: dict[str, Any], limit: int | None, model: Any = None) -> dict[str, Any]:
    """The rules a body's schema cannot state, in the wire formats themselves: a forced
    tool must be among `tools` (OpenAI, Anthropic), a token limit within the model's
    documented output limit (the catalogue), only a GPT image model streams an image,
    JSON mode needs the word "json" in the messages and a `strict` schema the strict rules
    (both dropped here: the unit tests cover them), and a `previous_response_id` must name
    a stored response (state: dropped here)."""
    body.pop("previous_response_id", None)
    _drop_strict_rules(body)
    if model is not None and model.kind == "image" and not model.id.startswith("gpt-image"):
        body.pop("stream", None)
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and ("function" in choice or "name" in choice):
        tools = body.get("tools") or []
        names = [(t.get("function") or {}).get("name", t.get("name")) for t in tools
                 if isinstance(t, dict)]
        if not names or names[0] is None:
            body.pop("tool_choice")
        elif "function" in choice:
            body["tool_choice"] = {**choice, "function": {**choice["function"],
                                                          "name": names[0]}}
        else:
            body["tool_choice"] = {**choice, "name": names[0]}
    for name in TOKEN_LIMITS:
        if limit and isinstance(body.get(name), int | float) and body[name] > limit:
            body[name] = limit
    return body


def _drop_strict_rules(body: dict[str, Any]) -> None:
    fmt = body.get("response_format")
    if isinstance(fmt, dict):
        if fmt.get("type") == "json_object":
            body.pop("response_format")
        elif isinstance(fmt.get("json_schema"), dict):
            body["response_format"] = {**fmt, "json_schema": {
                k: v for k, v in fmt["json_schema"].items() if k != "strict"}}
    text = body.get("text")
    if isinstance(text, dict) and isinstance(text.get("format"), dict):
        if text["format"].get("type") == "json_object":
            body.pop("text")
        else:
            body["text"] = {**text, "format": {k: v for k, v in text["format"].items()
                                               if k != "strict"}}
    if isinstance(body.get("tools"), list):
        body["tools"] = [_unstrict_tool(tool) for tool in body["tools"]]


def _unstrict_tool(tool: Any) -> Any:
    if not isinstance(tool, dict):
        return tool
    tool = {k: v for k, v in tool.items() if k != "strict"}
    if isinstance(tool.get("function"), dict):
        tool["function"] = {k: v for k, v in tool["function"].items() if k != "strict"}
    return tool


def valid_bodies(case: RouteCase) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies valid against the route's request schema, naming catalogue models the
    route accepts (a schema cannot know the catalogue). One strategy per route."""
    if case.id not in _STRATEGIES:
        _STRATEGIES[case.id] = _valid_bodies(case)
    return _STRATEGIES[case.id]


def _valid_bodies(case: RouteCase) -> st.SearchStrategy[dict[str, Any]]:
    schema = case.schema("request")
    assert schema is not None, f"{case.id} ships no request schema"
    validator = Draft202012Validator(schema)
    models = [m.id for m in case.profile.catalogue.models if m.kind in case.route.model_kinds]
    takes_model = bool(models) and "model" in schema.get("properties", {})
    files = {name: {"filename": sample_file(schema["properties"][name])[0]}
             for name in file_fields(schema)}

    def finish(body: dict[str, Any], model: str) -> dict[str, Any]:
        if takes_model:
            body = {**body, "model": model}
        body = {**body, **{k: v for k, v in files.items() if k in body}}
        found = case.profile.catalogue.get(model)
        return repair(body, found.max_output_tokens if found else None, found)

    # Top-level anyOf/oneOf (one of two prompt fields) is left to the filter.
    loose = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
    if "anyOf" in schema or "oneOf" in schema:
        loose["required"] = sorted({*loose.get("required", []),
                                    *(r for o in schema.get("anyOf", schema.get("oneOf", []))
                                      for r in o.get("required", [])[:1])})
    return st.builds(finish, from_schema(loose), st.sampled_from(models or [""])) \
        .filter(validator.is_valid)


WRONG_TYPED: tuple[Any, ...] = ([], {}, "x", 12345, 1.5, True, None, [{"a": 1}])


@st.composite
def invalid_bodies(draw: st.DrawFn, case: RouteCase) -> tuple[str, dict[str, Any]]:
    """(what was done, body) for a valid body taken out of the schema one way: a required
    field dropped, a field of the wrong type, a number out of range, an unknown enum."""
    schema = case.schema("request")
    assert schema is not None
    validator = Draft202012Validator(schema)
    body = draw(valid_bodies(case))
    properties: Mapping[str, Any] = schema.get("properties", {})
    ranged = [k for k, p in properties.items() if isinstance(p, Mapping) and
              ({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"} & set(p))]
    enums = [k for k, p in properties.items() if isinstance(p, Mapping) and "enum" in p]
    kinds = ["wrong type"]
    if schema.get("required"):
        kinds.append("missing required")
    if ranged:
        kinds.append("out of range")
    if enums:
        kinds.append("unknown enum")
    kind = draw(st.sampled_from(kinds))
    mutated = dict(body)
    if kind == "missing required":
        name = draw(st.sampled_from(schema["required"]))
        mutated.pop(name, None)
    elif kind == "out of range":
        name = draw(st.sampled_from(ranged))
        prop = properties[name]
        bounds = [prop[k] + d for k, d in (("minimum", -1), ("exclusiveMinimum", 0),
                                          ("maximum", 1), ("exclusiveMaximum", 0)) if k in prop]
        mutated[name] = draw(st.sampled_from(bounds))
    elif kind == "unknown enum":
        name = draw(st.sampled_from(enums))
        mutated[name] = "zz-not-a-documented-value"
    else:
        name = draw(st.sampled_from(sorted(properties) or ["model"]))
        mutated[name] = draw(st.sampled_from(WRONG_TYPED))
    # Some draws stay valid (null where null is allowed): those are not mutations.
    assume(not validator.is_valid(mutated))
    return f"{kind}: {name}", mutated
