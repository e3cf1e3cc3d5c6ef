"""Fault rules: the record and its ONE parser, shared by every source (the control API,
the `X-Emulator-Fault` header, the pytest plugin). What a rule does when it fires is in
faults.py (which picks the rule) and transport.py (which applies its transport effects).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from fnmatch import fnmatchcase
from typing import Any

from .. import jsonutil
from ..errors import ERROR_KINDS, InvalidRequest, is_error_status

FAULT_HEADER = "x-emulator-fault"
# `hang: true` holds the request this long at most, then drops the connection: a
# forgotten client without a timeout must not pin a server task forever.
HANG_DEFAULT_S = 120.0
HANG_MAX_S = 600.0
STALL_DEFAULT_MS = 1000
# `duplicate`, `out_of_order` and `malformed_line` given as `true` act on the stream's
# first content event, wherever its format puts it (transport.first_content_index).

MATCH_FIELDS = ("provider", "route", "path", "model")
COUNT_FIELDS = ("times", "every", "probability")
# Actions a status fault may carry; everything else is about the delivered answer.
STATUS_EXTRAS = frozenset({"latency_ms", "message", "retry_after"})


@dataclass(frozen=True)
class FaultRule:
    """What to match, how often to fire, and what to do. Field names are the wire
    vocabulary of the control API and the header (see README "Faults")."""

    provider: str | None = None
    route: str | None = None  # route id, e.g. openai.chat_completions
    path: str | None = None  # relative to the provider's mount; `*` globs
    model: str | None = None
    times: int | None = None  # fire for the next N matching requests only
    every: int | None = None  # fire on every Kth matching request
    probability: float | None = None  # fire with this chance, seeded by Config.seed
    status: int | None = None
    error: str | None = None  # an error kind (errors.py) instead of, or in a stream
    message: str | None = None
    retry_after: int | None = None
    latency_ms: int = 0
    ttft_ms: int = 0
    tokens_per_second: float | None = None
    hang: float | None = None  # seconds at most
    drop: bool = False
    cut_after: int | None = None
    stall_after: int | None = None
    stall_ms: int = STALL_DEFAULT_MS
    stream_error_after: int | None = None
    no_done: bool = False
    # An event index, or True: the first content event (see above).
    duplicate: int | bool | None = None
    out_of_order: int | bool | None = None
    malformed_line: int | bool | None = None
    keepalive: bool = False

    @property
    def is_status(self) -> bool:
        return self.status is not None or (self.error is not None
                                           and self.stream_error_after is None)

    def to_dict(self) -> dict[str, Any]:
        """The fields that differ from their defaults: the rule as a user would write it."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) != f.default}

    def matches(self, provider: str, route_id: str | None, path: str,
                model: str | None) -> bool:
        if self.provider is not None and self.provider != provider:
            return False
        if self.route is not None and self.route != route_id:
            return False
        if self.path is not None and not _path_matches(self.path, provider, path):
            return False
        return self.model is None or self.model == model


def _path_matches(pattern: str, provider: str, path: str) -> bool:
    # Users copy either the SDK-relative path or the full URL path (/apiyi/v1/...).
    full = f"/{provider}{path}"
    if "*" in pattern:
        return fnmatchcase(path, pattern) or fnmatchcase(full, pattern)
    return pattern in (path, full)


_DEFAULTS = {f.name: f.default for f in fields(FaultRule)}
_ALL = frozenset(_DEFAULTS)


def parse_fault_rule(data: Mapping[str, Any], source: str) -> FaultRule:
    """A FaultRule from plain data; InvalidRequest names `source` and the bad field."""
    if not isinstance(data, Mapping):
        raise InvalidRequest(f"{source}: a fault rule must be a JSON object.")
    unknown = sorted(set(data) - _ALL)
    if unknown:
        raise InvalidRequest(f"{source}: unknown fault field {unknown[0]!r}; fields are "
                             f"{', '.join(sorted(_ALL))}.", param=unknown[0])
    values: dict[str, Any] = {}

    def bad(name: str, wanted: str) -> InvalidRequest:
        return InvalidRequest(f"{source}: {name!r} must be {wanted} (got {data[name]!r}).",
                              param=name)

    for name in ("provider", "route", "path", "model", "message"):
        if data.get(name) is not None:
            if not isinstance(data[name], str) or not data[name]:
                raise bad(name, "a non-empty string")
            values[name] = data[name]
    # Waits are capped as `hang` is: a typo of a few zeros must not pin a task for days.
    most_ms = int(HANG_MAX_S * 1000)
    for name, low, high in (("times", 1, None), ("every", 1, None),
                            ("latency_ms", 0, most_ms), ("ttft_ms", 0, most_ms),
                            ("retry_after", 0, None), ("cut_after", 0, None),
                            ("stall_after", 0, None), ("stall_ms", 0, most_ms),
                            ("stream_error_after", 0, None)):
        if data.get(name) is not None:
            value = data[name]
            if isinstance(value, bool) or not isinstance(value, int) or value < low \
                    or (high is not None and value > high):
                raise bad(name, f"an integer >= {low}" if high is None else
                          f"an integer from {low} to {high}")
            values[name] = value
    for name in ("duplicate", "out_of_order", "malformed_line"):
        value = data.get(name)
        if value is True:
            values[name] = True
        elif value is not None and value is not False:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise bad(name, "true or an event index >= 0")
            values[name] = value
    for name in ("drop", "no_done", "keepalive"):
        if data.get(name) is not None:
            if not isinstance(data[name], bool):
                raise bad(name, "true or false")
            values[name] = data[name]
    if data.get("probability") is not None:
        value = data["probability"]
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not 0 < value <= 1:
            raise bad("probability", "a number in (0, 1]")
        values["probability"] = float(value)
    if data.get("tokens_per_second") is not None:
        value = data["tokens_per_second"]
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not 1 / HANG_MAX_S <= value <= 1e6:  # an event at most every HANG_MAX_S
            raise bad("tokens_per_second", f"a number from {1 / HANG_MAX_S:g} to 1e6")
        values["tokens_per_second"] = float(value)
    hang = data.get("hang")
    if hang is True:
        values["hang"] = HANG_DEFAULT_S
    elif hang is not None and hang is not False:
        if isinstance(hang, bool) or not isinstance(hang, int | float) \
                or not 0 < hang <= HANG_MAX_S:
            raise bad("hang", f"true or a number of seconds in (0, {HANG_MAX_S:g}]")
        values["hang"] = float(hang)
    # Types first: a list or an object is no key of the tables (and not hashable).
    status = data.get("status")
    if status is not None:
        if not is_error_status(status):
            raise bad("status", "an HTTP error status, 400 to 599")
        values["status"] = status
    error = data.get("error")
    if error is not None:
        if not isinstance(error, str) or error not in ERROR_KINDS:
            raise bad("error", "an error kind: " + ", ".join(sorted(ERROR_KINDS)))
        values["error"] = error
    rule = FaultRule(**values)
    _check_combination(rule, source)
    return rule


def _check_combination(rule: FaultRule, source: str) -> None:
    actions = {name for name in _ALL - set(MATCH_FIELDS) - set(COUNT_FIELDS)
               if getattr(rule, name) != _DEFAULTS[name]}
    if "stall_ms" in actions and rule.stall_after is None:
        raise InvalidRequest(f"{source}: 'stall_ms' needs 'stall_after'.", param="stall_ms")
    if not actions - {"message", "retry_after", "stall_ms"}:
        raise InvalidRequest(f"{source}: a fault rule needs an action (status, latency_ms, "
                             "hang, drop, cut_after, ...).")
    if rule.every is not None and rule.probability is not None:
        raise InvalidRequest(f"{source}: give 'every' or 'probability', not both.",
                             param="probability")
    if rule.status is not None and rule.error is not None:
        raise InvalidRequest(f"{source}: give 'status' or 'error', not both.", param="error")
    exclusive = [name for name in ("status", "drop", "hang") if name in actions]
    if rule.is_status and rule.error is not None:
        exclusive.append("error")
    for name in exclusive:
        others = sorted(actions - STATUS_EXTRAS - {name})
        if others:
            raise InvalidRequest(f"{source}: {name!r} cannot be combined with {others[0]!r} "
                                 "(only with latency_ms, message, retry_after).", param=others[0])


def parse_fault_header(value: str) -> FaultRule:
    """The `X-Emulator-Fault` header: a JSON object, or `key=value;key=value` (a bare
    key means true), in the vocabulary of `parse_fault_rule`."""
    source = "X-Emulator-Fault header"
    text = value.strip()
    if text.startswith("{"):
        try:
            data = jsonutil.loads(text)
        except jsonutil.JSONDecodeError as exc:
            raise InvalidRequest(f"{source}: not valid JSON ({exc}).", param=FAULT_HEADER) \
                from None
    else:
        data = {}
        for part in filter(None, (p.strip() for p in text.split(";"))):
            key, sep, raw = part.partition("=")
            data[key.strip()] = _scalar(raw.strip()) if sep else True
    rule = parse_fault_rule(data, source)
    for name in COUNT_FIELDS:
        if getattr(rule, name) is not None:
            raise InvalidRequest(f"{source}: {name!r} needs a stored rule (POST "
                                 "/_emulator/faults); the header applies to its own request.",
                                 param=name)
    return rule


def _scalar(raw: str) -> Any:
    try:
        return jsonutil.loads(raw)
    except jsonutil.JSONDecodeError:
        return raw
