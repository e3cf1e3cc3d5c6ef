"""The per-provider JSON Schemas in schemas/<slug>/<route_id>.<part>.json, compiled once.

Two validators per schema: jsonschema-rs (compiled Rust, under 1 us a chat body) decides
valid or not on the hot path; jsonschema (~300 us) runs only for a body already found
invalid, to name the most relevant violation in the error message (and has the last word:
a body it finds valid is valid). Both are built on first use of a schema, not at start,
and both libraries are imported only then: `llm-emulator serve` starts sooner (issue 9).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import jsonutil
from .resources import resource_dir

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

# Longest violation message (or field path) an error body carries.
MESSAGE_LIMIT = 512


class SchemaStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root or resource_dir("schemas")
        self._validators: dict[tuple[str, str, str], Draft202012Validator | None] = {}
        self._fast: dict[tuple[str, str, str], Callable[[Any], bool] | None] = {}

    def path(self, slug: str, route_id: str, part: str) -> Path:
        return self.root / slug / f"{route_id}.{part}.json"

    def load(self, slug: str, route_id: str, part: str) -> dict[str, Any] | None:
        path = self.path(slug, route_id, part)
        return jsonutil.loads(path.read_bytes()) if path.is_file() else None

    def validator(self, slug: str, route_id: str, part: str = "request") -> \
            Draft202012Validator | None:
        key = (slug, route_id, part)
        if key not in self._validators:
            from jsonschema import Draft202012Validator  # heavy: only when first needed

            schema = self.load(slug, route_id, part)
            self._validators[key] = None if schema is None else Draft202012Validator(schema)
        return self._validators[key]

    def prepare(self, slug: str, route_id: str, part: str = "request") -> \
            Callable[[Any], bool] | None:
        """The fast validity check of a schema, compiled once (None when there is none)."""
        key = (slug, route_id, part)
        if key not in self._fast:
            schema = self.load(slug, route_id, part)
            self._fast[key] = None if schema is None else compile_fast(schema)
        return self._fast[key]

    def violation(self, slug: str, route_id: str, instance: Any,
                  part: str = "request") -> tuple[str, str] | None:
        """(message, field) of the first violation of the schema, or None if valid (or if
        there is no such schema)."""
        fast = self.prepare(slug, route_id, part)
        if fast is None or fast(instance):
            return None
        validator = self.validator(slug, route_id, part)
        assert validator is not None
        return first_violation(validator, instance)


def compile_fast(schema: dict[str, Any]) -> Callable[[Any], bool]:
    """`is_valid` of jsonschema-rs; jsonschema's own (slow, same answers) without it."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - jsonschema-rs is a dependency
        from jsonschema import Draft202012Validator

        return Draft202012Validator(schema).is_valid
    # Where it asserts `format` (older releases do) and jsonschema, which does not, finds
    # the body valid, violation() still answers valid: only that rare body is slower.
    return jsonschema_rs.validator_for(schema).is_valid  # type: ignore[no-any-return]


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
    from jsonschema.exceptions import best_match

    error = best_match(validator.iter_errors(instance))
    if error is None:
        return None
    where = field_path(error)
    if len(where) > MESSAGE_LIMIT:  # a client's own key names, quoted back
        where = where[:MESSAGE_LIMIT] + "..."
    if error.validator == "required":
        return f"Missing required parameter: '{where}'.", where
    # A schema may word its own refusal as the provider does (`x-message`, and `x-param`
    # where the provider names another field or none), where jsonschema's would be
    # cryptic: `not {}` reads "... should not be valid under {}".
    if isinstance(error.schema, dict) and isinstance(error.schema.get("x-message"), str):
        return error.schema["x-message"], error.schema.get("x-param", where) or ""
    # jsonschema's message quotes the offending value: a huge one is cut, not echoed.
    message = error.message if len(error.message) <= MESSAGE_LIMIT else \
        f"{error.message[:MESSAGE_LIMIT]}... ({len(error.message)} characters)"
    if error.validator == "additionalProperties":
        return f"{where or 'body'}: {message}", where
    return f"Invalid value for '{where or 'body'}': {message}", where
