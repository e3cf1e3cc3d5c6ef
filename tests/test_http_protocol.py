"""The emulator's HTTP/1.1 protocol (emulator/http_protocol.py, http_cycle.py) keeps
uvicorn's behaviour on the wire: keep-alive and its idle timeout, pipelining, bodies in
chunks past the flow-control mark, 100-continue, HEAD, HTTP/1.0, malformed requests,
apps that fail, chunked responses, disconnects, graceful shutdown and websocket upgrades.
A small ASGI app on a real server on 127.0.0.1, driven over raw sockets where framing
matters."""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from typing import Any

import pytest

from emulator.server import ASGIServer

BIG = bytes(range(256)) * 800  # 200 KiB: past uvicorn's 64 KiB flow-control mark
seen_disconnects: list[str] = []
caught: list[str] = []
disconnected = threading.Event()


async def reply(send: Any, status: int, body: bytes,
                headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


async def probe_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "websocket":  # an upgrade goes to uvicorn's websocket protocol
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": "hello"})
        await send({"type": "websocket.close"})
        return
    path = scope["path"]
    if path == "/raise":
        raise RuntimeError("the app failed")
    if path == "/silent":
        return
    if path == "/bad-header":
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"x-bad", b"one\ntwo")]})
        return
    if path == "/bad-headers-caught":  # uvicorn checks header by header: the value first
        try:
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"x-v", b"a\rb"), (b"bad:name", b"v")]})
        except RuntimeError as exc:
            caught.append(str(exc))
        return
    if path == "/wait-disconnect":
        while (message := await receive())["type"] != "http.disconnect":
            pass
        seen_disconnects.append(message["type"])
        disconnected.set()
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if path == "/sleep":
        await asyncio.sleep(float(scope["query_string"]))
    if path == "/late-body":  # the head first, the body a while later
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", b"4")]})
        await asyncio.sleep(0.5)
        await send({"type": "http.response.body", "body": b"late"})
        return
    if path == "/head-then-close":  # a cut before any body, as a fault does it
        await send({"type": "http.response.start", "status": 200, "headers": []})
        from emulator.transport import _close

        await _close(scope["state"]["emulator.transport"], asyncio.get_running_loop()
                     .create_future())
        return
    if path == "/chunked":  # no content-length: the server frames it in chunks
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for piece in (b"first ", b"second ", b"third"):
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    await reply(send, 200, json.dumps({
        "method": scope["method"], "path": path, "query": scope["query_string"].decode(),
        "length": len(body), "sha256": hashlib.sha256(body).hexdigest(),
        "transport": "emulator.transport" in scope["state"]}).encode())


@pytest.fixture(scope="module")
def probe() -> Iterator[ASGIServer]:
    with ASGIServer(probe_app, timeout_keep_alive=0.5) as server:
        yield server


def connect(server: ASGIServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes the connection."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def request(path: str, body: bytes = b"", method: str = "POST", extra: str = "") -> bytes:
    return (f"{method} {path} HTTP/1.1\r\nHost: probe\r\nContent-Length: {len(body)}\r\n"
            f"{extra}\r\n").encode() + body


def get_json(connection: http.client.HTTPConnection, path: str) -> dict[str, Any]:
    connection.request("POST", path, b"{}")
    response = connection.getresponse()
    assert response.status == 200
    return json.loads(response.read())  # type: ignore[no-any-return]


def test_keep_alive_serves_requests_on_one_connection_until_idle(probe: ASGIServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", probe.port, timeout=5)
    connection.connect()
    sock = connection.sock
    for index in range(3):
        answer = get_json(connection, f"/echo?n={index}")
        assert answer["query"] == f"n={index}" and answer["transport"]
        assert connection.sock is sock  # the same connection each time
    connection.request("POST", "/echo", b"x")
    response = connection.getresponse()
    response.read()
    assert parsedate_to_datetime(response.headers["date"]).year >= 2024
    assert response.headers["server"] == "uvicorn"
    time.sleep(1.2)  # past the 0.5 s keep-alive timeout, idle
    assert sock.recv(1) == b""  # the server closed it
    connection.close()


def test_a_request_that_outlasts_the_keep_alive_timeout_is_not_cut(probe: ASGIServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", probe.port, timeout=5)
    get_json(connection, "/echo")  # arms the idle timer (0.5 s)
    assert get_json(connection, "/sleep?0.9")["path"] == "/sleep"  # busy when it fires
    sock = connection.sock
    time.sleep(0.2)  # idle again, but not for long: still open
    assert get_json(connection, "/echo")["path"] == "/echo"
    assert connection.sock is sock
    connection.close()


def test_pipelined_requests_are_answered_in_order(probe: ASGIServer) -> None:
    with connect(probe) as sock:
        sock.sendall(request("/sleep?0.2") + request("/echo?second")
                     + request("/echo?third", extra="Connection: close\r\n"))
        data = read_all(sock)
    assert data.count(b"HTTP/1.1 200 OK") == 3
    first, second, third = (data.index(p) for p in (b'"/sleep"', b'"second"', b'"third"'))
    assert first < second < third


def test_a_body_sent_in_chunks_past_the_flow_control_mark_arrives_whole(
        probe: ASGIServer) -> None:
    with connect(probe) as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: probe\r\nTransfer-Encoding: chunked\r\n"
                     b"Connection: close\r\n\r\n")
        for start in range(0, len(BIG), 30_000):
            piece = BIG[start:start + 30_000]
            sock.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
            time.sleep(0.01)
        sock.sendall(b"0\r\n\r\n")
        data = read_all(sock)
    answer = json.loads(data.split(b"\r\n\r\n", 1)[1])
    assert answer["length"] == len(BIG)
    assert answer["sha256"] == hashlib.sha256(BIG).hexdigest()


def test_expect_100_continue_is_answered_before_the_body(probe: ASGIServer) -> None:
    with connect(probe) as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: probe\r\nContent-Length: 5\r\n"
                     b"Expect: 100-continue\r\nConnection: close\r\n\r\n")
        assert sock.recv(25) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"hello")
        data = read_all(sock)
    assert data.startswith(b"HTTP/1.1 200 OK")
    assert json.loads(data.split(b"\r\n\r\n", 1)[1])["length"] == 5


def test_head_sends_headers_only_and_keeps_the_framing(probe: ASGIServer) -> None:
    with connect(probe) as sock:
        sock.sendall(request("/echo", method="HEAD")
                     + request("/echo?after", extra="Connection: close\r\n"))
        data = read_all(sock)
    head, rest = data.split(b"\r\n\r\n", 1)
    assert b"content-length: " in head
    assert rest.startswith(b"HTTP/1.1 200 OK")  # no body after the HEAD's headers
    assert b'"after"' in rest


def test_http_1_0_closes_after_its_response(probe: ASGIServer) -> None:
    with connect(probe) as sock:
        sock.sendall(b"GET /echo HTTP/1.0\r\nHost: probe\r\n\r\n")
        data = read_all(sock)  # returns: the server closed it
    assert data.startswith(b"HTTP/1.1 200 OK")
    assert b"connection: close" in data.split(b"\r\n\r\n")[0]


def test_a_malformed_request_gets_400(probe: ASGIServer) -> None:
    with connect(probe) as sock:
        sock.sendall(b"NOT A REQUEST\r\n\r\n")
        data = read_all(sock)
    assert data.startswith(b"HTTP/1.1 400 Bad Request")


@pytest.mark.parametrize("path", ["/raise", "/silent"])
def test_an_app_that_fails_before_answering_gets_500(probe: ASGIServer, path: str) -> None:
    with connect(probe) as sock:
        sock.sendall(request(path))
        data = read_all(sock)
    assert data.startswith(b"HTTP/1.1 500 Internal Server Error")
    assert data.endswith(b"Internal Server Error")
    connection = http.client.HTTPConnection("127.0.0.1", probe.port, timeout=5)
    assert get_json(connection, "/echo")["path"] == "/echo"  # still serving
    connection.close()


def test_an_invalid_header_from_the_app_closes_without_a_response(probe: ASGIServer) -> None:
    with connect(probe) as sock:
        sock.sendall(request("/bad-header"))
        assert read_all(sock) == b""
    connection = http.client.HTTPConnection("127.0.0.1", probe.port, timeout=5)
    assert get_json(connection, "/echo")["path"] == "/echo"
    connection.close()


def test_a_response_without_a_length_is_sent_in_chunks(probe: ASGIServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", probe.port, timeout=5)
    connection.request("POST", "/chunked", b"")
    response = connection.getresponse()
    assert response.headers["transfer-encoding"] == "chunked"
    assert response.read() == b"first second third"
    assert get_json(connection, "/echo")["path"] == "/echo"  # framing intact after it
    connection.close()


class CountingTransport:
    """A transport that keeps what each write call wrote."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.writes: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))
        self.inner.write(data)

    def writelines(self, parts: Any) -> None:
        parts = list(parts)
        self.writes.append(b"".join(parts))
        self.inner.writelines(parts)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_whole_response_goes_out_in_one_write() -> None:
    from emulator.http_protocol import HTTP_PROTOCOL

    transports: list[CountingTransport] = []

    class CountingProtocol(HTTP_PROTOCOL):  # type: ignore[misc, valid-type]
        def connection_made(self, transport: Any) -> None:
            transports.append(CountingTransport(transport))
            super().connection_made(transports[-1])

    with ASGIServer(probe_app, http=CountingProtocol) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        assert get_json(connection, "/echo")["path"] == "/echo"
        assert get_json(connection, "/again")["path"] == "/again"
        connection.close()
    writes = transports[0].writes
    assert len(writes) == 2  # head and body together, once per response
    assert all(w.startswith(b"HTTP/1.1 200 OK\r\n") and w.endswith(b"}") for w in writes)


def test_a_head_is_sent_at_once_when_the_body_comes_later(probe: ASGIServer) -> None:
    sock = connect(probe)
    sock.sendall(request("/late-body"))
    began = time.monotonic()
    head = sock.recv(65536)
    assert time.monotonic() - began < 0.4  # not held back for the body
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and head.endswith(b"\r\n\r\n")
    assert sock.recv(65536) == b"late"
    sock.close()


def test_a_cut_before_any_body_still_follows_the_head(probe: ASGIServer) -> None:
    sock = connect(probe)
    sock.sendall(request("/head-then-close"))
    data = read_all(sock)
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"transfer-encoding: chunked\r\n" in data and data.endswith(b"\r\n\r\n")
    sock.close()


def test_a_client_that_leaves_is_seen_as_a_disconnect(probe: ASGIServer) -> None:
    disconnected.clear()
    sock = connect(probe)
    sock.sendall(request("/wait-disconnect"))
    time.sleep(0.1)
    sock.close()
    assert disconnected.wait(5)
    assert seen_disconnects[-1] == "http.disconnect"


def test_shutdown_lets_a_request_in_flight_finish() -> None:
    server = ASGIServer(probe_app).start()
    answers: list[bytes] = []
    with connect(server) as sock:
        sock.sendall(request("/sleep?0.5"))
        worker = threading.Thread(target=lambda: answers.append(read_all(sock)))
        worker.start()
        time.sleep(0.2)
        server.stop()  # asks uvicorn to shut down while the request sleeps
        worker.join(5)
    assert answers and answers[0].startswith(b"HTTP/1.1 200 OK")
    assert b"connection: close" in answers[0].split(b"\r\n\r\n")[0]


@pytest.mark.parametrize("target", [b"/ws", b"http://[::1"])  # the second: as uvicorn,
def test_a_websocket_upgrade_is_handed_to_uvicorns_websocket_protocol(  # unparsed
        probe: ASGIServer, target: bytes) -> None:
    with connect(probe) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: probe\r\nUpgrade: websocket\r\n"
                     b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     b"Sec-WebSocket-Version: 13\r\n\r\n")
        data = b""
        while b"hello" not in data and (chunk := sock.recv(4096)):
            data += chunk  # the server then waits for the client's close frame
    assert data.startswith(b"HTTP/1.1 101 Switching Protocols")
    assert b"hello" in data  # the app's first frame, after the handshake
    connection = http.client.HTTPConnection("127.0.0.1", probe.port, timeout=5)
    assert get_json(connection, "/echo")["path"] == "/echo"
    connection.close()


def test_header_errors_are_uvicorns_in_uvicorns_order(probe: ASGIServer) -> None:
    with connect(probe) as sock:
        sock.sendall(request("/bad-headers-caught"))
        assert read_all(sock) == b""
    assert caught[-1] == "Invalid HTTP header value."


def test_each_request_sees_the_lifespan_state_as_it_is_now() -> None:
    """uvicorn copies the lifespan state into each request's scope: a change made after the
    connection opened shows on its next request. The transport rides beside it."""
    held: dict[str, Any] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] == "lifespan.startup":
                scope["state"]["version"] = 1
                held["state"] = scope["state"]
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["path"] == "/set":
            held["state"]["version"] = 2
        body = json.dumps({"version": scope["state"]["version"],
                           "transport": "emulator.transport" in scope["state"]}).encode()
        await reply(send, 200, body)

    with ASGIServer(app, lifespan="on") as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        assert get_json(connection, "/get") == {"version": 1, "transport": True}
        assert get_json(connection, "/set")["version"] == 1  # its copy was made before
        assert get_json(connection, "/get")["version"] == 2  # the same connection
        connection.close()
    assert "emulator.transport" not in held["state"]
