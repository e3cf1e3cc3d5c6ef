"""The records a provider profile is made of. A profile is data: shared code reads these
fields and never asks which provider it serves."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .. import jsonutil
from ..resources import resource_dir


@dataclass(frozen=True)
class RouteSpec:
    """One documented route. `path` is relative to the profile's base path and may hold
    `{name}` parameters; `route_id` (`<protocol>.<operation>`) names the handler, the
    schema files, the journal field and the fault/fixture match key."""

    method: str
    path: str
    route_id: str
    body: str = "json"  # "json", "multipart" or "none"
    # Catalogue kinds the `model` field may name; empty when the route takes no model.
    model_kinds: tuple[str, ...] = ()
    source: str = "documented"  # or "inferred": the provider only names the capability
    # False for links a client follows without its key (generated media, like a CDN URL):
    # no key check and no rate-limit charge.
    auth: bool = True
    # True when the route answers `"stream": true` with SSE: then a
    # `<route_id>.stream.json` schema (one SSE data payload) must ship with it.
    streams: bool = False

    @cached_property  # read on every response (issue 9)
    def family(self) -> str:
        """The wire family (`openai`, `anthropic`, ...): decides request-id header names
        and how an error inside a stream is framed."""
        return self.route_id.split(".", 1)[0]

    @property
    def pattern(self) -> re.Pattern[str] | None:
        if "{" not in self.path:
            return None
        return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.path) + "$")


@dataclass(frozen=True)
class LimitPolicy:
    """Documented limit values (None = no such limit). Enforcement lives in policy/."""

    rpm: int | None = None
    rpd: int | None = None
    tpm: int | None = None
    tpd: int | None = None
    concurrency: int | None = None
    # Named plans (ruijing): each a full policy; `default_plan` applies to unplanned keys.
    plans: Mapping[str, LimitPolicy] = field(default_factory=lambda: MappingProxyType({}))
    default_plan: str | None = None
    # Which rate-limit headers the provider sends: "openai" (x-ratelimit-*), "aimodels"
    # (X-RateLimit-*), or "retry-after" (only Retry-After, on a 429).
    header_style: str = "openai"


@dataclass(frozen=True)
class Model:
    id: str
    kind: str  # chat, embedding, image, audio, speech, transcription, vision, video, ...
    owned_by: str
    created: int
    context_window: int | None = None
    max_output_tokens: int | None = None
    dimensions: int | None = None
    # A reasoning model (deepseek-r1): its chat answers carry `reasoning_content` first,
    # as DeepSeek's API and the gateways that relay it send it.
    reasoning: bool = False


@dataclass(frozen=True)
class Catalogue:
    models: tuple[Model, ...]

    def get(self, model_id: str) -> Model | None:
        return self._index.get(model_id)

    @cached_property  # built on first use, then a plain attribute
    def _index(self) -> dict[str, Model]:
        return {m.id: m for m in self.models}


def load_catalogue(slug: str) -> Catalogue:
    """The model catalogue shipped in `fixtures/<slug>/models.json`."""
    path: Path = resource_dir("fixtures") / slug / "models.json"
    raw: dict[str, Any] = jsonutil.loads(path.read_bytes())
    return Catalogue(tuple(Model(**entry) for entry in raw["models"]))


# The audio uploads OpenAI's transcription routes accept, as its error message lists them.
OPENAI_AUDIO_FORMATS = ("flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav",
                        "webm")


@dataclass(frozen=True)
class Profile:
    """Everything that makes one gateway differ from another."""

    slug: str
    name: str
    doc: str  # the provider's documentation file in shared/docs
    hosts: tuple[str, ...]
    # Prefixes the routes hang under (`/v1`; qhaigc's Hong Kong node also serves at "").
    base_paths: tuple[str, ...]
    routes: tuple[RouteSpec, ...]
    # "bearer" (Authorization: Bearer KEY) and/or "x-api-key" (X-Api-Key: KEY).
    auth_schemes: tuple[str, ...]
    # The envelope style of error bodies and of success bodies (envelopes.py).
    error_style: str
    success_style: str
    catalogue: Catalogue
    limits: LimitPolicy
    # Id prefixes per object kind, e.g. {"chat": "chatcmpl-", "message": "msg_"}.
    id_prefixes: Mapping[str, str]
    id_alphabet: str = "alnum"  # or "hex"
    max_body_bytes: int = 50 * 1024 * 1024
    # Path prefixes of API families the provider says it does not support (apiyi).
    unsupported_paths: tuple[str, ...] = ()
    # Upload formats its transcription routes accept (OpenAI's list unless it documents
    # its own; its request schema's filename pattern says the same).
    audio_formats: tuple[str, ...] = OPENAI_AUDIO_FORMATS
    # Which error kinds this provider documents as 403 (key disabled/expired) etc. lives
    # in the envelope table; this marks whether a disabled key is a 403 here or a 401.
    documents_forbidden: bool = True

    @cached_property
    def serves_anthropic(self) -> bool:
        """Whether the anthropic SDK is among its clients (it serves Messages): answers
        that no route tells apart (an unknown path, the model list) then suit both SDKs."""
        return any(route.family == "anthropic" for route in self.routes)

    def id_prefix(self, kind: str) -> str:
        return self.id_prefixes.get(kind, "")
