"""Canned responses: fixture rules that answer a matching request instead of the generator.

One parser (`parse_rule`) turns a rule from any source (a fixture file, the control API,
a provider's documented example exchange) into the same `FixtureRule`. Rules are tried
most specific source first: added at run time (newest first), then `--fixtures DIR`,
then the docs' own example exchanges shipped in fixtures/<slug>/exchanges/.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import jsonutil
from .generate.tokens import content_text
from .protocols.base import CannedReply
from .resources import resource_dir


class FixtureError(ValueError):
    """A fixture rule that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class TextMatch:
    equals: str | None = None
    contains: str | None = None
    matches: re.Pattern[str] | None = None

    def test(self, text: str) -> bool:
        if self.equals is not None and text != self.equals:
            return False
        if self.contains is not None and self.contains not in text:
            return False
        return not (self.matches is not None and not self.matches.search(text))


@dataclass(frozen=True)
class FixtureRule:
    name: str
    source: str
    provider: str | None = None
    route: str | None = None
    model: str | None = None
    content: TextMatch | None = None
    reply: CannedReply = field(default_factory=CannedReply)

    def matches(self, provider: str, route_id: str | None, body: Any) -> bool:
        if self.provider is not None and self.provider != provider:
            return False
        if self.route is not None and self.route != route_id:
            return False
        if not isinstance(body, Mapping):
            return self.model is None and self.content is None
        if self.model is not None and body.get("model") != self.model:
            return False
        return self.content is None or self.content.test(last_user_text(body))


def last_user_text(body: Mapping[str, Any]) -> str:
    """The last user turn of any wire format (messages, prompt, input)."""
    messages = body.get("messages")
    if isinstance(messages, list):
        for message in reversed(messages):
            if isinstance(message, Mapping) and message.get("role") == "user":
                return content_text(message.get("content"))
        return ""
    for key in ("prompt", "input", "query"):
        value = body.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, list) and value and isinstance(value[-1], str):
            return value[-1]
    return ""


def _text_match(value: Any, where: str) -> TextMatch:
    if isinstance(value, str):
        return TextMatch(contains=value)
    if not isinstance(value, Mapping) or not value.keys() <= {"equals", "contains", "matches"}:
        raise FixtureError(f"{where}: expected a string or an object with equals/contains/"
                           "matches")
    pattern = value.get("matches")
    try:
        compiled = re.compile(pattern) if isinstance(pattern, str) else None
    except re.error as exc:
        raise FixtureError(f"{where}.matches: invalid regular expression ({exc})") from exc
    return TextMatch(value.get("equals"), value.get("contains"), compiled)


def _reply(value: Any, where: str) -> CannedReply:
    if not isinstance(value, Mapping):
        raise FixtureError(f"{where}: expected an object")
    content = value.get("content")
    if content is not None and not isinstance(content, str):
        raise FixtureError(f"{where}.content: expected a string")
    tool_calls = value.get("tool_calls") or ()
    if not isinstance(tool_calls, Sequence) or not all(
            isinstance(c, Mapping) and isinstance(c.get("name"), str) for c in tool_calls):
        raise FixtureError(f"{where}.tool_calls: expected a list of {{name, arguments}}")
    usage = value.get("usage")
    if usage is not None and not isinstance(usage, Mapping):
        raise FixtureError(f"{where}.usage: expected an object")
    return CannedReply(content=content, tool_calls=tuple(tool_calls), usage=usage,
                       finish_reason=value.get("finish_reason"))


def parse_rule(data: Any, source: str) -> FixtureRule:
    """A FixtureRule from its JSON form:
    {"name", "match": {"provider", "route", "model", "content"}, "reply": {...}}."""
    if not isinstance(data, Mapping):
        raise FixtureError(f"{source}: a rule must be an object")
    match = data.get("match", {})
    if not isinstance(match, Mapping):
        raise FixtureError(f"{source}: match: expected an object")
    unknown = set(match) - {"provider", "route", "model", "content"}
    if unknown:
        raise FixtureError(f"{source}: match.{sorted(unknown)[0]}: unknown field")
    if "reply" not in data:
        raise FixtureError(f"{source}: reply: required")
    content = match.get("content")
    return FixtureRule(
        name=str(data.get("name") or source),
        source=source,
        provider=match.get("provider"),
        route=match.get("route"),
        model=match.get("model"),
        content=None if content is None else _text_match(content, f"{source}: match.content"),
        reply=_reply(data["reply"], f"{source}: reply"),
    )


def exchange_rule(slug: str, path: Path) -> FixtureRule:
    """A rule from a documented example exchange: the doc's request (its model and last
    user message, exactly) answers with the doc's reply text and usage."""
    exchange = jsonutil.loads(path.read_bytes())
    request, response = exchange["request"], exchange["response"]
    response = response.get("data", response) if response.get("success") else response
    if "choices" in response:
        text = response["choices"][0]["message"]["content"]
        usage = response.get("usage")
    else:  # Anthropic message
        text = response["content"][0]["text"]
        raw = response.get("usage", {})
        usage = {"prompt_tokens": raw.get("input_tokens"),
                 "completion_tokens": raw.get("output_tokens")}
    return FixtureRule(
        name=f"{slug}/{path.stem}",
        source=f"fixtures/{slug}/exchanges/{path.name}",
        provider=slug,
        route=exchange["route"],
        model=request.get("model"),
        content=TextMatch(equals=last_user_text(request)),
        reply=CannedReply(content=text, usage=usage),
    )


def load_exchanges(slugs: Sequence[str]) -> list[FixtureRule]:
    root = resource_dir("fixtures")
    return [exchange_rule(slug, path) for slug in slugs
            for path in sorted((root / slug / "exchanges").glob("*.json"))]


def load_dir(folder: Path) -> list[FixtureRule]:
    """Every rule in a folder of .json files (one rule or a list per file)."""
    rules: list[FixtureRule] = []
    for path in sorted(folder.rglob("*.json")):
        try:
            data = jsonutil.loads(path.read_bytes())
        except ValueError as exc:
            raise FixtureError(f"{path}: not valid JSON ({exc})") from exc
        items = data if isinstance(data, list) else [data]
        for i, item in enumerate(items):
            rules.append(parse_rule(item, f"{path}" + (f"[{i}]" if len(items) > 1 else "")))
    return rules


class FixtureStore:
    def __init__(self, loaded: Sequence[FixtureRule], shipped: Sequence[FixtureRule]) -> None:
        self.loaded = list(loaded)
        self.shipped = list(shipped)
        self.runtime: list[FixtureRule] = []

    def add(self, rule: FixtureRule) -> None:
        self.runtime.insert(0, rule)

    def clear_runtime(self) -> None:
        self.runtime.clear()

    def match(self, provider: str, route_id: str | None, body: Any) -> FixtureRule | None:
        for rules in (self.runtime, self.loaded, self.shipped):
            for rule in rules:
                if rule.matches(provider, route_id, body):
                    return rule
        return None
