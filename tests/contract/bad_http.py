"""Helpers of the bad-input tests: the route each test aims at per provider, raw-socket
requests for what an HTTP client library will not send (chunked uploads past the limit,
a body never sent), and the check that a server still serves after an abuse."""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from emulator import EmulatorServer
from emulator.providers import PROFILES
from tests.conftest import KEY
from tests.contract.routes import ALL_ROUTES, JSON_ROUTES, RouteCase


def json_route(slug: str) -> RouteCase:
    """The provider's first JSON route that takes a model (its chat route)."""
    return next(c for c in JSON_ROUTES if c.slug == slug and c.route.model_kinds)


def list_route(slug: str) -> RouteCase:
    """A cheap GET that needs only a key: proof the server still serves."""
    return next(c for c in ALL_ROUTES if c.slug == slug and c.route.body == "none"
                and c.route.auth and c.route.pattern is None)


# One connection pool for every request of the bad-input tests (a client per request
# would spend more on TLS contexts than the tests spend on requests).
HTTP = httpx.Client(timeout=30)


def assert_still_serving(server: EmulatorServer, slug: str) -> None:
    case = list_route(slug)
    response = HTTP.get(server.url + case.url(), headers={"Authorization": f"Bearer {KEY}"})
    assert response.status_code == 200, response.text[:300]


SLUGS = list(PROFILES)
# A forced call of one tool whose parameters are a client's schema, per wire format.
TOOL_CALLS: dict[str, Callable[[object], dict[str, object]]] = {
    "openai.chat_completions": lambda params: {
        "tools": [{"type": "function", "function": {"name": "f", "parameters": params}}],
        "tool_choice": "required"},
    "anthropic.messages": lambda params: {
        "tools": [{"name": "f", "input_schema": params}],
        "tool_choice": {"type": "any"}},
}


@dataclass
class RawAnswer:
    status: int
    headers: dict[str, str]
    body: bytes
    # Request body bytes the client had sent when the answer came.
    sent: int


def _read_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in
               (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def raw_upload(server: EmulatorServer, path: str, *, chunk: bytes, limit_bytes: int,
               declared_length: int | None = None) -> RawAnswer:
    """POST a body chunk by chunk (chunked transfer encoding, or a declared length it never
    fully sends) until the server answers or `limit_bytes` are sent."""
    sock = socket.create_connection((server.host, server.port), timeout=10)
    framing = (f"Content-Length: {declared_length}" if declared_length is not None
               else "Transfer-Encoding: chunked")
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n"
                 f"Authorization: Bearer {KEY}\r\nContent-Type: application/json\r\n"
                 f"{framing}\r\n\r\n".encode())
    frame = chunk if declared_length is not None else \
        f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent = 0
    deadline = time.monotonic() + 10
    try:
        while sent < limit_bytes and time.monotonic() < deadline:
            readable, _, _ = select.select([sock], [], [], 0 if chunk else 0.05)
            if readable:
                break
            if not chunk:
                continue
            try:
                sock.sendall(frame)
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                break
            sent += len(chunk)
        status, headers, body = _read_answer(sock)
    finally:
        sock.close()
    return RawAnswer(status, headers, body, sent)
