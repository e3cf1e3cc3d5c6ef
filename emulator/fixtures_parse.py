"""The fixture rule records and their one parser.

`parse_rule` turns a rule from any source (a file under --fixtures, the control API, the
pytest plugin, a documented example exchange) into a `FixtureRule`; every error names
the source and the field (`rules.yaml[1]: match.model: expected ...`).

    {"name": "...",
     "match": {"provider", "route", "path", "stream", "model", "content", "last_role",
               "tool_result", "body", "body_exact", "query", "query_exact", "nth"},
     "recorded": {...}    provenance of a recorded exchange (emulator/record.py); its
                          stream delays are scaled by --replay-speed
     "reply": one of
        {"content", "tool_calls", "usage", "finish_reason", "reasoning"}  by the protocol
        {"status", "headers", "body" | "body_base64"}         sent verbatim
        {"status", "headers", "stream": [event, ...]}         raw SSE events, paced
        {"error": {"status" | "kind", "message", "code", "headers"}}  provider's format
    }
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from http import HTTPStatus
from typing import Any

from . import jsonutil, sse
from .errors import ERROR_KINDS, kind_for_status
from .fixtures_match import ROLES, BodyMatch, Conditions, TextMatch
from .policy.fault_rules import HANG_MAX_S
from .protocols.base import CannedReply
from .providers import PROFILES

MATCH_FIELDS = ("provider", "route", "path", "stream", "model", "content", "last_role",
                "tool_result", "body", "body_exact", "query", "query_exact", "nth")
REPLY_KINDS: dict[str, frozenset[str]] = {
    "canned": frozenset({"content", "tool_calls", "usage", "finish_reason", "reasoning"}),
    "raw": frozenset({"status", "headers", "body", "body_base64"}),
    "stream": frozenset({"status", "headers", "stream"}),
    "error": frozenset({"error"}),
}
# total_tokens: the docs' example exchanges carry it (fixtures.exchange_rule); the
# protocols send the sum of the other two.
USAGE_FIELDS = frozenset({"prompt_tokens", "completion_tokens", "total_tokens"})
# Counts JSON readers everywhere keep exact (and orjson can write).
MAX_TOKENS = 2**53 - 1
# RFC 9110 5.1 tchar: a header name is one token, or the response head breaks.
HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# RFC 9110 5.5: no control characters but tab (CR/LF would inject header lines).
HEADER_VALUE_BAD = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# The server frames the body itself; a rule's own framing contradicts what is sent.
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})
# RFC 9110 6.4.1: never followed by content (a body would be read as the next response).
NO_BODY_STATUSES = frozenset({204, 205, 304})


class FixtureError(ValueError):
    """A fixture rule that cannot be used; the message names the source and the field."""


@dataclass(frozen=True)
class RawReply:
    """A whole HTTP answer, sent as written (a recorded exchange, an odd gateway body)."""

    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class StreamEvent:
    frame: bytes  # the SSE frame exactly as sent
    delay: float = 0.0  # seconds to wait before sending it


@dataclass(frozen=True)
class StreamScript:
    events: tuple[StreamEvent, ...]
    headers: Mapping[str, str]
    status: int = 200


@dataclass(frozen=True)
class ErrorReply:
    """An error in the provider's own format; `status` None: the kind's documented one."""

    kind: str
    message: str
    status: int | None = None
    code: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


FixtureReply = CannedReply | RawReply | StreamScript | ErrorReply


@dataclass(frozen=True)
class FixtureRule:
    name: str
    source: str
    conditions: Conditions = field(default_factory=Conditions)
    # Answer only the nth request (1-based) that meets the other conditions.
    nth: int | None = None
    reply: FixtureReply = field(default_factory=CannedReply)
    # Written by the recorder: answers before the emulator's own checks (the upstream
    # judged the request), its stream delays scaled by replay_speed.
    recorded: bool = False
    # The rule as written, for GET /_emulator/fixtures.
    spec: Mapping[str, Any] = field(default_factory=dict, compare=False)


@cache
def route_ids() -> frozenset[str]:
    return frozenset(r.route_id for p in PROFILES.values() for r in p.routes)


class _Fields:
    """Reads one object of a rule, raising FixtureError that names `<source>: <field>`."""

    def __init__(self, source: str, where: str, value: Any, allowed: frozenset[str]) -> None:
        self.source, self.where = source, where
        if not isinstance(value, Mapping):
            raise self.error(where, "expected an object")
        for name in value:
            if name not in allowed:
                raise self.error(self.at(str(name)), "unknown field (allowed: "
                                 f"{', '.join(sorted(allowed))})")
        self.value: Mapping[str, Any] = value

    def at(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name

    def error(self, where: str, problem: str) -> FixtureError:
        return FixtureError(f"{self.source}: {where}: {problem}" if where
                            else f"{self.source}: {problem}")

    def get(self, name: str, types: type | tuple[type, ...], what: str) -> Any:
        value = self.value.get(name)
        if value is None:
            return None
        allowed = types if isinstance(types, tuple) else (types,)
        # bool is an int in Python, never in a rule: `nth: true` is an error.
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            raise self.error(self.at(name), f"expected {what}")
        return value


def _text_match(fields: _Fields, name: str, bare: str) -> TextMatch | None:
    """A string (`bare`: "equals" or "contains") or {equals, contains, matches}."""
    value = fields.value.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return TextMatch(**{bare: value})
    if not isinstance(value, Mapping):
        raise fields.error(fields.at(name), "expected a string or an object with equals, "
                           "contains and/or matches")
    spec = _Fields(fields.source, fields.at(name), value,
                   frozenset({"equals", "contains", "matches"}))
    parts = {k: spec.get(k, str, "a string") for k in ("equals", "contains", "matches")}
    if all(v is None for v in parts.values()):
        raise spec.error(spec.where, "expected a string or one of equals/contains/matches")
    try:
        pattern = re.compile(parts["matches"]) if parts["matches"] is not None else None
    except re.error as exc:
        raise spec.error(spec.at("matches"), f"invalid regular expression ({exc})") from None
    return TextMatch(parts["equals"], parts["contains"], pattern)


def _names(fields: _Fields, name: str, known: frozenset[str]) -> frozenset[str] | None:
    value = fields.value.get(name)
    if value is None:
        return None
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise fields.error(fields.at(name), "expected a string or a list of strings")
    for item in items:
        if item not in known:
            raise fields.error(fields.at(name), f"unknown {name} {item!r} (known: "
                               f"{', '.join(sorted(known))})")
    return frozenset(items)


def _conditions(fields: _Fields) -> tuple[Conditions, int | None]:
    last_role = fields.get("last_role", str, "a string")
    if last_role is not None and last_role not in ROLES:
        raise fields.error(fields.at("last_role"), f"expected one of {', '.join(sorted(ROLES))}")
    tool_result: bool | TextMatch | None = fields.value.get("tool_result")
    if not isinstance(tool_result, bool):
        tool_result = _text_match(fields, "tool_result", "contains")
    nth = fields.get("nth", int, "a positive integer")
    if nth is not None and nth < 1:
        raise fields.error(fields.at("nth"), "expected a positive integer (1 = first call)")
    conditions = Conditions(
        providers=_names(fields, "provider", frozenset(PROFILES)),
        routes=_names(fields, "route", route_ids()),
        path=_text_match(fields, "path", "equals"),
        stream=fields.get("stream", bool, "true or false"),
        model=_text_match(fields, "model", "equals"),
        content=_text_match(fields, "content", "contains"),
        last_role=last_role,
        tool_result=tool_result,
        body=_json_match(fields, "body"),
        query=_json_match(fields, "query"),
    )
    return conditions, nth


def _json_match(fields: _Fields, part: str) -> BodyMatch | None:
    """`body` (any JSON) or `query` (an object of strings or lists of strings), with
    its `<part>_exact`."""
    exact = fields.get(f"{part}_exact", bool, "true or false")
    if part not in fields.value:
        if exact is not None:
            raise fields.error(fields.at(f"{part}_exact"), f"needs a {part} to compare with")
        return None
    value = fields.value[part]
    if part == "query" and not (isinstance(value, Mapping) and all(
            isinstance(v, str) or (isinstance(v, list) and all(isinstance(i, str) for i in v))
            for v in value.values())):
        raise fields.error(fields.at(part), "expected an object of strings (a list of "
                                            "strings for a repeated parameter)")
    try:
        canonical = jsonutil.dumps_canonical(value)
    except TypeError:  # YAML can hold what JSON cannot (dates, sets)
        raise fields.error(fields.at(part), "expected a JSON value") from None
    return BodyMatch(value, canonical, bool(exact), part)


def _headers(fields: _Fields) -> dict[str, str]:
    value = fields.value.get("headers")
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(
            isinstance(v, str | int | float) and not isinstance(v, bool) for v in value.values()):
        raise fields.error(fields.at("headers"), "expected an object of header: value")
    headers = {}
    for key, raw in value.items():
        # Checked before lower(), which maps some non-ASCII letters to ASCII ones.
        name = str(key)
        if not HEADER_NAME.fullmatch(name):
            raise fields.error(fields.at("headers"), f"{name!r}: not a valid header name "
                               "(letters, digits and !#$%&'*+-.^_`|~ only)")
        if name.lower() in FRAMING_HEADERS:
            raise fields.error(fields.at("headers"), f"{name!r}: set by the server itself "
                               f"(not allowed: {', '.join(sorted(FRAMING_HEADERS))})")
        # Surrounding blanks are not part of a value (RFC 9110 5.5); h11 refuses them.
        text = str(raw).strip(" \t")
        if HEADER_VALUE_BAD.search(text):
            raise fields.error(fields.at(f"headers.{name}"), "control characters (CR, LF, "
                               "NUL, ...) are not allowed in a header value")
        try:
            text.encode("latin-1")
        except UnicodeEncodeError:
            raise fields.error(fields.at(f"headers.{name}"), "expected a latin-1 header "
                               "value") from None
        headers[name.lower()] = text
    return headers


def _status(fields: _Fields, default: int | None, body: bool = False) -> int | None:
    """`body`: the reply sends content, which 204, 205 and 304 must not carry."""
    status = fields.get("status", int, "an HTTP status code")
    # 1xx are interim answers: the client would wait for a final one that never comes.
    if status is not None and not 200 <= status <= 599:
        raise fields.error(fields.at("status"), "expected an HTTP status code (200-599)")
    if body and status in NO_BODY_STATUSES:
        raise fields.error(fields.at("status"), f"{status} cannot carry a body (expected "
                           "another status, or an empty body)")
    return default if status is None else status


def _canned(fields: _Fields) -> CannedReply:
    tool_calls = fields.get("tool_calls", list, "a list of {name, arguments}") or []
    for i, call in enumerate(tool_calls):
        item = _Fields(fields.source, fields.at(f"tool_calls[{i}]"), call,
                       frozenset({"name", "arguments"}))
        if not isinstance(item.value.get("name"), str):
            raise item.error(item.at("name"), "expected a string")
        item.get("arguments", (str, dict), "a JSON string or an object")
    usage = fields.get("usage", Mapping, "an object")
    if usage is not None:
        counts = _Fields(fields.source, fields.at("usage"), usage, USAGE_FIELDS)
        for name, count in usage.items():
            # Not null either: the protocols would fail on it at answer time.
            if not isinstance(count, int) or isinstance(count, bool) \
                    or not 0 <= count <= MAX_TOKENS:
                raise counts.error(counts.where, "expected an object of token counts: "
                                   f"{name} is not an integer from 0 to {MAX_TOKENS}")
    return CannedReply(content=fields.get("content", str, "a string"),
                       tool_calls=tuple(tool_calls), usage=usage,
                       finish_reason=fields.get("finish_reason", str, "a string"),
                       reasoning=fields.get("reasoning", str, "a string"))


def _raw(fields: _Fields) -> RawReply:
    if "body" in fields.value and "body_base64" in fields.value:
        raise fields.error(fields.at("body_base64"), "give either body or body_base64")
    if "body_base64" in fields.value:
        try:
            body = base64.b64decode(fields.get("body_base64", str, "a base64 string") or "",
                                    validate=True)
        except (binascii.Error, ValueError):
            raise fields.error(fields.at("body_base64"), "not valid base64") from None
    else:
        value = fields.value.get("body")
        body = value.encode() if isinstance(value, str) else jsonutil.dumps(value)
    headers = _headers(fields)
    headers.setdefault("content-type", "application/json")
    return RawReply(_status(fields, 200, body=bool(body)) or 200, headers, body)


def _stream(fields: _Fields) -> StreamScript:
    events = fields.get("stream", list, "a list of SSE events")
    if not events:
        raise fields.error(fields.at("stream"), "expected a non-empty list of SSE events")
    script = []
    for i, item in enumerate(events):
        if isinstance(item, str):
            script.append(StreamEvent(sse.frame_text(item)))
            continue
        event = _Fields(fields.source, fields.at(f"stream[{i}]"), item,
                        frozenset({"data", "event", "comment", "raw", "delay"}))
        kinds = [k for k in ("data", "comment", "raw") if k in event.value]
        if len(kinds) != 1:
            raise event.error(event.where, "expected exactly one of data, comment, raw")
        delay = event.get("delay", (int, float), "seconds (a number)") or 0
        # Capped as a hang is: a forgotten script must not pin a server task for ever.
        if not 0 <= delay <= HANG_MAX_S:  # also refuses NaN
            raise event.error(event.at("delay"), f"expected seconds from 0 to {HANG_MAX_S:g}")
        name = event.get("event", str, "a string")
        if kinds[0] == "data":
            data = event.value["data"]
            frame = sse.frame_text(data, name) if isinstance(data, str) else (
                sse.frame_event(name, data) if name else sse.frame_data(data))
        elif kinds[0] == "comment":
            frame = sse.frame_comment(event.get("comment", str, "a string") or "")
        else:
            frame = (event.get("raw", str, "a string") or "").encode()
        script.append(StreamEvent(frame, float(delay)))
    headers = _headers(fields)
    headers.setdefault("content-type", "text/event-stream")
    # A stream always has a body, even a script of comments only.
    return StreamScript(tuple(script), headers, _status(fields, 200, body=True) or 200)


def _error(fields: _Fields) -> ErrorReply:
    spec = _Fields(fields.source, fields.at("error"), fields.value["error"],
                   frozenset({"status", "kind", "message", "code", "headers"}))
    status = _status(spec, None)
    kind = spec.get("kind", str, "an error kind")
    if kind is not None and kind not in ERROR_KINDS:
        raise spec.error(spec.at("kind"), f"unknown kind {kind!r} (known: "
                         f"{', '.join(sorted(ERROR_KINDS))})")
    if status is None and kind is None:
        raise spec.error(spec.where, "expected a status or a kind")
    if status is not None and status < 400:
        raise spec.error(spec.at("status"), "expected an error status (400-599)")
    message = spec.get("message", str, "a string") or (
        HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error")
    return ErrorReply(kind or kind_for_status(status or 500), message, status,
                      spec.get("code", str, "a string"), _headers(spec))


_REPLY_PARSERS = {"canned": _canned, "raw": _raw, "stream": _stream, "error": _error}


def _reply(source: str, value: Any) -> FixtureReply:
    if not isinstance(value, Mapping):
        raise FixtureError(f"{source}: reply: expected an object")
    kind = ("error" if "error" in value else "stream" if "stream" in value
            else "raw" if "body" in value or "body_base64" in value else "canned")
    fields = _Fields(source, "reply", value, REPLY_KINDS[kind])
    return _REPLY_PARSERS[kind](fields)  # type: ignore[no-any-return]


def parse_rule(data: Any, source: str, default_name: str | None = None) -> FixtureRule:
    """A FixtureRule from its JSON/YAML form (see the module docstring)."""
    rule = _Fields(source, "", data,
                   frozenset({"name", "description", "match", "reply", "recorded"}))
    name = rule.get("name", str, "a string") or default_name or source
    if "reply" not in rule.value:
        raise rule.error("reply", "required")
    # No match (or null) has no conditions: the rule answers every request. Anything but
    # an object is an error, never that.
    match_spec = rule.value.get("match")
    match = _Fields(source, "match", {} if match_spec is None else match_spec,
                    frozenset(MATCH_FIELDS))
    conditions, nth = _conditions(match)
    recorded = rule.get("recorded", Mapping, "an object (where it was recorded)")
    reply = _reply(source, rule.value["reply"])
    # A recorded file edited into content is rendered by the protocol like any such rule.
    return FixtureRule(name=name, source=source, conditions=conditions, nth=nth,
                       reply=reply, spec=dict(rule.value),
                       recorded=recorded is not None and not isinstance(reply, CannedReply))
