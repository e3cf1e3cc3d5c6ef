"""A recorded exchange as an ordinary fixture file: what the recorder (record.py) writes.

One rule per file, named `<provider>-<route id>-<NNNN>.json`: `match` is the request
(provider, route, path and its body, which `match.body` compares as a JSON subset), the
reply is the upstream's answer as a raw reply (status, headers that matter, body) or, for
an SSE stream, a stream script (each event as the upstream framed it, with its delay from
the previous one). Every file is read back through `parse_rule` before it is written, so
the recorder can never write what `check-fixtures` would refuse.

Secrets never reach a file (record_secrets.py): request headers are not written, a
response header named as secret is redacted, configured body fields become "<redacted>"
(which `match.body` takes for any value), and the secret values themselves (the key, a
secret header's or field's value) are scrubbed from every byte written.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from . import jsonutil, sse
from .fixtures_match import query_params
from .fixtures_parse import FixtureRule, parse_rule
from .record_secrets import Redactor

# RFC 9110 7.6.1: meaningful for one connection only, never forwarded by a proxy.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate",
                        "proxy-authorization", "proxy-connection", "te", "trailer",
                        "trailers", "transfer-encoding", "upgrade"})
# Not forwarded upstream: httpx sets the host and length of what it sends itself.
REQUEST_DROP = HOP_BY_HOP | {"host", "content-length"}
# Neither relayed nor recorded: the emulator's server sets its own length, date and
# server; httpx has already decoded the content; cookies are a session, not an answer.
RESPONSE_DROP = HOP_BY_HOP | {"content-length", "content-encoding", "date", "server",
                              "set-cookie", "alt-svc", "via"}
NUMBERED = re.compile(r"-(\d{4,})$")


@dataclass
class Exchange:
    """One forwarded request and the upstream's answer."""

    provider: str
    route_id: str | None
    method: str
    path: str
    query: str
    request_headers: Mapping[str, str]
    request_body: Any  # the parsed JSON body, or None
    status: int
    headers: Mapping[str, str]  # the upstream's, lower-case names
    content: bytes = b""
    # (frame, seconds since the previous one) for an SSE stream; None: not a stream.
    frames: list[tuple[bytes, float]] | None = None


def split_frames(buffer: bytes) -> tuple[list[bytes], bytes]:
    """Complete SSE events (each with its blank line) and the incomplete rest."""
    frames: list[bytes] = []
    while True:
        ends = [(i, len(sep)) for sep in (b"\n\n", b"\r\n\r\n") if (i := buffer.find(sep)) >= 0]
        if not ends:
            return frames, buffer
        index, size = min(ends)
        frames.append(buffer[:index + size])
        buffer = buffer[index + size:]


def event_spec(frame: bytes) -> dict[str, Any]:
    """The readable form of one SSE frame (`event` + `data` object, `data` text or a
    `comment`), when sse.py frames that form back to the same bytes; else `raw`."""
    text = frame.decode("utf-8", "replace")
    lines = text[:-2].split("\n") if text.endswith("\n\n") and "\r" not in text else None
    if lines and len(lines) == 1 and lines[0].startswith(": ") \
            and sse.frame_comment(lines[0][2:]) == frame:
        return {"comment": lines[0][2:]}
    name = lines.pop(0)[len("event: "):] if lines and lines[0].startswith("event: ") else None
    if lines and all(line.startswith("data: ") for line in lines):
        data = "\n".join(line[len("data: "):] for line in lines)
        try:
            value = jsonutil.loads(data)
        except jsonutil.JSONDecodeError:
            value = None
        if isinstance(value, dict | list):
            again = sse.frame_event(name, value) if name else sse.frame_data(value)
            if again == frame:
                return {"event": name, "data": value} if name else {"data": value}
        if sse.frame_text(data, name) == frame:
            return {"event": name, "data": data} if name else {"data": data}
    return {"raw": text}


def reply_spec(exchange: Exchange, redactor: Redactor,
               secrets: Sequence[str]) -> dict[str, Any]:
    headers = redactor.response_headers(
        {k: v for k, v in exchange.headers.items() if k not in RESPONSE_DROP}, secrets)
    if exchange.frames is not None:
        events = []
        for frame, delay in exchange.frames:
            frame = redactor.scrub_text(frame.decode("utf-8", "replace"), secrets).encode()
            event = event_spec(frame)
            if "data" in event and not isinstance(event["data"], str):
                event["data"] = redactor.scrub_json(event["data"], secrets)
            if delay >= 0.0005:  # below a millisecond is the loop's noise, not the gateway's
                event["delay"] = round(delay, 3)
            events.append(event)
        spec: dict[str, Any] = {"headers": headers, "stream": events}
        if exchange.status != 200:  # an SSE answer with another status is replayed with it
            spec = {"status": exchange.status, **spec}
        return spec
    reply: dict[str, Any] = {"status": exchange.status, "headers": headers}
    content = exchange.content
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        reply["body_base64"] = base64.b64encode(content).decode()
        return reply
    try:
        value = jsonutil.loads(content) if content else None
    except jsonutil.JSONDecodeError:
        value = None
    # Objects and arrays stay JSON, to read and edit; anything else is kept as its text.
    reply["body"] = redactor.scrub_json(value, secrets) if isinstance(value, dict | list) \
        else redactor.scrub_text(text, secrets)
    return reply


def match_spec(exchange: Exchange, redactor: Redactor,
               secrets: Sequence[str]) -> dict[str, Any]:
    match: dict[str, Any] = {"provider": exchange.provider}
    if exchange.route_id is not None:
        match["route"] = exchange.route_id
    match["path"] = exchange.path
    if isinstance(exchange.request_body, Mapping):
        # Exactly this body: a recording without `temperature` (or `stream`) must not
        # answer a request with it.
        match["body"] = redactor.scrub_json(exchange.request_body, secrets)
        match["body_exact"] = True
    if exchange.query or exchange.request_body is None:
        # Its query exactly (a secret parameter as "<redacted>", which matches any value):
        # `GET /v1/models?page=2` is not the recorded `GET /v1/models`.
        match["query"] = query_params(redactor.query(exchange.query, secrets))
        match["query_exact"] = True
    return match


@dataclass
class _Sequence:
    """The recordings of one request (same match): repeats with the same answer are one
    rule; once an answer differs, each recording is a rule of its own, answering its
    call (`nth`), the last one every later call too (rules are tried in file order)."""

    specs: list[dict[str, Any]] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    answers: list[bytes] = field(default_factory=list)  # canonical replies, no delays
    numbered: bool = False


class RecordingFolder:
    """Writes recorded exchanges into one folder of fixture files."""

    def __init__(self, folder: Path, upstream: str, redactor: Redactor) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.upstream = _without_userinfo(upstream)
        self.redactor = redactor
        # Numbers go on from the folder's highest, so a second session adds, never
        # overwrites.
        taken = [int(m.group(1)) for p in folder.glob("*.json")
                 if (m := NUMBERED.search(p.stem))]
        self.next_number = max(taken, default=0) + 1
        self.sequences: dict[bytes, _Sequence] = {}

    def save(self, exchange: Exchange) -> FixtureRule | None:
        """Write the exchange; returns its rule, or None for a repeat of an answer
        already recorded for the same request."""
        secrets = self.redactor.secrets_of(exchange.request_headers, exchange.request_body)
        match = match_spec(exchange, self.redactor, secrets)
        reply = reply_spec(exchange, self.redactor, secrets)
        sequence = self.sequences.setdefault(jsonutil.dumps_canonical(match), _Sequence())
        answer = jsonutil.dumps_canonical(_without_delays(reply))
        sequence.answers.append(answer)
        if len(sequence.answers) > 1 and not sequence.numbered \
                and all(a == answer for a in sequence.answers):
            return None
        spec: dict[str, Any] = {
            "name": "",
            "description": f"Recorded {exchange.method} {exchange.path} -> {exchange.status}",
            "recorded": {"upstream": self.upstream, "method": exchange.method,
                         "path": exchange.path,
                         "query": self.redactor.query(exchange.query, secrets),
                         "status": exchange.status,
                         "at": datetime.now(UTC).isoformat(timespec="seconds")},
            "match": match,
            "reply": reply,
        }
        if len(sequence.answers) > 1:
            # A new answer to a recorded request: the recordings before it answer calls
            # 1..n-1 (`nth`), this one call n and, without `nth`, every call after.
            previous = len(sequence.answers) - 1
            if sequence.numbered:
                self._renumber(sequence, -1, previous, secrets)
            else:  # one rule stood for every call so far, all with the same answer
                sequence.numbered = True
                self._renumber(sequence, 0, 1, secrets)
                for nth in range(2, previous + 1):
                    self._add(sequence, _renumbered(sequence.specs[0], nth), exchange,
                              secrets)
        return self._add(sequence, spec, exchange, secrets)

    def _renumber(self, sequence: _Sequence, index: int, nth: int,
                  secrets: Sequence[str]) -> None:
        sequence.specs[index] = _renumbered(sequence.specs[index], nth)
        self._write(sequence.specs[index], sequence.paths[index], secrets)

    def _add(self, sequence: _Sequence, spec: dict[str, Any], exchange: Exchange,
             secrets: Sequence[str]) -> FixtureRule:
        stem = f"{exchange.provider}-{exchange.route_id or _path_slug(exchange.path)}-" \
               f"{self.next_number:04d}"
        self.next_number += 1
        spec["name"] = stem
        path = self.folder / f"{stem}.json"
        rule = self._write(spec, path, secrets)
        sequence.specs.append(dict(rule.spec))  # as written: scrubbed
        sequence.paths.append(path)
        return rule

    def _write(self, spec: dict[str, Any], path: Path, secrets: Sequence[str]) -> FixtureRule:
        # Scrubbed once more as text: a secret the upstream echoed anywhere (a header, a
        # base64 body aside) cannot reach the disk.
        text = self.redactor.scrub_text(jsonutil.dumps_readable(spec).decode(), secrets)
        rule = parse_rule(jsonutil.loads(text), str(path), spec["name"])
        partial = path.with_suffix(".json.partial")  # not a fixture suffix: never loaded
        partial.write_text(text + "\n", encoding="utf-8")
        partial.replace(path)
        return rule


def _renumbered(spec: dict[str, Any], nth: int) -> dict[str, Any]:
    return {**spec, "match": {**spec["match"], "nth": nth}}


def _without_delays(reply: dict[str, Any]) -> dict[str, Any]:
    if "stream" not in reply:
        return reply
    return {**reply, "stream": [{k: v for k, v in e.items() if k != "delay"}
                                for e in reply["stream"]]}


def _path_slug(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "_", path).strip("_") or "root"


def _without_userinfo(url: str) -> str:
    """The upstream URL as written in files: no `user:password@`."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    netloc = parts.hostname or ""
    netloc += f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=netloc))
