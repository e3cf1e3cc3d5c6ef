"""Values that validate against a JSON Schema: tool-call arguments and structured output.

Covers what tool `parameters` use in practice: types (and type lists), properties and
required, enum/const, numeric bounds, string lengths, common formats and patterns, arrays
with item counts, prefixItems and contains, patternProperties, $ref into
$defs/definitions, anyOf/oneOf/allOf. String values prefer words
from the user's message for names like `location` or `query`, so agent loops get
arguments that look like the request.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping
from typing import Any

from .regex_strings import Unmatchable, string_matching
from .words import LOREM_EN

WORDS: tuple[str, ...] = tuple(w for w in LOREM_EN if w.isalpha())
MAX_DEPTH = 8
# Past this depth a value takes the smallest valid form on offer (null where the schema
# allows it, no optional keys, empty arrays where no minItems asks for more), so a
# recursive schema (a pydantic model holding an Optional or a list of itself) bottoms out
# in a valid value well before MAX_DEPTH cuts it.
SHALLOW_DEPTH = 4
# Property names whose value is best taken from the user's own words.
ECHO_NAMES = re.compile(
    r"(city|location|place|country|region|address|query|q|search|keyword|topic|term|text|"
    r"name|title|subject|prompt|question)", re.I)
CAPITALIZED = re.compile(r"\b[A-Z][a-zA-Z]+(?:\s[A-Z][a-zA-Z]+)*\b")
CJK_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
# A client's schema is input too: bounds past these are not honoured (the arguments then
# miss an absurd minLength rather than the emulator building gigabytes or overflowing).
MAX_SIZE = 4096
MAX_MAGNITUDE = 2**53  # integers JSON readers everywhere keep exact


# The JSON type each keyword must have to mean anything; a client's schema with another
# (`"properties": true`) has that keyword ignored, as a lenient validator would.
KEYWORD_TYPES: dict[str, tuple[type, ...]] = {
    "properties": (Mapping,), "$defs": (Mapping,), "definitions": (Mapping,),
    "required": (list,), "enum": (list,), "anyOf": (list,), "oneOf": (list,),
    "allOf": (list,), "items": (Mapping, bool), "additionalProperties": (Mapping, bool),
    "type": (str, list), "prefixItems": (list,), "contains": (Mapping, bool),
    "patternProperties": (Mapping,), "pattern": (str,),
}
# Draws of a pattern that miss the length bounds before the words are used instead.
PATTERN_TRIES = 3


def _well_formed(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """The schema without keywords whose value has the wrong JSON type."""
    if all(isinstance(schema[k], t) for k, t in KEYWORD_TYPES.items() if k in schema):
        return schema
    return {k: v for k, v in schema.items()
            if k not in KEYWORD_TYPES or isinstance(v, KEYWORD_TYPES[k])}


def _count(schema: Mapping[str, Any], key: str, default: int) -> int:
    """A size keyword (minLength, maxItems, ...) as a usable int, capped at MAX_SIZE."""
    value = schema.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not \
            math.isfinite(value):
        value = default
    return max(0, min(int(value), MAX_SIZE))


def _bound(schema: Mapping[str, Any], *keys: str) -> float | None:
    """The first numeric bound among `keys`, clamped to +-MAX_MAGNITUDE."""
    for key in keys:
        value = schema.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) \
                and math.isfinite(value):
            return max(-MAX_MAGNITUDE, min(value, MAX_MAGNITUDE))
    return None


def _resolve(schema: Any, root: Mapping[str, Any]) -> Any:
    seen = 0
    while isinstance(schema, Mapping) and "$ref" in schema and seen < 32:
        ref = schema["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#"):
            return {}
        target: Any = root
        for part in ref.lstrip("#/").split("/") if ref != "#" else []:
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, Mapping) or part not in target:
                return {}
            target = target[part]
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **rest} if isinstance(target, Mapping) else target
        seen += 1
    return schema


def _proper_nouns(hint: str) -> list[str]:
    """Capitalised words that do not merely start a sentence, and runs of CJK text."""
    found = [m.group(0) for m in CAPITALIZED.finditer(hint)
             if m.start() > 0 and not re.search(r"[.!?]\s*$", hint[: m.start()])]
    return found or CJK_RUN.findall(hint)


def _echo(name: str, hint: str, rng: random.Random) -> str | None:
    if not hint or not ECHO_NAMES.search(name):
        return None
    if re.search(r"query|search|q$|question|prompt|text", name, re.I):
        return hint.strip()[:200] or None
    found = _proper_nouns(hint)
    return max(found, key=len) if found else None


def _string(schema: Mapping[str, Any], rng: random.Random, name: str, hint: str) -> str:
    fmt = schema.get("format")
    if fmt == "date":
        return f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if fmt == "date-time":
        day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return f"{day}T{rng.randint(0, 23):02d}:00:00Z"
    if fmt == "time":
        return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00"
    if fmt == "email":
        return f"{rng.choice(WORDS)}@example.com"
    if fmt in ("uri", "url", "uri-reference"):
        return f"https://example.com/{rng.choice(WORDS)}"
    if fmt == "uuid":
        bits = [rng.getrandbits(n) for n in (32, 16, 12, 12, 48)]
        return f"{bits[0]:08x}-{bits[1]:04x}-4{bits[2]:03x}-8{bits[3]:03x}-{bits[4]:012x}"
    low = _count(schema, "minLength", 0)
    high = _count(schema, "maxLength", MAX_SIZE) if "maxLength" in schema else None
    if "pattern" in schema:
        for _ in range(PATTERN_TRIES):
            try:
                drawn = string_matching(schema["pattern"], rng)
            except Unmatchable:
                break  # lookarounds and the like: the words below, best effort
            if low <= len(drawn) and (high is None or len(drawn) <= high):
                return drawn
    value = _echo(name, hint, rng) or " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))
    if high is not None and len(value) > int(high):
        value = value[: int(high)]
    if len(value) < low:
        value += "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=low - len(value)))
    return value


def _number(schema: Mapping[str, Any], rng: random.Random, integer: bool) -> int | float:
    low = _bound(schema, "minimum", "exclusiveMinimum")
    high = _bound(schema, "maximum", "exclusiveMaximum")
    if low is None:  # 0 unless only a bound below 0 is given
        low = 0 if high is None or high >= 0 else high - 100
    high = low + 100 if high is None else high
    if integer:
        lo = math.ceil(low) + (1 if "exclusiveMinimum" in schema and "minimum" not in schema
                               and float(low).is_integer() else 0)
        hi = math.floor(high) - (1 if "exclusiveMaximum" in schema and "maximum" not in schema
                                 and float(high).is_integer() else 0)
        value: int | float = rng.randint(lo, max(lo, hi))
    else:
        value = round(rng.uniform(low, high), 2)
        if not low <= value <= high or value in (schema.get("exclusiveMinimum"),
                                                 schema.get("exclusiveMaximum")):
            value = (low + high) / 2
    step = _bound(schema, "multipleOf")
    if step and step > 0 and abs(value / step) < MAX_MAGNITUDE:
        value = type(value)(math.ceil(value / step) * step)
        if integer:
            value = int(value)
    return value


def generate_instance(
    schema: Any,
    rng: random.Random,
    hint: str = "",
    *,
    name: str = "",
    root: Mapping[str, Any] | None = None,
    depth: int = 0,
) -> Any:
    """A value valid against `schema` (best effort for `pattern` and `not`)."""
    if schema is True or schema is None:
        schema = {}
    if schema is False:
        return None
    root = schema if root is None else root
    schema = _resolve(schema, root)
    if not isinstance(schema, Mapping):
        return None
    schema = _well_formed(schema)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return rng.choice(list(schema["enum"]))
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            options = [o for o in schema[key] if not isinstance(_resolve(o, root), Mapping)
                       or _resolve(o, root).get("type") != "null"] \
                if all(isinstance(o, Mapping) for o in schema[key]) else schema[key]
            if depth >= SHALLOW_DEPTH and len(options) < len(schema[key]):
                return None  # a null option: the end of a recursion
            return generate_instance(options[0] if key == "oneOf" else rng.choice(options or
                                     schema[key]), rng, hint, name=name, root=root,
                                     depth=depth + 1)
    if schema.get("allOf"):
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            part = _resolve(part, root)
            if not isinstance(part, Mapping):
                continue
            for k, v in _well_formed(part).items():
                if k == "properties":
                    merged.setdefault("properties", {}).update(v)
                elif k == "required":
                    merged["required"] = [*merged.get("required", []), *v]
                else:
                    merged.setdefault(k, v)
        return generate_instance(merged, rng, hint, name=name, root=root, depth=depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        non_null = [k for k in kind if k != "null" and isinstance(k, str)]
        kind = non_null[0] if non_null and (depth < SHALLOW_DEPTH or "null" not in kind) \
            else "null"
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    if kind == "object":
        return _object(schema, rng, hint, root, depth)
    if kind == "array":
        if depth >= MAX_DEPTH or (depth >= SHALLOW_DEPTH and not schema.get("minItems")
                                  and not schema.get("prefixItems")
                                  and schema.get("contains") in (None, False, True)):
            return []
        low = _count(schema, "minItems", 1)
        high = _count(schema, "maxItems", max(low, 3))
        count = rng.randint(low, max(low, min(high, low + 2)))
        items = schema.get("items", {})
        prefix = schema.get("prefixItems") or []
        if items is False:  # only the positions prefixItems names
            count = min(count, len(prefix))
        # `contains`: the first item after prefixItems' is drawn to match it and `items`.
        contains = schema.get("contains")
        wanted = len(prefix) if contains not in (None, False, True) and items is not False \
            and len(prefix) < high else None
        if wanted is not None:
            count = max(count, wanted + 1)
        out: list[Any] = []
        # Unique items: draw again on a repeat, a bounded number of times.
        for _ in range(count * 8 if schema.get("uniqueItems") else count):
            at = len(out)
            part = prefix[at] if at < len(prefix) else \
                {"allOf": [contains, items]} if at == wanted else items  # contains' first
            item = generate_instance(part, rng, hint, name=name, root=root, depth=depth + 1)
            if not schema.get("uniqueItems") or item not in out:
                out.append(item)
            if len(out) == count:
                break
        return out
    if kind == "string":
        return _string(schema, rng, name, hint)
    if kind == "integer":
        return _number(schema, rng, integer=True)
    if kind == "number":
        return _number(schema, rng, integer=False)
    if kind == "boolean":
        return rng.random() < 0.5
    return None


def _object(schema: Mapping[str, Any], rng: random.Random, hint: str,
            root: Mapping[str, Any], depth: int) -> dict[str, Any]:
    properties: Mapping[str, Any] = schema.get("properties") or {}
    required = [r for r in schema.get("required", []) if isinstance(r, str)]
    out: dict[str, Any] = {}
    if depth >= MAX_DEPTH:
        return out
    for key in [*required, *(k for k in properties if k not in required)]:
        if key in out:
            continue
        optional = key not in required
        if optional and (depth >= SHALLOW_DEPTH or rng.random() < 0.3):
            continue
        out[key] = generate_instance(properties.get(key, {}), rng, hint, name=key, root=root,
                                     depth=depth + 1)
    low = _count(schema, "minProperties", 0)
    extra = schema.get("additionalProperties", True)
    patterns = [(k, v) for k, v in (schema.get("patternProperties") or {}).items()
                if isinstance(k, str)]
    for _ in range(low * 4):  # more keys where minProperties asks: named to a pattern
        if len(out) >= low:
            break
        if patterns:
            pattern, value_schema = rng.choice(patterns)
            try:
                key = string_matching(pattern, rng)
            except Unmatchable:
                patterns.remove((pattern, value_schema))  # never drawable: not again
                continue
        elif extra is False:
            break
        else:
            key, value_schema = f"{rng.choice(WORDS)}_{len(out)}", \
                extra if isinstance(extra, Mapping) else {"type": "string"}
        if key not in out and key not in properties:
            out[key] = generate_instance(value_schema, rng, hint, root=root, depth=depth + 1)
    return out
