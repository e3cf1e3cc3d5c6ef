"""Fixture files: JSON and YAML, validated at start with the file and field named, and
`llm-emulator check-fixtures` reporting them without serving."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from emulator import Config, create_app
from emulator.cli import main
from emulator.fixtures import FixtureError, load_dir, parse_rule
from emulator.fixtures_parse import RawReply, StreamScript
from emulator.protocols.base import CannedReply

from .conftest import AUTH

README = Path(__file__).resolve().parents[1] / "README.md"
GOOD_YAML = """\
- name: greeting
  match: {provider: apiyi, model: gpt-4o, content: {matches: "^(hi|hello)"}}
  reply: {content: Hello from YAML}
- name: failing
  match: {content: boom}
  reply:
    error: {status: 503, message: down for maintenance}
"""
GOOD_JSON = '{"match": {"content": "json"}, "reply": {"content": "Hello from JSON"}}'


def test_json_and_yaml_files_load_in_path_order(tmp_path: Path) -> None:
    (tmp_path / "b.yml").write_text(GOOD_YAML)
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "a.json").write_text(GOOD_JSON)
    rules = load_dir(tmp_path)
    assert [r.name for r in rules] == ["greeting", "failing", "nested/a.json"]
    assert rules[0].source == f"{tmp_path / 'b.yml'}[0]"
    with TestClient(create_app(Config(fixtures_dir=tmp_path))) as client:
        for text, expected in (("hi there", 200), ("boom", 503), ("json", 200)):
            reply = client.post("/apiyi/v1/chat/completions", headers=AUTH, json={
                "model": "gpt-4o", "messages": [{"role": "user", "content": text}]})
            assert reply.status_code == expected
        assert reply.json()["choices"][0]["message"]["content"] == "Hello from JSON"


# (file name, text, what the error must say after the file name)
BAD_FILES = [
    ("field.yaml", "match: {modle: gpt-4o}\nreply: {content: x}\n",
     ": match.modle: unknown field (allowed: body, body_exact, content, last_role, model,"),
    ("regex.json", '{"match": {"content": {"matches": "("}}, "reply": {"content": "x"}}',
     ": match.content.matches: invalid regular expression"),
    ("nth.yaml", "match: {nth: 0}\nreply: {content: x}\n",
     ": match.nth: expected a positive integer"),
    ("provider.yaml", "match: {provider: openai}\nreply: {content: x}\n",
     ": match.provider: unknown provider 'openai' (known: aimodels, apiyi,"),
    ("route.yaml", "match: {route: chat}\nreply: {content: x}\n",
     ": match.route: unknown route 'chat'"),
    ("list.yaml", "- {reply: {content: ok}}\n- {match: {}}\n", "[1]: reply: required"),
    ("tools.yaml", "reply: {tool_calls: [{arguments: {}}]}\n",
     ": reply.tool_calls[0].name: expected a string"),
    ("mixed.yaml", "reply: {body: {}, content: x}\n",
     ": reply.content: unknown field (allowed: body, body_base64, headers, status)"),
    ("stream.yaml", "reply: {stream: [{delay: 1}]}\n",
     ": reply.stream[0]: expected exactly one of data, comment, raw"),
    ("error.yaml", "reply: {error: {message: no status}}\n",
     ": reply.error: expected a status or a kind"),
    ("match.yaml", "match: []\nreply: {content: x}\n", ": match: expected an object"),
    ("crlf.yaml", 'reply: {body: x, headers: {x-a: "a\\r\\nx-injected: 1"}}\n',
     ": reply.headers.x-a: control characters (CR, LF, NUL, ...) are not allowed"),
    ("length.yaml", "reply: {stream: [hi], headers: {Content-Length: 999}}\n",
     ": reply.headers: 'Content-Length': set by the server itself"),
    ("nobody.yaml", "reply: {status: 204, stream: [hi]}\n",
     ": reply.status: 204 cannot carry a body"),
    ("usage.yaml", "reply: {content: x, usage: {prompt_tokens: -1}}\n",
     ": reply.usage: expected an object of token counts: prompt_tokens is not an "
     "integer from 0 to 9007199254740991"),
    ("delay.yaml", "reply: {stream: [{data: x, delay: 601}]}\n",
     ": reply.stream[0].delay: expected seconds from 0 to 600"),
    ("syntax.yaml", "match: {content: [unclosed\n", ": not valid YAML at line"),
    ("syntax.json", '{"match": ', ": not valid JSON"),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_is_rejected_naming_the_file_and_field(tmp_path: Path, name: str,
                                                          text: str, message: str) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(FixtureError) as caught:
        create_app(Config(fixtures_dir=tmp_path))
    assert str(caught.value).startswith(str(tmp_path / name))
    assert message in str(caught.value)


def test_check_fixtures_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "good.yaml").write_text(GOOD_YAML)
    assert main(["check-fixtures", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == f"{tmp_path}: 2 rule(s) OK"
    (tmp_path / "more.json").write_text(GOOD_JSON)
    assert main(["check-fixtures", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == f"{tmp_path}: 3 rule(s) OK"
    (tmp_path / "bad1.yaml").write_text(BAD_FILES[0][1])
    (tmp_path / "bad2.yaml").write_text(BAD_FILES[2][1])
    assert main(["check-fixtures", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert "bad1.yaml: match.modle" in err and "bad2.yaml: match.nth" in err
    assert out.strip() == f"{tmp_path}: 3 rule(s) OK, 2 file(s) with errors"
    assert main(["check-fixtures", str(tmp_path / "missing")]) == 1


def test_serve_refuses_bad_fixtures_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BAD_FILES[0][1])
    done = subprocess.run(
        [sys.executable, "-m", "emulator.cli", "serve", "--port", "0", "--fixtures",
         str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"{tmp_path / 'bad.yaml'}: match.modle: unknown field" in done.stderr
    assert "Traceback" not in done.stderr


def test_every_fixture_example_in_the_readme_parses() -> None:
    text = README.read_text(encoding="utf-8")
    # Each example fixture file is a ```yaml block whose first line names it.
    blocks = re.findall(r"```yaml\n# (fixtures/[^\s:]+)[^\n]*\n(.*?)```", text, re.S)
    assert [name for name, _ in blocks] == ["fixtures/weather.yaml", "fixtures/replies.yaml"]
    kinds = set()
    for name, block in blocks:
        for i, item in enumerate(yaml.safe_load(block)):
            kinds.add(type(parse_rule(item, f"README {name}[{i}]").reply).__name__)
    assert kinds == {"CannedReply", "RawReply", "StreamScript", "ErrorReply"}


# (reply, what the error must say after "api: "): each was accepted, then broke the answer.
BAD_REPLIES = [
    ({"body": "x", "headers": {"x-a": "a\r\nx-injected: 1"}},
     "reply.headers.x-a: control characters (CR, LF, NUL, ...) are not allowed"),
    ({"body": "x", "headers": {"x-a": "a\nb"}}, "reply.headers.x-a: control characters"),
    ({"body": "x", "headers": {"x-a": "a\x00b"}}, "reply.headers.x-a: control characters"),
    ({"body": "x", "headers": {"x-a": "a\x7fb"}}, "reply.headers.x-a: control characters"),
    ({"body": "x", "headers": {"x-a": "snow \u2603"}},
     "reply.headers.x-a: expected a latin-1 header value"),
    ({"body": "x", "headers": {"x a": "1"}}, "reply.headers: 'x a': not a valid header name"),
    ({"body": "x", "headers": {"": "1"}}, "reply.headers: '': not a valid header name"),
    ({"body": "x", "headers": {"x:a": "1"}}, "reply.headers: 'x:a': not a valid header name"),
    ({"body": "x", "headers": {"x-\u00e9": "1"}}, "reply.headers: 'x-\u00e9': not a valid"),
    ({"body": "x", "headers": {"\u212a": "1"}},  # the Kelvin sign: lower() makes it "k"
     "reply.headers: '\u212a': not a valid header name"),
    ({"body": "x", "headers": {"content-length": "999"}},
     "reply.headers: 'content-length': set by the server itself (not allowed: connection, "
     "content-length, transfer-encoding)"),
    ({"stream": ["hi"], "headers": {"Transfer-Encoding": "chunked"}},
     "reply.headers: 'Transfer-Encoding': set by the server itself"),
    ({"error": {"status": 503, "headers": {"CONNECTION": "close"}}},
     "reply.error.headers: 'CONNECTION': set by the server itself"),
    ({"error": {"status": 503, "headers": {"retry-after": "1\r\nx: y"}}},
     "reply.error.headers.retry-after: control characters"),
    ({"body": "x", "headers": []}, "reply.headers: expected an object of header: value"),
    ({"status": 101, "body": ""}, "reply.status: expected an HTTP status code (200-599)"),
    ({"status": 199, "stream": ["hi"]}, "reply.status: expected an HTTP status code (200-599)"),
    ({"status": 204, "body": "x"}, "reply.status: 204 cannot carry a body (expected another "
                                   "status, or an empty body)"),
    ({"status": 304, "body": {}}, "reply.status: 304 cannot carry a body"),
    ({"status": 205, "body_base64": "AAEC"}, "reply.status: 205 cannot carry a body"),
    ({"status": 204, "body": None}, "reply.status: 204 cannot carry a body"),  # "null"
    ({"status": 204, "stream": [{"comment": "x"}]}, "reply.status: 204 cannot carry a body"),
    ({"status": 304, "stream": ["hi"]}, "reply.status: 304 cannot carry a body"),
    ({"status": 205, "stream": ["hi"]}, "reply.status: 205 cannot carry a body"),
    ({"content": "x", "usage": {"prompt_tokens": True}},
     "reply.usage: expected an object of token counts: prompt_tokens is not an integer "
     "from 0 to 9007199254740991"),
    ({"content": "x", "usage": {"completion_tokens": -1}},
     "reply.usage: expected an object of token counts: completion_tokens is not"),
    ({"content": "x", "usage": {"prompt_tokens": 2**64 - 1}},
     "reply.usage: expected an object of token counts: prompt_tokens is not"),
    ({"content": "x", "usage": {"prompt_tokens": 2**53}},
     "reply.usage: expected an object of token counts: prompt_tokens is not"),
    ({"content": "x", "usage": {"prompt_tokens": None}},
     "reply.usage: expected an object of token counts: prompt_tokens is not"),
    ({"content": "x", "usage": {"prompt_tokens": 1.0}},
     "reply.usage: expected an object of token counts: prompt_tokens is not"),
    ({"content": "x", "usage": {"cached_tokens": 5}},
     "reply.usage.cached_tokens: unknown field (allowed: completion_tokens, prompt_tokens, "
     "total_tokens)"),
    ({"content": "x", "usage": {"total_tokens": -5}},
     "reply.usage: expected an object of token counts: total_tokens is not"),
    ({"stream": [{"data": "x", "delay": 1e308}]},
     "reply.stream[0].delay: expected seconds from 0 to 600"),
    ({"stream": [{"data": "x", "delay": 600.001}]}, "reply.stream[0].delay: expected seconds"),
    ({"stream": [{"data": "x", "delay": float("inf")}]}, "reply.stream[0].delay: expected"),
    ({"stream": [{"data": "x", "delay": float("nan")}]}, "reply.stream[0].delay: expected"),
    ({"stream": [{"data": "x", "delay": -1}]}, "reply.stream[0].delay: expected seconds"),
]


@pytest.mark.parametrize(("reply", "message"), BAD_REPLIES,
                         ids=[f"{i}-{b[1].split(':')[0]}" for i, b in enumerate(BAD_REPLIES)])
def test_a_reply_that_would_break_the_answer_is_refused(reply: dict[str, Any],
                                                        message: str) -> None:
    with pytest.raises(FixtureError) as caught:
        parse_rule({"reply": reply}, "api")
    assert str(caught.value).startswith(f"api: {message}")


@pytest.mark.parametrize("match", [[], "", 0, 0.0, False])
def test_a_match_that_is_not_an_object_is_refused(match: Any) -> None:
    with pytest.raises(FixtureError, match=r"^api: match: expected an object$"):
        parse_rule({"match": match, "reply": {"content": "x"}}, "api")


def test_the_edges_of_what_is_allowed_still_parse() -> None:
    # No match, or a null one: no conditions, the rule answers every request.
    for rule in ({"reply": {"content": "x"}}, {"match": None, "reply": {"content": "x"}}):
        assert parse_rule(rule, "api").conditions == parse_rule(
            {"match": {}, "reply": {"content": "x"}}, "api").conditions
    # A raw 204/205/304 without a body; 200-599 otherwise.
    for status, body in ((204, {"body": ""}), (304, {"body_base64": ""}), (205, {"body": ""}),
                         (200, {"body": ""}), (599, {"body": "x"})):
        assert parse_rule({"reply": {"status": status, **body}}, "api").reply.status == status
    raw = parse_rule({"reply": {"body": "x", "headers": {
        "X-Trace_ID.v2": " a\tb ", "x-n": 3, "x-latin": "caf\u00e9", "x-empty": "",
        "!#$%&'*+-.^_`|~": "token chars"}}}, "api").reply
    assert isinstance(raw, RawReply)
    assert raw.headers == {"x-trace_id.v2": "a\tb", "x-n": "3", "x-latin": "caf\u00e9",
                           "x-empty": "", "!#$%&'*+-.^_`|~": "token chars",
                           "content-type": "application/json"}
    canned = parse_rule({"reply": {"content": "x", "usage": {
        "prompt_tokens": 0, "completion_tokens": 2**53 - 1}}}, "api").reply
    assert isinstance(canned, CannedReply)
    assert canned.usage == {"prompt_tokens": 0, "completion_tokens": 2**53 - 1}
    script = parse_rule({"reply": {"stream": [{"data": "x", "delay": 600}, {
        "comment": "y", "delay": 0}]}}, "api").reply
    assert isinstance(script, StreamScript)
    assert [e.delay for e in script.events] == [600.0, 0.0]
