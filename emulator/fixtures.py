"""Canned responses: fixture rules that answer a matching request instead of the generator.

One parser (`fixtures_parse.parse_rule`) turns a rule from any source into the same
`FixtureRule`. Rules are tried most specific source first: added at run time (newest
first), then `--fixtures DIR` (files in path order, rules in file order), then the docs'
own example exchanges shipped in fixtures/<slug>/exchanges/. The first rule that matches
answers; `match.nth` counts, per rule, every request that meets its other conditions
(whichever rule answered it), so "first call -> tool call, second call -> text" works
with two rules on the same content. `reset()` drops runtime rules and every count.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import jsonutil
from .fixtures_match import FixtureRequest, TextMatch
from .fixtures_parse import FixtureError, FixtureRule, parse_rule
from .resources import resource_dir

__all__ = ["FixtureError", "FixtureMatch", "FixtureRequest", "FixtureRule", "FixtureStore",
           "TextMatch", "check_dir", "load_dir", "load_exchanges", "parse_rule"]

SUFFIXES = frozenset({".json", ".yaml", ".yml"})


def exchange_rule(slug: str, path: Path) -> FixtureRule:
    """A rule from a documented example exchange: the doc's request (its model and last
    user message, exactly) answers with the doc's reply text and usage."""
    exchange = jsonutil.loads(path.read_bytes())
    request, response = exchange["request"], exchange["response"]
    response = response.get("data", response) if response.get("success") else response
    if "choices" in response:
        text = response["choices"][0]["message"]["content"]
        usage = response.get("usage") or {}
    else:  # Anthropic message
        text = response["content"][0]["text"]
        raw = response.get("usage", {})
        usage = {"prompt_tokens": raw.get("input_tokens"),
                 "completion_tokens": raw.get("output_tokens")}
    route = exchange["route"]
    asked = FixtureRequest(slug, route, "", request).conversation.last_user_text
    match: dict[str, Any] = {"provider": slug, "route": route, "content": {"equals": asked}}
    if isinstance(request.get("model"), str):
        match["model"] = request["model"]
    usage = {k: v for k, v in usage.items() if isinstance(v, int)}
    return parse_rule({"name": f"{slug}/{path.stem}", "match": match,
                       "reply": {"content": text, "usage": usage or None}},
                      f"fixtures/{slug}/exchanges/{path.name}")


def load_exchanges(slugs: Sequence[str]) -> list[FixtureRule]:
    root = resource_dir("fixtures")
    return [exchange_rule(slug, path) for slug in slugs
            for path in sorted((root / slug / "exchanges").glob("*.json"))]


def read_file(path: Path, name: str) -> list[FixtureRule]:
    """The rules of one .json/.yaml file: one rule, or a list of rules."""
    import yaml  # only a YAML fixture file needs it: kept out of every start (issue 9)

    text = path.read_bytes()
    try:
        data = yaml.safe_load(text) if path.suffix != ".json" else jsonutil.loads(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or exc
        raise FixtureError(f"{path}: not valid YAML{where} ({problem})") from None
    except ValueError as exc:
        raise FixtureError(f"{path}: not valid JSON ({exc})") from None
    if isinstance(data, list):
        return [parse_rule(item, f"{path}[{i}]", f"{name}[{i}]")
                for i, item in enumerate(data)]
    return [parse_rule(data, str(path), name)]


def check_dir(folder: Path) -> tuple[list[FixtureRule], list[FixtureError]]:
    """Every rule of a folder (searched recursively) and every file's error, so
    `check-fixtures` can list them all at once."""
    if not folder.is_dir():
        return [], [FixtureError(f"{folder}: not a folder")]
    rules: list[FixtureRule] = []
    errors: list[FixtureError] = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES and p.is_file()):
        try:
            rules.extend(read_file(path, path.relative_to(folder).as_posix()))
        except FixtureError as exc:
            errors.append(exc)
    return rules, errors


def load_dir(folder: Path) -> list[FixtureRule]:
    """Every rule in a folder; FixtureError listing every bad file otherwise."""
    rules, errors = check_dir(folder)
    if errors:
        raise FixtureError("\n".join(str(e) for e in errors))
    return rules


@dataclass(frozen=True)
class FixtureMatch:
    rule: FixtureRule | None
    # On a miss: why the nearest rule you added did not match (None: no rule was about
    # this provider, route and path).
    miss: str | None = None


class FixtureStore:
    def __init__(self, loaded: Sequence[FixtureRule], shipped: Sequence[FixtureRule]) -> None:
        self.loaded = list(loaded)
        self.shipped = list(shipped)
        self.runtime: list[FixtureRule] = []
        # id(rule) -> (rule, requests that met its other conditions). The rule is held so
        # its id cannot be reused by a new rule while the count lives.
        self.counts: dict[int, tuple[FixtureRule, int]] = {}
        # Recorded rules (record.py) are tried in a pass of their own, before the
        # emulator's checks (fixture_replies.replay_recorded); without any, it is skipped.
        self.has_recorded = any(r.recorded for r in self.loaded)
        self._static: dict[tuple[str, str | None], list[FixtureRule]] = {}
        self._static_signature: tuple[int, ...] = ()
        self._model_gates: dict[tuple[str, str | None], frozenset[str] | None] = {}

    def add(self, rule: FixtureRule) -> None:
        self.runtime.insert(0, rule)
        self.has_recorded = self.has_recorded or rule.recorded

    def remove(self, name: str | None = None) -> int:
        """Drop runtime rules (those named `name`, or all); returns how many went."""
        gone = [r for r in self.runtime if name is None or r.name == name]
        self.runtime = [r for r in self.runtime if name is not None and r.name != name]
        for rule in gone:
            self.counts.pop(id(rule), None)
        return len(gone)

    def reset(self) -> None:
        self.runtime.clear()
        self.counts.clear()

    def clear_runtime(self) -> None:
        self.reset()

    def listing(self) -> Iterator[tuple[str, FixtureRule]]:
        """(origin, rule) in the order they are tried."""
        yield from (("runtime", r) for r in self.runtime)
        yield from (("file", r) for r in self.loaded)
        yield from (("exchange", r) for r in self.shipped)

    def count(self, rule: FixtureRule) -> int:
        return self.counts.get(id(rule), (rule, 0))[1]

    def _candidates(self, provider: str, route_id: str | None) -> list[FixtureRule]:
        """The rules that may match a request to this provider and route, in the order
        they are tried. Every request asks; the loaded and shipped rules are filtered by
        provider and route once per pair, not per request (issue 9)."""
        static = self._static.get((provider, route_id))
        # Lists replaced or grown since (a reload): filter again.
        signature = (id(self.loaded), len(self.loaded), id(self.shipped), len(self.shipped))
        if static is None or self._static_signature != signature:
            if self._static_signature != signature:
                self._static = {}
                self._model_gates = {}
                self._static_signature = signature
            static = self._static[(provider, route_id)] = [
                r for r in (*self.loaded, *self.shipped)
                if (r.conditions.providers is None or provider in r.conditions.providers)
                and (r.conditions.routes is None or route_id in r.conditions.routes)]
        return [*self.runtime, *static] if self.runtime else static

    def cannot_match(self, provider: str, route_id: str | None, model: str) -> bool:
        """True when `match` would surely return FixtureMatch(None, None) for a request
        to this provider and route asking for `model`, so the caller can skip building
        the request and walking the rules (issue 9: most requests match no fixture).

        That holds when no runtime rule exists, every rule for the pair is a shipped one
        (so no nearest miss is worded), none counts requests (`nth`) and each needs one
        exact model (the docs' exchanges do) other than `model`."""
        if self.runtime:
            return False
        static = self._candidates(provider, route_id)
        pair = (provider, route_id)
        if pair not in self._model_gates:
            loaded = {id(r) for r in self.loaded}
            models = [r.conditions.model.equals if r.conditions.model is not None
                      and r.nth is None and id(r) not in loaded else None for r in static]
            self._model_gates[pair] = None if None in models else \
                frozenset(m for m in models if m is not None)
        gate = self._model_gates[pair]
        return gate is not None and model not in gate

    def match(self, request: FixtureRequest, recorded: bool | None = None) -> FixtureMatch:
        """The rule that answers; `recorded` True/False: only among recorded/other rules
        (each pass counts only its own rules' `nth`)."""
        winner: FixtureRule | None = None
        for rule in self._candidates(request.provider, request.route_id):
            if recorded is not None and rule.recorded != recorded:
                continue
            # Past the winner only sequence rules are looked at: their counts must see
            # every request that meets their conditions.
            if winner is not None and rule.nth is None:
                continue
            if not rule.conditions.admits(request):
                continue
            if rule.nth is not None:
                count = self.count(rule) + 1
                self.counts[id(rule)] = (rule, count)
                if count != rule.nth:
                    continue
            if winner is None:
                winner = rule
        if winner is not None:
            return FixtureMatch(winner)
        if recorded:  # the pass over recorded rules: the later pass says why nothing matched
            return FixtureMatch(None)
        return FixtureMatch(None, self.nearest_miss(request))

    def nearest_miss(self, request: FixtureRequest) -> str | None:
        """Why the user rule about this provider/route/path that failed fewest conditions
        did not match. Shipped exchanges are left out: nobody wrote them for this test."""
        best: tuple[FixtureRule, list[str]] | None = None
        for rule in (*self.runtime, *self.loaded):
            if not rule.conditions.is_candidate(request):
                continue
            reasons = rule.conditions.failures(request)
            if not reasons and rule.nth is not None:
                reasons = [f"nth {rule.nth}: this was request {self.count(rule)} that meets "
                           "its other conditions"]
            if best is None or len(reasons) < len(best[1]):
                best = (rule, reasons)
        if best is None:
            return None
        return f"nearest rule {best[0].name!r}: " + "; ".join(best[1])
