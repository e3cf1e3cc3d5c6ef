"""Record and replay (emulator/record.py): record real SDK traffic against a second
emulator started as the "upstream", stop it, and replay the folder with a fresh one."""

from __future__ import annotations

import dataclasses
import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anthropic
import httpx
import openai
import pytest

from emulator import Config, EmulatorServer
from emulator.cli import build_parser, config_from_args, main
from emulator.fixtures import FixtureError, FixtureRequest, check_dir, parse_rule
from emulator.policy.faults import parse_fault_rule
from emulator.record_files import Exchange, event_spec, reply_spec, split_frames
from emulator.record_secrets import Redactor
from tests.protocols.media_helpers import wav_bytes

KEY = "sk-live-recorded-key-9f8e7d6c5b4a"
AUTH_HEADER = {"Authorization": "Bearer sk-replay-key-000000"}
ORG_HEADER, ORG_TOKEN = "X-Org-Token", "org-token-5551234abc"
USER_SECRET = "user-secret-id-777777"
QUESTION = [{"role": "user", "content": "Explain tides briefly"}]
ECHO = [{"role": "user", "content": "echo my key"}]
PACED = "gemini-2.5-flash"  # the upstream answers it after a 300 ms time to first token
STALLED = "grok-3"  # the upstream stalls 400 ms after its second event
FAILING = "gpt-3.5-turbo"  # the upstream answers 503
FLAKY = "deepseek-r1"  # the upstream answers 503 once, then 200


@dataclass
class Recording:
    folder: Path
    seen: dict[str, Any] = field(default_factory=dict)


def openai_sdk(url: str, **kwargs: Any) -> openai.OpenAI:
    return openai.OpenAI(base_url=url, api_key=KEY, max_retries=0, **kwargs)


def stream_texts(client: openai.OpenAI, model: str) -> list[str]:
    chunks = client.chat.completions.create(model=model, messages=QUESTION, stream=True)
    return [c.choices[0].delta.content or "" for c in chunks if c.choices]


def status_error(call: Any) -> tuple[int, Any]:
    with pytest.raises(openai.APIStatusError) as caught:
        call()
    return caught.value.status_code, caught.value.body


def ask(client: openai.OpenAI, model: str = "gpt-4o", **kwargs: Any) -> dict[str, Any]:
    raw = client.chat.completions.with_raw_response.create(
        model=model, messages=QUESTION, **kwargs)
    reply = raw.parse()
    return {"content": reply.choices[0].message.content, "id": reply.id,
            "usage": reply.usage.model_dump() if reply.usage else None,
            "request_id": raw.headers.get("x-request-id"),
            "content_type": raw.headers.get("content-type")}


def messages(client: anthropic.Anthropic) -> tuple[str, str, int]:
    reply = client.messages.create(model="xiaoai-chat-v1", max_tokens=64,
                                   messages=[{"role": "user", "content": "Hello there"}])
    with client.messages.stream(model="xiaoai-chat-v1", max_tokens=64,
                                messages=[{"role": "user", "content": "Stream it"}]) as s:
        events = list(s)
    text = "".join(e.delta.text for e in events
                   if e.type == "content_block_delta" and e.delta.type == "text_delta")
    return reply.content[0].text, text, len(events)  # type: ignore[union-attr]


def start_upstream() -> EmulatorServer:
    upstream = EmulatorServer(Config(seed=11, limits_enabled=False)).start()
    faults = upstream.state.faults
    faults.add(parse_fault_rule({"model": FAILING, "status": 503}, "test"))
    faults.add(parse_fault_rule({"model": FLAKY, "status": 503, "times": 1}, "test"))
    faults.add(parse_fault_rule({"model": PACED, "ttft_ms": 300}, "test"))
    faults.add(parse_fault_rule({"model": STALLED, "stall_after": 2, "stall_ms": 400},
                                "test"))
    # An upstream that echoes secrets: the recorder must scrub them from the body.
    upstream.state.fixtures.add(parse_rule(
        {"match": {"content": "echo my key"},
         "reply": {"content": f"your key is {KEY}, your org {ORG_TOKEN}"}}, "test"))
    return upstream


def recorder(upstream: EmulatorServer, slug: str, folder: Path,
             **options: Any) -> EmulatorServer:
    return EmulatorServer(Config(
        record_url=f"{upstream.url}/{slug}", root_provider=slug, fixtures_dir=folder,
        secret_headers=(ORG_HEADER,), secret_fields=("user",), **options)).start()


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    """Every exchange recorded once; the upstream is stopped before any test replays."""
    rec = Recording(tmp_path_factory.mktemp("recorded"))
    seen = rec.seen
    upstream = start_upstream()
    apiyi = recorder(upstream, "apiyi", rec.folder)
    xiaoai = recorder(upstream, "xiaoai", rec.folder)
    try:
        client = openai_sdk(apiyi.base_url("apiyi"), default_headers={ORG_HEADER: ORG_TOKEN})
        seen["chat"] = ask(client, user=USER_SECRET)
        seen["stream"] = stream_texts(client, "gpt-4o")
        seen["503"] = status_error(lambda: ask(client, FAILING))
        seen["404"] = status_error(lambda: ask(client, "no-such-model"))
        seen["flaky"] = [status_error(lambda: ask(client, FLAKY))[0], ask(client, FLAKY)]
        seen["echo"] = client.chat.completions.create(
            model="gpt-4o", messages=ECHO).choices[0].message.content
        started = time.perf_counter()
        seen["paced"] = stream_texts(client, PACED)
        seen["paced_s"] = time.perf_counter() - started
        # Relayed as it arrives: the client holds the first chunks before the stall ends.
        started, arrivals = time.perf_counter(), []
        for _ in client.chat.completions.create(model=STALLED, messages=QUESTION,
                                                stream=True):
            arrivals.append(time.perf_counter() - started)
        seen["stalled_arrivals"] = arrivals
        seen["messages"] = messages(anthropic.Anthropic(
            base_url=xiaoai.anthropic_base_url("xiaoai"), api_key=KEY, max_retries=0))
        seen["upstream_requests"] = len(upstream.state.journal.entries)
    finally:
        for server in (xiaoai, apiyi, upstream):
            server.stop()
    return rec


@pytest.fixture(scope="module")
def _replayer(recording: Recording) -> Iterator[EmulatorServer]:
    # Another seed: an answer the generator made would differ from the recorded one.
    with EmulatorServer(Config(seed=99, fixtures_dir=recording.folder)) as server:
        yield server


@pytest.fixture
def replayer(_replayer: EmulatorServer) -> EmulatorServer:
    _replayer.state.reset()  # every nth count back to 0
    return _replayer


def files(folder: Path) -> dict[str, dict[str, Any]]:
    return {p.name: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


def test_recording_relays_answers_and_writes_one_file_per_exchange(
        recording: Recording) -> None:
    seen = recording.seen
    assert seen["chat"]["content"] and seen["stream"] and seen["messages"][0]
    assert seen["503"][0] == 503 and seen["404"][0] == 404
    assert seen["paced_s"] >= 0.28
    written = files(recording.folder)
    # The flaky request's two answers are two files; every other request is one.
    assert len(written) == seen["upstream_requests"] == 11
    assert "apiyi-openai.chat_completions-0001.json" in written
    assert any(name.startswith("xiaoai-anthropic.messages-") for name in written)


def test_streams_are_relayed_chunk_by_chunk_while_recording(recording: Recording) -> None:
    arrivals = recording.seen["stalled_arrivals"]
    assert arrivals[0] < 0.3  # before the upstream's 400 ms stall
    assert arrivals[-1] - arrivals[0] >= 0.3


def test_replay_gives_the_recorded_chat_answer(replayer: EmulatorServer,
                                               recording: Recording) -> None:
    client = openai_sdk(replayer.base_url("apiyi"))
    # `user` is a secret field: "<redacted>" in the match, so any value still matches.
    assert ask(client, user="someone-else") == recording.seen["chat"]
    assert replayer.state.journal.entries[-1].fixture == \
        "apiyi-openai.chat_completions-0001"


def test_replay_gives_the_recorded_streams(replayer: EmulatorServer,
                                           recording: Recording) -> None:
    client = openai_sdk(replayer.base_url("apiyi"))
    texts = stream_texts(client, "gpt-4o")
    assert texts == recording.seen["stream"]  # same text, same number of chunks
    assert len(texts) > 3
    assert messages(anthropic.Anthropic(base_url=replayer.anthropic_base_url("xiaoai"),
                                        api_key="sk-any-key-000000",
                                        max_retries=0)) == recording.seen["messages"]


def test_replay_gives_the_recorded_errors(replayer: EmulatorServer,
                                          recording: Recording) -> None:
    client = openai_sdk(replayer.base_url("apiyi"))
    assert status_error(lambda: ask(client, FAILING)) == recording.seen["503"]
    assert status_error(lambda: ask(client, "no-such-model")) == recording.seen["404"]
    assert all(e.fixture for e in replayer.state.journal.entries)


def test_repeated_request_replays_its_answers_in_order(replayer: EmulatorServer,
                                                       recording: Recording) -> None:
    client = openai_sdk(replayer.base_url("apiyi"))
    first, second = recording.seen["flaky"]
    assert status_error(lambda: ask(client, FLAKY))[0] == first == 503
    assert ask(client, FLAKY) == second
    assert ask(client, FLAKY) == second  # the last answer goes on answering


def test_no_secret_reaches_a_file(recording: Recording) -> None:
    texts = [p.read_text() for p in recording.folder.iterdir()]
    for secret in (KEY, ORG_TOKEN, USER_SECRET):
        assert not any(secret in text for text in texts), secret
    assert not any(ORG_HEADER.lower() in text.lower() for text in texts)
    echoed = [t for t in texts if "your key is" in t]
    assert len(echoed) == 1 and "your key is <redacted>, your org <redacted>" in echoed[0]
    assert recording.seen["echo"] == f"your key is {KEY}, your org {ORG_TOKEN}"  # relayed


def test_a_recorded_file_is_a_readable_ordinary_fixture(recording: Recording,
                                                        capsys: pytest.CaptureFixture[str],
                                                        ) -> None:
    rules, errors = check_dir(recording.folder)
    assert not errors and len(rules) == 11
    assert main(["check-fixtures", str(recording.folder)]) == 0
    assert "11 rule(s) OK" in capsys.readouterr().out
    chat = files(recording.folder)["apiyi-openai.chat_completions-0001.json"]
    assert chat["match"]["route"] == "openai.chat_completions"
    assert chat["match"]["body"]["messages"] == QUESTION
    assert chat["match"]["body"]["user"] == "<redacted>" and chat["match"]["body_exact"]
    assert chat["reply"]["status"] == 200
    assert chat["reply"]["body"]["choices"][0]["message"]["content"] == \
        recording.seen["chat"]["content"]
    headers = chat["reply"]["headers"]
    assert headers["content-type"] == "application/json" and "x-request-id" in headers
    assert not {"date", "server", "content-length"} & set(headers)
    stream = next(f for f in files(recording.folder).values()
                  if f["match"].get("body", {}).get("model") == PACED)
    events = stream["reply"]["stream"]
    assert events[0]["data"]["object"] == "chat.completion.chunk"
    assert events[-1] == {"data": "[DONE]"}
    assert 0.25 <= events[0]["delay"] < 2  # its time to first token


def test_replay_speed_scales_the_recorded_timing(recording: Recording) -> None:
    with EmulatorServer(Config(fixtures_dir=recording.folder, replay_speed=1)) as server:
        started = time.perf_counter()
        texts = stream_texts(openai_sdk(server.base_url("apiyi")), PACED)
        assert time.perf_counter() - started >= 0.25
    assert texts == recording.seen["paced"]
    with EmulatorServer(Config(fixtures_dir=recording.folder)) as server:  # speed 0
        started = time.perf_counter()
        stream_texts(openai_sdk(server.base_url("apiyi")), PACED)
        assert time.perf_counter() - started < 0.2


def test_a_recorded_answer_is_replayed_for_a_model_the_emulator_lacks(
        recording: Recording, tmp_path: Path) -> None:
    # A real gateway's model: edited in, as a user may edit any recorded file.
    spec = files(recording.folder)["apiyi-openai.chat_completions-0001.json"]
    spec["match"]["body"]["model"] = "vendor-private-model"
    (tmp_path / "edited.json").write_text(json.dumps(spec))
    with EmulatorServer(Config(fixtures_dir=tmp_path)) as server:
        reply = ask(openai_sdk(server.base_url("apiyi")), "vendor-private-model", user="u1")
    assert reply["content"] == recording.seen["chat"]["content"]


def test_record_missing_forwards_and_records_only_misses(recording: Recording,
                                                         tmp_path: Path) -> None:
    folder = tmp_path / "fixtures"
    shutil.copytree(recording.folder, folder)
    before = set(files(folder))
    upstream = start_upstream()
    server = recorder(upstream, "apiyi", folder, record_missing=True)
    try:
        client = openai_sdk(server.base_url("apiyi"))
        assert ask(client, user="another-user") == recording.seen["chat"]
        assert status_error(lambda: ask(client, FAILING)) == recording.seen["503"]
        assert len(upstream.state.journal.entries) == 0  # both replayed
        new = ask(client, "claude-3.5-sonnet")
        assert ask(client, "claude-3.5-sonnet") == new  # now replayed
        assert len(upstream.state.journal.entries) == 1
        for _ in range(2):  # a path the emulator does not route: forwarded every time
            httpx.post(f"{server.base_url('apiyi')}/rerank", headers=AUTH_HEADER,
                       json={"model": "bge-reranker", "query": "q", "documents": ["d"]})
        assert [e.path for e in upstream.state.journal.entries][1:] == ["/v1/rerank"] * 2
    finally:
        server.stop()
        upstream.stop()
    added = [spec for name, spec in files(folder).items() if name not in before]
    # The unrouted path is recorded all the same (one rule: the same answer both times).
    assert sorted(spec["match"]["body"]["model"] for spec in added) == [
        "bge-reranker", "claude-3.5-sonnet"]


def test_uploads_replay_by_their_form_and_file(tmp_path: Path) -> None:
    """A recorded upload answers the same form and file again, whatever multipart
    boundary the client picks; another file of the same name gets its own answer."""
    upstream = start_upstream()
    apiyi = recorder(upstream, "apiyi", tmp_path)
    short, long = wav_bytes(1.5), wav_bytes(4.0)
    try:
        client = openai_sdk(apiyi.base_url("apiyi"))
        recorded = {name: transcribe(client, audio)
                    for name, audio in (("short", short), ("long", long))}
    finally:
        apiyi.stop()
        upstream.stop()
    assert recorded["short"] != recorded["long"]
    body = files(tmp_path)["apiyi-openai.audio_transcriptions-0001.json"]["match"]["body"]
    assert body["model"] == "whisper-1"
    assert set(body["file"]) == {"filename", "content_type", "size", "digest"}
    with EmulatorServer(Config(seed=99, fixtures_dir=tmp_path)) as replayer:
        client = openai_sdk(replayer.base_url("apiyi"))
        # In the other order: matched by body, not by position.
        assert transcribe(client, long) == recorded["long"]
        assert transcribe(client, short) == recorded["short"]
        assert [e.fixture for e in replayer.state.journal.entries] == [
            "apiyi-openai.audio_transcriptions-0002", "apiyi-openai.audio_transcriptions-0001"]


def test_a_recorded_query_answers_only_that_query(tmp_path: Path) -> None:
    """`GET /v1/models?page=2` is not the recorded `GET /v1/models`, nor is `?page=3` the
    recorded `?page=2`; a secret parameter is redacted and matches any value."""
    upstream = start_upstream()
    apiyi = recorder(upstream, "apiyi", tmp_path)
    try:
        for query in ("", "?page=2&api_key=" + KEY):
            assert httpx.get(f"{apiyi.base_url('apiyi')}/models{query}",
                             headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
    finally:
        apiyi.stop()
        upstream.stop()
    written = files(tmp_path)
    assert [f["match"].get("query") for f in written.values()] == [
        {}, {"page": "2", "api_key": "<redacted>"}]
    assert KEY not in json.dumps(written)
    with EmulatorServer(Config(seed=99, fixtures_dir=tmp_path)) as replayer:
        for query in ("", "?page=2&api_key=other", "?page=3", "?page=2"):
            httpx.get(f"{replayer.base_url('apiyi')}/models{query}", headers=AUTH_HEADER)
        fixtures = [e.fixture for e in replayer.state.journal.entries]
    assert fixtures == ["apiyi-openai.models_list-0001", "apiyi-openai.models_list-0002",
                        None, None]


def transcribe(client: openai.OpenAI, audio: bytes) -> str:
    return client.audio.transcriptions.create(
        model="whisper-1", file=("speech.wav", audio, "audio/wav")).text


def test_serve_options_configure_recording(tmp_path: Path) -> None:
    args = build_parser().parse_args([
        "serve", "--record", "https://api.apiyi.com", "--provider", "apiyi",
        "--fixtures", str(tmp_path), "--record-missing", "--replay-speed", "2",
        "--secret-header", "X-A", "--secret-header", "X-B", "--secret-field", "user"])
    config = config_from_args(args)
    assert (config.record_url, config.root_provider, config.fixtures_dir) == \
        ("https://api.apiyi.com", "apiyi", tmp_path)
    assert config.record_missing and config.replay_speed == 2
    assert config.secret_headers == ("X-A", "X-B") and config.secret_fields == ("user",)
    # --record-missing without an upstream is refused before anything is served.
    assert main(["serve", "--record-missing", "--fixtures", str(tmp_path)]) == 2
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--replay-speed", "-1"])


def test_each_sse_event_is_written_readably_only_when_it_frames_back_the_same() -> None:
    assert event_spec(b'event: ping\ndata: {"type":"ping"}\n\n') == \
        {"event": "ping", "data": {"type": "ping"}}
    assert event_spec(b"data: [DONE]\n\n") == {"data": "[DONE]"}
    assert event_spec(b": PING\n\n") == {"comment": "PING"}
    # Spaced JSON would not come back byte for byte as an object: kept as its text;
    # CRLF line ends not at all: kept raw.
    assert event_spec(b'data: {"a": 1}\n\n') == {"data": '{"a": 1}'}
    assert event_spec(b"data: x\r\n\r\n") == {"raw": "data: x\r\n\r\n"}
    assert split_frames(b"data: 1\n\ndata: 2\r\n\r\ndata: 3") == \
        ([b"data: 1\n\n", b"data: 2\r\n\r\n"], b"data: 3")


def test_a_stream_answered_with_another_status_is_recorded_with_it() -> None:
    exchange = Exchange("apiyi", "openai.chat_completions", "POST", "/v1/chat/completions",
                        "", {}, {"model": "gpt-4o"}, 502,
                        {"content-type": "text/event-stream"},
                        frames=[(b'data: {"error": "upstream down"}\n\n', 0.0)])
    spec = reply_spec(exchange, Redactor.build((), ()), [])
    assert spec["status"] == 502
    rule = parse_rule({"match": {"provider": "apiyi"}, "reply": spec}, "recorded")
    assert rule.reply.status == 502  # type: ignore[union-attr]
    ok = reply_spec(dataclasses.replace(exchange, status=200), Redactor.build((), ()), [])
    assert "status" not in ok  # the usual 200 is left implicit


def test_redaction_covers_key_headers_fields_and_query() -> None:
    redactor = Redactor.build(["X-Org-Token"], ["user"])
    headers = {"authorization": f"Bearer {KEY}", "x-org-token": ORG_TOKEN}
    secrets = redactor.secrets_of(headers, {"user": USER_SECRET, "model": "gpt-4o"})
    assert {KEY, ORG_TOKEN, USER_SECRET} <= set(secrets)
    assert redactor.scrub_json({"user": "u", "text": f"k={KEY}"}, secrets) == \
        {"user": "<redacted>", "text": "k=<redacted>"}
    assert redactor.query(f"limit=2&key={KEY}", secrets) == "limit=2&key=<redacted>"
    assert redactor.response_headers({"x-org-token": "t", "x-request-id": f"r-{KEY}"},
                                      secrets) == {"x-org-token": "<redacted>",
                                                   "x-request-id": "r-<redacted>"}


def test_body_conditions_match_a_subset_or_exactly() -> None:
    def matches(match: dict[str, Any], body: dict[str, Any]) -> bool:
        rule = parse_rule({"match": match, "reply": {"content": "x"}}, "test")
        return not rule.conditions.failures(FixtureRequest("apiyi", None, "/", body))

    body = {"model": "m", "temperature": 0, "user": "anyone", "messages": [{"a": 1}]}
    assert matches({"body": {"temperature": 0.0, "messages": [{"a": 1}]}}, body)
    assert not matches({"body": {"temperature": False}}, body)  # false is not 0
    assert not matches({"body": {"messages": []}}, body)
    exact = {"model": "m", "temperature": 0, "user": "<redacted>", "messages": [{"a": 1}]}
    assert matches({"body": exact, "body_exact": True}, body)
    assert not matches({"body": {"model": "m"}, "body_exact": True}, body)
    with pytest.raises(FixtureError, match=r"match\.body_exact: needs a body"):
        parse_rule({"match": {"body_exact": True}, "reply": {"content": "x"}}, "test")
    with pytest.raises(FixtureError, match="recorded: expected an object"):
        parse_rule({"recorded": "yes", "reply": {"content": "x"}}, "test")
