"""The per-provider JSON Schemas in schemas/<slug>/<route_id>.<part>.json, compiled once.

Two validators per schema: fastjsonschema (generated code, ~20 us a body) decides valid or
not on the hot path; jsonschema (~300 us) runs only for a body already found invalid, to
name the most relevant violation in the error message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from . import jsonutil
from .resources import resource_dir


class SchemaStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root or resource_dir("schemas")
        self._validators: dict[tuple[str, str, str], Draft202012Validator | None] = {}
        self._fast: dict[tuple[str, str, str], Any] = {}

    def path(self, slug: str, route_id: str, part: str) -> Path:
        return self.root / slug / f"{route_id}.{part}.json"

    def load(self, slug: str, route_id: str, part: str) -> dict[str, Any] | None:
        path = self.path(slug, route_id, part)
        return jsonutil.loads(path.read_bytes()) if path.is_file() else None

    def validator(self, slug: str, route_id: str, part: str = "request") -> \
            Draft202012Validator | None:
        key = (slug, route_id, part)
        if key not in self._validators:
            schema = self.load(slug, route_id, part)
            self._validators[key] = None if schema is None else Draft202012Validator(schema)
        return self._validators[key]

    def prepare(self, slug: str, route_id: str, part: str = "request") -> Any:
        """Compile the fast validator of a schema (None when there is no schema)."""
        key = (slug, route_id, part)
        if key not in self._fast:
            validator = self.validator(slug, route_id, part)
            self._fast[key] = None if validator is None else \
                fastjsonschema.compile(validator.schema, use_default=False)
        return self._fast[key]

    def violation(self, slug: str, route_id: str, instance: Any,
                  part: str = "request") -> tuple[str, str] | None:
        """(message, field) of the first violation of the schema, or None if valid (or if
        there is no such schema)."""
        fast = self.prepare(slug, route_id, part)
        if fast is None:
            return None
        try:
            fast(instance)
            return None
        except fastjsonschema.JsonSchemaException:
            validator = self.validator(slug, route_id, part)
            assert validator is not None
            return first_violation(validator, instance)


def field_path(error: ValidationError) -> str:
    """`messages[0].role`, the way the gateways name a field in their messages."""
    out = ""
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = next((r for r in error.validator_value if r not in error.instance), None)
        if missing is not None:
            out = f"{out}.{missing}" if out else str(missing)
    return out


def first_violation(validator: Draft202012Validator, instance: Any) -> tuple[str, str] | None:
    """(message, field) of the most relevant violation, or None when the body is valid."""
    error = best_match(validator.iter_errors(instance))
    if error is None:
        return None
    where = field_path(error)
    if error.validator == "required":
        return f"Missing required parameter: '{where}'.", where
    if error.validator == "additionalProperties":
        return f"{where or 'body'}: {error.message}", where
    return f"Invalid value for '{where or 'body'}': {error.message}", where
