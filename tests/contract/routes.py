"""What the contract tests iterate over: every provider x every route it serves, read from
PROFILES and the shipped schemas, so a route added by anyone is covered when it lands.

Also the pieces a test needs to call a route with nothing but its profile and schemas: a
catalogue model of the right kind, the URL with path parameters filled in, a JSON body or
a multipart form built from a body dict, and the validators of the answer.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from emulator.generate.tool_args import generate_instance
from emulator.openapi import media_types, wrap_success
from emulator.providers import PROFILES
from emulator.providers.base import Profile, RouteSpec
from tests.conftest import SCHEMAS
from tests.protocols.media_helpers import wav_bytes


@dataclass(frozen=True)
class RouteCase:
    profile: Profile
    route: RouteSpec

    @property
    def slug(self) -> str:
        return self.profile.slug

    @property
    def id(self) -> str:
        return f"{self.slug}:{self.route.route_id}"

    def schema(self, part: str) -> dict[str, Any] | None:
        return load_schema(self.slug, self.route.route_id, part)

    def model(self) -> str | None:
        """A catalogue model the route accepts (None when the route takes no model)."""
        if not self.route.model_kinds:
            return None
        return next(m.id for m in self.profile.catalogue.models
                    if m.kind in self.route.model_kinds)

    def path_params(self) -> dict[str, str] | None:
        """Values for the path's parameters; None when one names a resource a test would
        first have to create (a job id, a file name)."""
        values: dict[str, str] = {}
        for name in re.findall(r"\{(\w+)\}", self.route.path):
            if name != "model":
                return None
            values[name] = self.profile.catalogue.models[0].id
        return values

    def url(self, params: dict[str, str] | None = None) -> str:
        path = self.route.path
        for name, value in (params or {}).items():
            path = path.replace("{" + name + "}", value)
        return f"/{self.slug}{self.profile.base_paths[0]}{path}"


ALL_ROUTES: list[RouteCase] = [RouteCase(p, r) for p in PROFILES.values() for r in p.routes]
BODY_ROUTES = [c for c in ALL_ROUTES if c.route.body != "none"]
JSON_ROUTES = [c for c in ALL_ROUTES if c.route.body == "json"]
MULTIPART_ROUTES = [c for c in ALL_ROUTES if c.route.body == "multipart"]


def case_id(case: RouteCase) -> str:
    return case.id


@cache
def load_schema(slug: str, route_id: str, part: str) -> dict[str, Any] | None:
    path = SCHEMAS / slug / f"{route_id}.{part}.json"
    return json.loads(path.read_text()) if path.is_file() else None


@cache
def error_validator(slug: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((SCHEMAS / slug / "error.json").read_text()))


def assert_error_body(slug: str, response: Any, status: int | None = None) -> None:
    """The answer is an error in the provider's documented format (never a 500)."""
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if status is not None:
        assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("application/json")
    errors = sorted(error_validator(slug).iter_errors(response.json()), key=str)
    assert not errors, (response.text[:500], errors[0].message)


def sse_payloads(text: str) -> list[Any]:
    """The JSON payload of every `data:` line of an SSE body ([DONE] left out)."""
    out: list[Any] = []
    for frame in text.split("\n\n"):
        data = [line[5:].lstrip() for line in frame.split("\n") if line.startswith("data:")]
        if data and data[0] != "[DONE]":
            out.append(json.loads("\n".join(data)))
    return out


def response_violations(case: RouteCase, response: Any) -> list[str]:
    """Why the 2xx answer does not match the route's response (or stream) schema."""
    content_type = response.headers.get("content-type", "")
    if content_type.startswith("text/event-stream"):
        stream = case.schema("stream")
        assert stream is not None, f"{case.id} streams but ships no stream schema"
        validator = Draft202012Validator(stream)
        return [f"chunk {i}: {e.message}" for i, payload in enumerate(sse_payloads(
            response.text)) for e in validator.iter_errors(payload)]
    schema = case.schema("response")
    assert schema is not None, f"{case.id} ships no response schema"
    if not content_type.startswith("application/json"):
        allowed = media_types(schema)
        ok = content_type.split(";")[0].strip() in allowed
        return [] if ok else [f"content-type {content_type} is not one of {allowed}"]
    validator = Draft202012Validator(wrap_success(case.profile, schema))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(response.json())]


def sample_file(prop: dict[str, Any]) -> tuple[str, bytes, str]:
    """An upload whose name the field's filename pattern accepts: a WAV when it may be one
    (what the audio routes decode), else a few bytes under the first extension it names."""
    pattern = str(prop.get("properties", {}).get("filename", {}).get("pattern", ""))
    found = re.search(r"\\.\(([a-z0-9|]+)\)", pattern)
    extensions = found.group(1).split("|") if found else ["wav"]
    if "wav" in extensions:
        return "sample.wav", wav_bytes(0.5, rate=8000), "audio/wav"
    return f"sample.{extensions[0]}", bytes(range(64)), "application/octet-stream"


def minimal_body(case: RouteCase, attempts: int = 32) -> dict[str, Any]:
    """A small body valid against the route's request schema: its required fields only,
    with a catalogue model of the right kind."""
    schema = case.schema("request")
    assert schema is not None, f"{case.id} ships no request schema"
    required = schema.get("required", [])
    reduced = dict(schema, properties={k: v for k, v in schema.get("properties", {}).items()
                                       if k in required})
    # A top-level anyOf of `required` lists (one of two prompt fields): draw those fields
    # as optional ones, and keep a draw that satisfies it.
    either = {name for option in schema.get("anyOf", schema.get("oneOf", []))
              for name in option.get("required", [])}
    loose = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
    loose["properties"] = {k: v for k, v in schema.get("properties", {}).items()
                           if k in required or k in either}
    validator = Draft202012Validator(schema)
    model = case.model()
    for seed in range(attempts):
        body = generate_instance(reduced if seed % 2 == 0 else loose, random.Random(seed))
        if model is not None and "model" in schema.get("properties", {}):
            body["model"] = model
        for name in file_fields(schema):
            body[name] = {"filename": sample_file(schema["properties"][name])[0]}
        use_examples(schema, body)
        if validator.is_valid(body):
            return body
    raise AssertionError(f"no valid body for {case.id} from its schema in {attempts} tries")


def use_examples(schema: dict[str, Any], body: dict[str, Any]) -> None:
    """A field the generator cannot draw (a pattern it does not invert) takes the first of
    the schema's own `examples` for it."""
    for name, prop in schema.get("properties", {}).items():
        if name in body and isinstance(prop, dict) and prop.get("examples") \
                and not Draft202012Validator(prop).is_valid(body[name]):
            body[name] = prop["examples"][0]


def file_fields(schema: dict[str, Any]) -> list[str]:
    """Form fields the schema describes as uploaded files ({filename, ...} objects)."""
    return [name for name, prop in schema.get("properties", {}).items()
            if isinstance(prop, dict) and "filename" in prop.get("properties", {})]


def as_form(schema: dict[str, Any], body: dict[str, Any]) -> tuple[dict[str, Any],
                                                                   dict[str, Any]]:
    """(data, files) for a multipart request: file fields become a small WAV upload (an
    audio clip every audio route reads; other routes only look at the name and size)."""
    files_named = set(file_fields(schema))
    data: dict[str, Any] = {}
    files: dict[str, Any] = {}
    for name, value in body.items():
        if name in files_named:
            files[name] = sample_file(schema["properties"][name])
        elif isinstance(value, bool):
            data[name] = "true" if value else "false"
        elif isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif isinstance(value, dict):
            data[name] = json.dumps(value)
        elif value is not None:
            data[name] = str(value)
    return data, files


def encode_multipart(data: dict[str, Any], files: dict[str, Any]) -> tuple[bytes, str]:
    """(body, content type) of a multipart/form-data request, also when it has no file
    (an HTTP client sends a file-less form urlencoded, which a multipart route refuses)."""
    boundary = "emulator-contract-boundary"
    parts: list[bytes] = []
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
                         f"\r\n\r\n{item}\r\n".encode())
    for name, (filename, content, media_type) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: {media_type}\r\n\r\n'.encode()
                     + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
