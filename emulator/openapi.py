"""OpenAPI 3.1 documents built from the shipped schemas (`schemas/<slug>/*`), one per
provider, so users can feed the emulator's contract to their own tools (codegen, fuzzers,
mock checkers). Served at `GET /<slug>/openapi.json` and printed by
`llm-emulator openapi <provider>`.

Everything is read from the profile and its schema files, so a new route or provider
appears here without an edit. Conventions the schema files follow:
- `<route_id>.request.json`: the JSON body, or for multipart routes the parsed form
  (a file part is an object `{filename, content_type, size}`; on the wire it is binary).
  A body-less route's request schema admits no body and names its path parameters, each
  with its own schema, under `x-path-parameters`.
- `<route_id>.response.json`: the 200 body as sent. A response schema without the
  success envelope's fields on an enveloped provider (aimodels) describes the payload,
  and is wrapped here. A top-level `contentMediaType` marks a binary answer;
  `x-media-types` lists every non-JSON media type the route may answer with (the audio
  formats of a speech answer, text/plain transcripts beside the JSON ones).
- `<route_id>.stream.json`: one SSE `data:` payload of a streamed answer (in the
  document, the `contentSchema` of an event's `data`: see `sse_event`).
"""

from __future__ import annotations

import copy
from typing import Any

from . import jsonutil
from .providers.base import Profile, RouteSpec
from .schemas import SchemaStore

OPENAPI_VERSION = "3.1.0"
# Keys of a JSON Schema file that are about the file, not the instance.
FILE_ONLY_KEYS = ("$schema", "$id")
SECURITY_SCHEMES: dict[str, tuple[str, dict[str, Any]]] = {
    "bearer": ("BearerAuth", {"type": "http", "scheme": "bearer",
                              "description": "Authorization: Bearer <API key>"}),
    "x-api-key": ("ApiKeyHeader", {"type": "apiKey", "in": "header", "name": "X-Api-Key"}),
}


def wrap_success(profile: Profile, schema: dict[str, Any]) -> dict[str, Any]:
    """The schema of the body on the wire: a payload schema inside the provider's success
    envelope when it has one (envelopes.render_ok) and the schema does not already say so."""
    if profile.success_style != "aimodels" or "success" in schema.get("properties", {}):
        return schema
    return {
        "type": "object",
        "required": ["success", "data", "message", "timestamp"],
        "properties": {"success": {"const": True}, "data": schema,
                       "message": {"type": "string"}, "timestamp": {"type": "string"}},
    }


def is_binary(schema: dict[str, Any] | None) -> bool:
    return isinstance(schema, dict) and "contentMediaType" in schema


def media_types(schema: dict[str, Any] | None) -> list[str]:
    """The non-JSON media types a response schema allows (empty for a JSON-only one)."""
    if not isinstance(schema, dict):
        return []
    listed = [str(t) for t in schema.get("x-media-types", ())]
    return listed or ([str(schema["contentMediaType"])] if is_binary(schema) else [])


def path_parameters(route: RouteSpec, request: dict[str, Any] | None) -> list[dict[str, Any]]:
    """OpenAPI parameters of the route's `{name}` segments, typed by the request schema's
    `x-path-parameters` where it gives one."""
    described = (request or {}).get("x-path-parameters", {})
    out = []
    for name in route.pattern.groupindex if route.pattern else {}:
        schema = dict(described.get(name) or {"type": "string"})
        description = schema.pop("description", None)
        param = {"name": name, "in": "path", "required": True, "schema": schema}
        if description:
            param["description"] = description
        out.append(param)
    return out


def sse_event(payload: dict[str, Any]) -> dict[str, Any]:
    """The schema of ONE server-sent event whose `data` is a JSON payload (`[DONE]` ends
    OpenAI's streams). OpenAPI 3.1 has no keyword for the items of a stream (3.2 adds
    `itemSchema`); before 3.2 tools read a text/event-stream `schema` as one event, the
    `data` field's JSON described by `contentMediaType` + `contentSchema`."""
    return {
        "type": "object",
        "required": ["data"],
        "properties": {
            "event": {"type": "string"},
            "id": {"type": "string"},
            "retry": {"type": "integer"},
            "data": {"type": "string", "if": {"const": "[DONE]"}, "else": {
                "contentMediaType": "application/json", "contentSchema": payload}},
        },
    }


def _rebase_refs(node: Any, prefix: str) -> Any:
    """Local `#/...` references re-pointed at the schema's new home in components."""
    if isinstance(node, dict):
        out = {k: _rebase_refs(v, prefix) for k, v in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            out["$ref"] = prefix + ref[1:]
        return out
    if isinstance(node, list):
        return [_rebase_refs(v, prefix) for v in node]
    return node


def _multipart_form(schema: dict[str, Any]) -> dict[str, Any]:
    """The parsed-form schema as the wire form: a file part is binary."""
    form = copy.deepcopy(schema)
    for name, prop in form.get("properties", {}).items():
        if isinstance(prop, dict) and "filename" in prop.get("properties", {}):
            form["properties"][name] = {"type": "string", "contentMediaType":
                                        "application/octet-stream",
                                        "description": prop.get("description", "a file")}
    return form


class OpenAPIBuilder:
    def __init__(self, profile: Profile, store: SchemaStore | None = None) -> None:
        self.profile = profile
        self.store = store or SchemaStore()
        self.components: dict[str, Any] = {}

    def component(self, route_id: str, part: str,
                  schema: dict[str, Any] | None = None) -> dict[str, str] | None:
        """A `$ref` to the schema file as a component (None when there is no file)."""
        raw = schema if schema is not None else self.store.load(self.profile.slug, route_id,
                                                                 part)
        if raw is None:
            return None
        name = f"{route_id}.{part}"
        body = {k: v for k, v in raw.items() if k not in FILE_ONLY_KEYS}
        self.components[name] = _rebase_refs(body, f"#/components/schemas/{name}")
        return {"$ref": f"#/components/schemas/{name}"}

    def operation(self, route: RouteSpec) -> dict[str, Any]:
        slug = self.profile.slug
        op: dict[str, Any] = {
            "operationId": route.route_id,
            "summary": f"{route.method} {route.path}",
            "x-source": route.source,
            "responses": {},
        }
        request = self.store.load(slug, route.route_id, "request")
        params = path_parameters(route, request)
        if params:
            op["parameters"] = params
        if route.body != "none" and request is not None:
            if route.body == "multipart":
                ref = self.component(route.route_id, "request", _multipart_form(request))
                content = {"multipart/form-data": {"schema": ref}}
            else:
                content = {"application/json": {"schema": self.component(
                    route.route_id, "request", self.with_model_examples(route, request))}}
            op["requestBody"] = {"required": True, "content": content}
        op["responses"]["200"] = self.success(route)
        error = {"$ref": "#/components/schemas/error"}
        for status in ("4XX", "5XX"):
            op["responses"][status] = {
                "description": "An error in the provider's format",
                "content": {"application/json": {"schema": error}}}
        if not route.auth:
            op["security"] = []
        return op

    def with_model_examples(self, route: RouteSpec, schema: dict[str, Any]) -> dict[str, Any]:
        """The request schema with the catalogue's models of the route's kinds as the
        `model` field's examples: a fuzzer then also reaches past the 404 of a name that
        no catalogue knows."""
        model = schema.get("properties", {}).get("model")
        names = [m.id for m in self.profile.catalogue.models if m.kind in route.model_kinds]
        if not isinstance(model, dict) or not names or "examples" in model:
            return schema
        out = copy.deepcopy(schema)
        out["properties"]["model"]["examples"] = names
        return out

    def success(self, route: RouteSpec) -> dict[str, Any]:
        raw = self.store.load(self.profile.slug, route.route_id, "response")
        content: dict[str, Any] = {}
        for media_type in media_types(raw):
            content[media_type] = {"schema": {"type": "string", "contentMediaType": media_type}
                                   if not media_type.startswith("text/") else
                                   {"type": "string"}}
        if raw is not None and not is_binary(raw):
            content["application/json"] = {
                "schema": self.component(route.route_id, "response",
                                         wrap_success(self.profile, raw))}
        stream = self.component(route.route_id, "stream")
        if stream is not None:
            content["text/event-stream"] = {"schema": sse_event(stream)}
        return {"description": "Success", "content": content or {"*/*": {"schema": {}}}}

    def document(self, emulator_url: str | None = None) -> dict[str, Any]:
        profile = self.profile
        paths: dict[str, dict[str, Any]] = {}
        seen: set[str] = set()
        for route in profile.routes:
            op = self.operation(route)
            if op["operationId"] in seen:  # one handler on two paths
                op["operationId"] += f"_{route.method.lower()}_{len(seen)}"
            seen.add(op["operationId"])
            paths.setdefault(route.path, {})[route.method.lower()] = op
        error_path = self.store.root / profile.slug / "error.json"
        error = jsonutil.loads(error_path.read_bytes()) if error_path.is_file() else {}
        self.components["error"] = {k: v for k, v in error.items()
                                    if k not in FILE_ONLY_KEYS}
        schemes = [SECURITY_SCHEMES[s] for s in profile.auth_schemes if s in SECURITY_SCHEMES]
        servers = [{"url": f"https://{host}{base}", "description": "documented"}
                   for host in profile.hosts for base in profile.base_paths]
        if emulator_url is not None:
            servers = [{"url": f"{emulator_url}{base}", "description": "this emulator"}
                       for base in profile.base_paths] + servers
        return {
            "openapi": OPENAPI_VERSION,
            "info": {"title": f"{profile.name} ({profile.slug})", "version": "emulated",
                     "description": f"Built by llm-gateway-emulator from schemas/"
                                    f"{profile.slug}/ (source: {profile.doc})."},
            "servers": servers,
            "paths": paths,
            "components": {"schemas": self.components,
                           "securitySchemes": {name: scheme for name, scheme in schemes}},
            "security": [{name: []} for name, _ in schemes],
        }


def build_openapi(profile: Profile, store: SchemaStore | None = None,
                  emulator_url: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of one provider."""
    return OpenAPIBuilder(profile, store).document(emulator_url)
