"""Bad input at the HTTP layer (issue 8), every provider, against a real uvicorn server:
each answer is the provider's documented 4xx body (schemas/<slug>/error.json), never a
5xx or a traceback, and the server keeps serving afterwards."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

import httpx
import pytest

from emulator import EmulatorServer
from emulator.policy.validation import MAX_JSON_DEPTH
from tests.conftest import AUTH
from tests.contract.bad_http import (
    HTTP,
    SLUGS,
    TOOL_CALLS,
    assert_still_serving,
    json_route,
    raw_upload,
)
from tests.contract.routes import (
    ALL_ROUTES,
    JSON_ROUTES,
    MULTIPART_ROUTES,
    RouteCase,
    as_form,
    assert_error_body,
    case_id,
    encode_multipart,
    file_fields,
    minimal_body,
)

JSON = "application/json"
# (what, content type, body) that no JSON route may accept.
BAD_BODIES: dict[str, tuple[str | None, bytes]] = {
    "malformed JSON": (JSON, b'{"model": "x", "messages": [{"role": '),
    "trailing garbage": (JSON, b'{"model": "x"} and more'),
    "empty body": (JSON, b""),
    "whitespace only": (JSON, b" \r\n\t "),
    "JSON array": (JSON, b'[{"model": "x"}]'),
    "JSON string": (JSON, b'"hello"'),
    "JSON number": (JSON, b"42"),
    "JSON null": (JSON, b"null"),
    "invalid UTF-8": (JSON, b'{"model": "\xff\xfe\xfd", "messages": []}'),
    "byte order mark": (JSON, b'\xef\xbb\xbf{"model": "x"}'),
    "NaN literal": (JSON, b'{"model": "x", "temperature": NaN}'),
    "number past a double": (JSON, b'{"model": "x", "temperature": 1e400}'),
    "100k levels of arrays": (JSON, b"[" * 100_000 + b"]" * 100_000),
    "100k levels of objects": (JSON, b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
    "unclosed 100k levels": (JSON, b"[" * 100_000),
    "malformed, no content type": (None, b"{not json"),
}
# Declared types a JSON route refuses even around a valid body.
WRONG_TYPES = ("text/plain", "application/x-www-form-urlencoded",
               "multipart/form-data; boundary=x", "application/xml", "image/png")


def post(server: EmulatorServer, case: RouteCase, content: bytes,
         content_type: str | None) -> httpx.Response:
    headers = dict(AUTH)
    if content_type is not None:
        headers["Content-Type"] = content_type
    return HTTP.post(server.url + case.url(case.path_params()), content=content,
                     headers=headers)


@pytest.mark.parametrize("what", list(BAD_BODIES))
@pytest.mark.parametrize("slug", SLUGS)
def test_unreadable_json_body_gets_the_provider_400(server: EmulatorServer, slug: str,
                                                    what: str) -> None:
    content_type, content = BAD_BODIES[what]
    response = post(server, json_route(slug), content, content_type)
    assert_error_body(slug, response, 400)
    assert_still_serving(server, slug)


@pytest.mark.parametrize("content_type", WRONG_TYPES)
@pytest.mark.parametrize("slug", SLUGS)
def test_declared_non_json_type_gets_the_provider_400(server: EmulatorServer, slug: str,
                                                     content_type: str) -> None:
    case = json_route(slug)
    response = post(server, case, json.dumps(minimal_body(case)).encode(), content_type)
    assert_error_body(slug, response, 400)
    assert "application/json" in response.text


@pytest.mark.parametrize("slug", SLUGS)
def test_undeclared_type_is_read_as_json(server: EmulatorServer, slug: str) -> None:
    case = json_route(slug)
    response = post(server, case, json.dumps(minimal_body(case)).encode(), None)
    assert response.status_code == 200, response.text[:300]
    response = post(server, case, json.dumps(minimal_body(case)).encode(),
                    "Application/JSON; charset=UTF-8")
    assert response.status_code == 200, response.text[:300]


def nested(depth: int) -> object:
    value: object = "leaf"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


@pytest.mark.parametrize("slug", SLUGS)
def test_nesting_past_the_limit_is_400_and_up_to_it_never_a_500(server: EmulatorServer,
                                                              slug: str) -> None:
    """Deep values in every field of the body (the parser allows 1024 levels; the rest of
    the emulator walks bodies too): within MAX_JSON_DEPTH a 2xx or 4xx, past it a 400."""
    case = json_route(slug)
    body = minimal_body(case)
    schema = case.schema("request") or {}
    for name in schema.get("properties", {}):
        deep = json.dumps({**body, name: nested(MAX_JSON_DEPTH - 1)}).encode()
        response = post(server, case, deep, JSON)
        if response.status_code >= 300:
            assert_error_body(slug, response)
    deep = json.dumps({**body, "metadata": nested(MAX_JSON_DEPTH + 1)}).encode()
    assert_error_body(slug, post(server, case, deep, JSON), 400)
    assert_still_serving(server, slug)


def deep_schema(levels: int) -> dict[str, object]:
    """A tool's parameters `levels` objects deep, each requiring the next."""
    schema: dict[str, object] = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"a": schema}, "required": ["a"]}
    return schema


@pytest.mark.parametrize("case", [c for c in JSON_ROUTES if c.route.route_id in TOOL_CALLS],
                         ids=case_id)
def test_a_tool_schema_nested_to_the_limit_is_answered(server: EmulatorServer,
                                                       case: RouteCase) -> None:
    """The emulator walks a tool's parameters to draw its arguments: a schema nested
    as deep as a body may be gets a 2xx (a 500 here was a RecursionError)."""
    levels = (MAX_JSON_DEPTH - 8) // 2
    body = {**minimal_body(case), **TOOL_CALLS[case.route.route_id](deep_schema(levels))}
    response = post(server, case, json.dumps(body).encode(), JSON)
    assert response.status_code == 200, response.text[:300]


# What a 1 MB string replaces, and whether the schema must refuse it.
LONG: dict[str, tuple[Callable[[dict[str, object]], dict[str, object]], bool]] = {
    "model name": (lambda body: {**body, "model": "m" * 1_000_000}, True),
    "boolean field": (lambda body: {**body, "stream": "s" * 1_000_000}, True),
    # Unknown fields are ignored where the wire format allows extras.
    "unknown field's name": (lambda body: {**body, "k" * 1_000_000: 1}, False),
}


@pytest.mark.parametrize("what", list(LONG))
@pytest.mark.parametrize("slug", SLUGS)
def test_very_long_strings_get_a_short_provider_error(server: EmulatorServer, slug: str,
                                                      what: str) -> None:
    case = json_route(slug)
    change, refused = LONG[what]
    response = post(server, case, json.dumps(change(minimal_body(case))).encode(), JSON)
    if refused or response.status_code >= 300:
        assert_error_body(slug, response, 404 if response.status_code == 404 else 400)
        assert len(response.content) < 4096, "the error quotes the whole value back"


@pytest.mark.parametrize("slug", SLUGS)
def test_a_prompt_of_8_mb_is_answered(server: EmulatorServer, slug: str) -> None:
    case = json_route(slug)
    body = minimal_body(case)
    text = "long words " * 800_000
    key = "messages" if "messages" in body else "prompt"
    body[key] = [{"role": "user", "content": text}] if key == "messages" else text
    response = post(server, case, json.dumps(body).encode(), JSON)
    assert response.status_code < 500, response.text[:300]
    if response.status_code >= 400:  # longer than the context, or more than the TPM
        assert response.status_code in (400, 429), response.text[:300]
        assert_error_body(slug, response)


LIMIT = 256 * 1024


@pytest.mark.parametrize("slug", SLUGS)
def test_chunked_body_over_the_limit_is_413_before_it_is_all_sent(
        server: EmulatorServer, slug: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 64 MB chunked upload against a 256 KB limit: the 413 comes while the client is
    still sending, so the server reads no more than the limit (plus socket buffers)."""
    profile = server.app.profiles[slug]
    monkeypatch.setitem(server.app.profiles, slug,
                        dataclasses.replace(profile, max_body_bytes=LIMIT))
    case = json_route(slug)
    answer = raw_upload(server, case.url(), chunk=b" " * 65536, limit_bytes=64 << 20)
    assert answer.status == 413, answer.body[:300]
    assert answer.sent < 16 << 20, f"the server read {answer.sent} bytes before answering"
    assert_error_body(slug, httpx.Response(413, headers=answer.headers, content=answer.body),
                      413)
    assert_still_serving(server, slug)


@pytest.mark.parametrize("slug", SLUGS)
def test_declared_length_over_the_limit_is_413_without_a_byte_of_body(
        server: EmulatorServer, slug: str) -> None:
    limit = server.app.profiles[slug].max_body_bytes
    answer = raw_upload(server, json_route(slug).url(), chunk=b"", limit_bytes=1,
                        declared_length=limit + 1)
    assert answer.status == 413
    assert_error_body(slug, httpx.Response(413, headers=answer.headers, content=answer.body),
                      413)
    assert_still_serving(server, slug)


@pytest.mark.parametrize("case", MULTIPART_ROUTES, ids=case_id)
def test_multipart_body_without_its_file_is_400(server: EmulatorServer,
                                                case: RouteCase) -> None:
    schema = case.schema("request") or {}
    data, _files = as_form(schema, minimal_body(case))
    content, content_type = encode_multipart(data, {})
    response = post(server, case, content, content_type)
    if set(file_fields(schema)) & set(schema.get("required", [])):
        assert_error_body(case.slug, response, 400)
        assert "file" in response.json()["error"]["message"]
    else:  # the file is optional here (Sora's input_reference)
        assert response.status_code == 200, response.text[:300]
    for broken_type, broken in (("multipart/form-data", content),  # no boundary
                                (content_type, b"--nope\r\nnot a form"),
                                (content_type, b"")):
        assert_error_body(case.slug, post(server, case, broken, broken_type), 400)
    # Invalid UTF-8 in a field's value: read with replacement characters, so a 2xx for a
    # free-text field or a 4xx for a model name, never a 5xx.
    response = post(server, case, content.replace(b"\r\n\r\n", b"\r\n\r\n\xff\xfe", 1),
                    content_type)
    if response.status_code >= 300:
        assert_error_body(case.slug, response)
    assert_still_serving(server, case.slug)


UNUSED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


@pytest.mark.parametrize("case", ALL_ROUTES, ids=case_id)
def test_unsupported_method_is_the_provider_405(server: EmulatorServer,
                                                case: RouteCase) -> None:
    served = {c.route.method for c in ALL_ROUTES
              if c.slug == case.slug and c.route.path == case.route.path}
    url = server.url + case.url({k: "x" for k in (case.route.pattern.groupindex
                                                  if case.route.pattern else ())})
    for method in (m for m in UNUSED_METHODS if m not in served):
        response = HTTP.request(method, url, headers=AUTH)
        assert_error_body(case.slug, response, 405)
        assert set(response.headers["allow"].split(", ")) == served


@pytest.mark.parametrize("path", ["/v1/no/such/route", "/v1/chat/completions/extra",
                                  "/nothing", "/v1/%FF%FE", "/v1/" + "a" * 4000])
@pytest.mark.parametrize("slug", SLUGS)
def test_unknown_path_is_the_provider_404(server: EmulatorServer, slug: str,
                                          path: str) -> None:
    response = HTTP.post(f"{server.url}/{slug}{path}", headers=AUTH, json={})
    assert_error_body(slug, response, 404)
    assert_still_serving(server, slug)
