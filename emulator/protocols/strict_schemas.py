"""OpenAI's Structured Outputs rules for a schema sent with `strict: true` (a
`json_schema` response format, a function tool): the API refuses, before generating
anything, a schema its constrained decoding cannot follow. The two rules every client
trips over are checked, in the API's order and wording: each object says
`additionalProperties: false`, and lists every property in `required` (an optional field
is a nullable one). The root must be an object.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..errors import InvalidRequest

# Where subschemas sit, in the order they are walked (depth first, as the API reports).
NESTED_MAPS = ("properties", "$defs", "definitions")
NESTED_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems", "items")


def strict_schema_problem(schema: Any) -> str | None:
    """Why `schema` breaks the strict rules, worded as OpenAI does; None if it keeps them."""
    if not isinstance(schema, Mapping):
        return None  # the request schema has already refused a non-object
    kind = schema.get("type")
    if kind != "object" and "properties" not in schema:
        return f"schema must be a JSON Schema of 'type: \"object\"', got 'type: \"{kind}\"'."
    for path, node in _nodes(schema, ()):
        is_object = node.get("type") == "object" or (
            isinstance(node.get("type"), list) and "object" in node["type"]) \
            or "properties" in node
        if not is_object:
            continue
        context = f"In context={path!r}, "
        if node.get("additionalProperties") is not False:
            return context + ("'additionalProperties' is required to be supplied and to be "
                              "false.")
        properties = node.get("properties")
        if isinstance(properties, Mapping):
            required = node.get("required")
            # Names only: anything else in the list (a client's bug) names no property.
            listed = {name for name in required if isinstance(name, str)} \
                if isinstance(required, list) else set()
            missing = [key for key in properties if key not in listed]
            if missing:
                return context + ("'required' is required to be supplied and to be an array "
                                  f"including every key in properties. Missing '{missing[0]}'.")
    return None


def _nodes(node: Mapping[str, Any], path: tuple[str, ...],
           depth: int = 0) -> Iterator[tuple[tuple[str, ...], Mapping[str, Any]]]:
    yield path, node
    if depth > 64:  # a hostile schema's nesting: its first 64 levels are checked
        return
    for key in NESTED_MAPS:
        children = node.get(key)
        if isinstance(children, Mapping):
            for name, child in children.items():
                if isinstance(child, Mapping):
                    yield from _nodes(child, (*path, key, str(name)), depth + 1)
    items = node.get("items")
    if isinstance(items, Mapping):
        yield from _nodes(items, (*path, "items"), depth + 1)
    not_ = node.get("not")
    if isinstance(not_, Mapping):
        yield from _nodes(not_, (*path, "not"), depth + 1)
    for key in NESTED_LISTS:
        children = node.get(key)
        if isinstance(children, list):
            for index, child in enumerate(children):
                if isinstance(child, Mapping):
                    yield from _nodes(child, (*path, key, str(index)), depth + 1)


def check_strict_format(name: Any, schema: Any, param: str) -> None:
    """A strict `json_schema` response format (chat's `response_format`, the Responses
    API's `text.format`)."""
    problem = strict_schema_problem(schema)
    if problem is not None:
        raise InvalidRequest(f"Invalid schema for response_format '{name}': {problem}",
                             param=param, code="invalid_json_schema")


def check_strict_function(name: Any, schema: Any, param: str) -> None:
    """A function tool sent with `strict: true`."""
    problem = strict_schema_problem(schema)
    if problem is not None:
        raise InvalidRequest(f"Invalid schema for function '{name}': {problem}",
                             param=param, code="invalid_function_parameters")


def mentions_json(texts: Iterable[str]) -> bool:
    """JSON mode needs the word in the conversation, in any case."""
    return any("json" in text.lower() for text in texts)
