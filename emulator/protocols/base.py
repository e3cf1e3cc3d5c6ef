"""What a protocol handler receives (Call) and returns (a Reply). Handlers are pure
functions of the Call: no auth headers, no error bodies, no sleeping, no state."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from ..generate.ids import make_id_from
from ..generate.seed import RequestSeed
from ..jobs import JobStore
from ..providers.base import Model, Profile, RouteSpec


@dataclass(frozen=True)
class CannedReply:
    """A scripted answer from a fixture rule, rendered by the protocol in its own format.

    content: the assistant text; tool_calls: [{"name", "arguments"}] to call instead;
    usage: {"prompt_tokens", "completion_tokens"} to report instead of counting;
    finish_reason: override (e.g. "length"); reasoning: the thought before the answer
    (chat's `reasoning_content`), for any model."""

    content: str | None = None
    tool_calls: tuple[Mapping[str, Any], ...] = ()
    usage: Mapping[str, int] | None = None
    finish_reason: str | None = None
    reasoning: str | None = None


@dataclass(slots=True)
class Call:
    """Read-only by convention: slotted, not frozen, because a frozen dataclass's
    __init__ sets each field through object.__setattr__ and every request builds one
    (issue 9)."""

    body: Any
    profile: Profile
    route: RouteSpec
    seed: RequestSeed
    now: float
    model: Model | None = None
    path_params: Mapping[str, str] = field(default_factory=dict)
    # The query string as sent (`variant=thumbnail`), for the GET routes that read one.
    query: str = ""
    canned: CannedReply | None = None
    # The emulator's own base URL for this provider (`http://127.0.0.1:8000/apiyi`), for
    # links to generated media.
    base_url: str = ""
    # The emulator's asynchronous job store, for the routes that submit or poll jobs (the
    # one piece of state a handler may touch: it records submissions, nothing else).
    jobs: JobStore | None = None
    # The emulator's configured seed (`--seed`): what a whole run's answers share, such as
    # the embedding space (see vector_space).
    config_seed: int = 0

    def vector_space(self, model: str) -> str:
        """The embedding space of `model`: shared by every call under one seed (retrieval
        compares vectors from different calls), another seed gives other vectors."""
        return f"{self.config_seed}\x00{model}"

    @property
    def query_params(self) -> dict[str, str]:
        """The query string's parameters, the last value of a repeated one."""
        return {name: values[-1] for name, values in parse_qs(self.query).items()}

    def make_id(self, kind: str, salt: str = "id", length: int | None = None) -> str:
        prefix = self.profile.id_prefix(kind)
        alphabet = self.profile.id_alphabet
        size = length or (24 if alphabet == "hex" else 29)
        return make_id_from(self.seed.sample(f"{salt}:{kind}", size), prefix, alphabet)


@dataclass
class JSONReply:
    """A JSON body; `enveloped` applies the provider's success envelope (aimodels)."""

    payload: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    enveloped: bool = True
    # The payload's JSON once rendered, kept because a memoised reply is sent many times
    # (pipeline.render_reply sets it; a handler never does).
    encoded: bytes | None = field(default=None, compare=False, repr=False)
    # Its rendered HTTP response, kept while it sits in the answer cache: every request
    # that reaches it there has the same key, hence the same request id (issue 9).
    rendered: Any = field(default=None, compare=False, repr=False)


@dataclass
class StreamReply:
    """SSE frames, already encoded, in order (the terminal frame, if the format has one,
    last); stream faults (transport.py) rewrite them on the way out."""

    events: list[bytes]
    media_type: str = "text/event-stream"
    headers: dict[str, str] = field(default_factory=dict)
    # Seconds to wait before each frame (a fixture's stream script); None: send at once.
    delays: list[float] | None = None
    status: int = 200  # a fixture's stream script may say another
    # Its rendered HTTP response, kept while it sits in the answer cache: every request
    # that reaches it there has the same key, hence the same request id (issue 9).
    rendered: Any = field(default=None, compare=False, repr=False)


@dataclass
class BinaryReply:
    content: bytes
    media_type: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    # Its rendered HTTP response, kept while it sits in the answer cache: every request
    # that reaches it there has the same key, hence the same request id (issue 9).
    rendered: Any = field(default=None, compare=False, repr=False)


Reply = JSONReply | StreamReply | BinaryReply
Handler = Callable[[Call], Reply]
