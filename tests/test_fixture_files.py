"""Fixture files: JSON and YAML, validated at start with the file and field named, and
`llm-emulator check-fixtures` reporting them without serving."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from starlette.testclient import TestClient

from emulator import Config, create_app
from emulator.cli import main
from emulator.fixtures import FixtureError, load_dir, parse_rule

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
