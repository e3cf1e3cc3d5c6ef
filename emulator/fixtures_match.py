"""What a fixture rule matches on, and why a rule did not match.

A rule's conditions are checked against a `FixtureRequest`, which reads the request once
(model, stream flag, the conversation facts of its wire format). Each check returns
`None` when it passes, else a short reason in words; the journal shows the reasons of the
nearest rule when nothing matched, so a user sees at once which field was off.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl

from .errors import EmulatorError
from .protocols.answers import Conversation, describe_messages
from .protocols.anthropic_messages import describe_anthropic_messages
from .protocols.openai_responses import read_input

# The roles `last_role` may name; "tool" is a turn of tool results in any wire format.
ROLES = frozenset({"user", "assistant", "tool", "system"})


def _quote(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


@dataclass(frozen=True)
class TextMatch:
    """A string condition: exact, substring and/or regular expression (all must hold)."""

    equals: str | None = None
    contains: str | None = None
    matches: re.Pattern[str] | None = None

    def failure(self, text: str) -> str | None:
        if self.equals is not None and text != self.equals:
            return f"{_quote(text)} != {_quote(self.equals)}"
        if self.contains is not None and self.contains not in text:
            return f"{_quote(text)} does not contain {_quote(self.contains)}"
        if self.matches is not None and not self.matches.search(text):
            return f"{_quote(text)} does not match /{self.matches.pattern}/"
        return None

    def holds(self, text: str) -> bool:
        """`failure(text) is None`, without wording the failure (asked on every request)."""
        return (self.equals is None or text == self.equals) \
            and (self.contains is None or self.contains in text) \
            and (self.matches is None or self.matches.search(text) is not None)


class FixtureRequest:
    """The request as fixture rules see it; conversation facts are read only if asked."""

    def __init__(self, provider: str, route_id: str | None, path: str, body: Any,
                 query: str = "") -> None:
        self.provider = provider
        self.route_id = route_id
        self.path = path
        self.query = query
        self.body: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
        model = self.body.get("model")
        self.model = model if isinstance(model, str) else ""
        self.stream = bool(self.body.get("stream"))

    @cached_property
    def query_params(self) -> dict[str, str | list[str]]:
        """The query string's parameters: a value per name, a list for a repeated one."""
        return query_params(self.query)

    @cached_property
    def conversation(self) -> Conversation:
        """The same facts the answer generator uses (answers.Conversation), so `last_role:
        tool` means a turn of tool results in OpenAI, Anthropic and Responses requests."""
        body = self.body
        messages = body.get("messages")
        try:
            if self.route_id == "openai.responses":
                return read_input(body)[0]
            if isinstance(messages, list):
                if self.route_id is not None and self.route_id.startswith("anthropic."):
                    return describe_anthropic_messages(messages)
                return describe_messages(messages)
        except EmulatorError:  # validation already answered; a rule just does not match
            return Conversation("user", "", None)
        for key in ("prompt", "input", "query"):
            value = body.get(key)
            if isinstance(value, str):
                return Conversation("user", value, None)
            if isinstance(value, list) and value and isinstance(value[-1], str):
                return Conversation("user", value[-1], None)
        return Conversation("user", "", None)


# What a secret is replaced with in a recorded file; in a body condition it matches any
# value (the field must be there), so a recording still matches whatever key is sent.
REDACTED = "<redacted>"


@dataclass(frozen=True)
class BodyMatch:
    """A JSON value the request body must contain: objects by subset (every key given,
    compared recursively; with `exact`, no other key either), arrays element by element
    and of the same length, "<redacted>" any value, anything else by equality (1 == 1.0,
    but true != 1). Recorded fixtures match on the whole request body, exactly."""

    value: Any = field(compare=False)
    # The canonical form: two rules with the same body compare (and hash) equal.
    canonical: bytes = b""
    exact: bool = False
    # What is compared: the JSON "body", or the "query" string's parameters (as an
    # object of strings, a list for a repeated name).
    part: str = "body"

    def failure(self, value: Any) -> str | None:
        return _json_difference(value, self.value, self.part, self.exact)


def _json_difference(actual: Any, expected: Any, where: str, exact: bool) -> str | None:
    if expected == REDACTED:
        return None
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return f"{where}: expected an object"
        for key, value in expected.items():
            if key not in actual:
                return f"{where}.{key}: missing"
            reason = _json_difference(actual[key], value, f"{where}.{key}", exact)
            if reason is not None:
                return reason
        extra = [key for key in actual if key not in expected] if exact else []
        part = where.split(".", 1)[0].split("[", 1)[0]
        return f"{where}.{extra[0]}: not in the rule ({part}_exact)" if extra else None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{where}: expected an array of {len(expected)}"
        for i, (item, value) in enumerate(zip(actual, expected, strict=True)):
            reason = _json_difference(item, value, f"{where}[{i}]", exact)
            if reason is not None:
                return reason
        return None
    # bool is an int in Python, never in JSON: true must not equal 1.
    if isinstance(actual, bool) != isinstance(expected, bool) or actual != expected:
        return f"{where}: {_quote(repr(actual))} != {_quote(repr(expected))}"
    return None


@dataclass(frozen=True)
class Conditions:
    """Every field is optional; a rule with none matches every request."""

    providers: frozenset[str] | None = None
    routes: frozenset[str] | None = None
    path: TextMatch | None = None
    stream: bool | None = None
    model: TextMatch | None = None
    content: TextMatch | None = None
    last_role: str | None = None
    # True/False: the request does/does not end with tool results; a TextMatch: it does,
    # and their text matches.
    tool_result: bool | TextMatch | None = None
    body: BodyMatch | None = None
    query: BodyMatch | None = None

    def is_candidate(self, request: FixtureRequest) -> bool:
        """Whether the rule is about this provider, route and path at all (a rule that is
        not is never reported as the nearest miss)."""
        return (self.providers is None or request.provider in self.providers) \
            and (self.routes is None or request.route_id in self.routes) \
            and (self.path is None or self.path.failure(request.path) is None)

    def admits(self, request: FixtureRequest) -> bool:
        """`not failures(request)`: the usual rejections (provider, route, stream, model,
        content) are checked without wording a reason, since every request asks every
        rule and the words are only wanted for the nearest miss (issue 9)."""
        if (self.providers is not None and request.provider not in self.providers) \
                or (self.routes is not None and request.route_id not in self.routes) \
                or (self.stream is not None and self.stream != request.stream) \
                or (self.model is not None and not self.model.holds(request.model)) \
                or (self.content is not None
                    and not self.content.holds(request.conversation.last_user_text)):
            return False
        return not self.failures(request, first_only=True)

    def failures(self, request: FixtureRequest, first_only: bool = False) -> list[str]:
        """Why the request does not match, cheapest checks first; [] when it matches."""
        found: list[str] = []
        for check in _CHECKS:
            reason = check(self, request)
            if reason is not None:
                found.append(reason)
                if first_only:
                    break
        return found


def _providers(c: Conditions, r: FixtureRequest) -> str | None:
    if c.providers is None or r.provider in c.providers:
        return None
    return f"provider {r.provider!r} not in {sorted(c.providers)}"


def _routes(c: Conditions, r: FixtureRequest) -> str | None:
    if c.routes is None or r.route_id in c.routes:
        return None
    return f"route {r.route_id!r} not in {sorted(c.routes)}"


def _path(c: Conditions, r: FixtureRequest) -> str | None:
    reason = c.path.failure(r.path) if c.path is not None else None
    return None if reason is None else f"path {reason}"


def _stream(c: Conditions, r: FixtureRequest) -> str | None:
    if c.stream is None or c.stream == r.stream:
        return None
    return f"stream {str(r.stream).lower()} != {str(c.stream).lower()}"


def _model(c: Conditions, r: FixtureRequest) -> str | None:
    reason = c.model.failure(r.model) if c.model is not None else None
    return None if reason is None else f"model {reason}"


def _content(c: Conditions, r: FixtureRequest) -> str | None:
    reason = c.content.failure(r.conversation.last_user_text) if c.content else None
    return None if reason is None else f"content {reason}"


def _last_role(c: Conditions, r: FixtureRequest) -> str | None:
    if c.last_role is None or r.conversation.last_role == c.last_role:
        return None
    return f"last_role {r.conversation.last_role!r} != {c.last_role!r}"


def _tool_result(c: Conditions, r: FixtureRequest) -> str | None:
    if c.tool_result is None:
        return None
    text = r.conversation.tool_result_text
    if c.tool_result is False:
        return None if text is None else "tool_result: the request ends with tool results"
    if text is None:
        return "tool_result: the request does not end with tool results"
    if isinstance(c.tool_result, TextMatch):
        reason = c.tool_result.failure(text)
        return None if reason is None else f"tool_result {reason}"
    return None


def _body(c: Conditions, r: FixtureRequest) -> str | None:
    return c.body.failure(r.body) if c.body is not None else None


def _query(c: Conditions, r: FixtureRequest) -> str | None:
    return c.query.failure(r.query_params) if c.query is not None else None


_CHECKS = (_providers, _routes, _path, _stream, _model, _content, _last_role, _tool_result,
           _query, _body)


def query_params(query: str) -> dict[str, str | list[str]]:
    """`a=1&b=2&b=3` as {"a": "1", "b": ["2", "3"]}: how a rule's `query` is written."""
    params: dict[str, str | list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        seen = params.get(name)
        if seen is None:
            params[name] = value
        else:
            params[name] = [*seen, value] if isinstance(seen, list) else [seen, value]
    return params
