"""The pytest plugin as a user meets it: a test file of its own, run by pytest in a
subprocess, with the plugin loaded from the `pytest11` entry point."""

from __future__ import annotations

import pytest

USER_TESTS = '''
import re

import openai
import pytest

SEEN = {}


def test_clients_reach_the_session_server(emulator):
    assert re.fullmatch(r"http://127\\.0\\.0\\.1:\\d+/apiyi/v1", emulator.base_url("apiyi"))
    reply = emulator.openai_client("qhaigc").chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    assert reply.choices[0].message.content
    message = emulator.anthropic_client().messages.create(
        model="xiaoai-chat-v1", max_tokens=20, messages=[{"role": "user", "content": "hi"}])
    assert message.content[0].text
    assert [(r["provider"], r["status"]) for r in emulator.requests] == \\
        [("qhaigc", 200), ("xiaoai", 200)]
    assert emulator.requests[0]["headers"]["authorization"] == "Bearer ***"  # masked
    SEEN["port"] = emulator.url


def test_fixtures_answer_and_reset_between_tests(emulator):
    assert emulator.url == SEEN["port"]  # one server for the session
    assert emulator.requests == []  # the previous test's requests are gone
    emulator.fixture(match={"content": "ping"}, reply={"content": "pong"})
    client = emulator.openai_client()
    reply = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "ping"}])
    assert reply.choices[0].message.content == "pong"
    assert emulator.find_requests(provider="apiyi")[0]["fixture"] == "pytest"
    seen = emulator.requests[-1]["id"]
    client.models.list()
    assert [r["path"] for r in emulator.find_requests(after=seen, method="GET",
                                                      status=200)] == ["/v1/models"]


def test_the_previous_fixture_is_gone(emulator):
    reply = emulator.openai_client().chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "ping"}])
    assert reply.choices[0].message.content != "pong"


def test_keys_and_the_clock(emulator):
    emulator.keys.add("sk-disabled-key", state="disabled")
    client = emulator.openai_client(api_key="sk-disabled-key", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        client.models.list()
    before = emulator.state.clock.now()
    emulator.advance_clock(3600)
    assert emulator.state.clock.now() - before >= 3600


def test_faults(emulator):
    emulator.fault(provider="apiyi", status=503)
    client = emulator.openai_client(max_retries=0)
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
'''

CONFTEST = '''
import pytest

from emulator import Config


@pytest.fixture(scope="session")
def llm_emulator_config():
    return Config(seed=11, strict_fixtures=True)
'''

STRICT_TESTS = '''
import openai
import pytest


def test_the_overridden_config_is_used(emulator):
    assert emulator.server.app.config.seed == 11
    with pytest.raises(openai.NotFoundError, match="No fixture matches"):
        emulator.openai_client(max_retries=0).chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "unscripted"}])
'''

INI_TESTS = '''
def test_ini_options_configure_the_server(emulator):
    assert emulator.server.app.config.seed == 5
    reply = emulator.openai_client().chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "ping"}])
    assert reply.choices[0].message.content == "pong from a file"
    assert reply.created == 1705314600  # the frozen clock
'''


def test_a_user_test_file_runs_with_the_emulator_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)


def test_a_conftest_overrides_the_session_config(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_strict=STRICT_TESTS)
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_ini_options_configure_the_session_server(pytester: pytest.Pytester) -> None:
    pytester.makeini("""
        [pytest]
        llm_emulator_seed = 5
        llm_emulator_clock = 2024-01-15T10:30:00Z
        llm_emulator_fixtures = llm-fixtures
    """)
    folder = pytester.mkdir("llm-fixtures")
    (folder / "ping.yaml").write_text(
        "match: {content: ping}\nreply: {content: pong from a file}\n")
    pytester.makepyfile(test_ini=INI_TESTS)
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


XDIST_TESTS = '''
import os
from pathlib import Path

import pytest


@pytest.mark.parametrize("n", range(6))
def test_each_worker_has_its_own_server(emulator, n):
    reply = emulator.openai_client("apiyi").chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": f"call {n}"}])
    assert reply.choices[0].message.content
    # This worker's journal holds only this worker's requests: reset isolates them.
    assert [r["body"]["messages"][0]["content"] for r in emulator.requests] == [f"call {n}"]
    with open(Path(__file__).parent / "seen.txt", "a") as seen:
        seen.write(f"{os.environ['PYTEST_XDIST_WORKER']} {emulator.url}\\n")
'''


def test_under_xdist_each_worker_gets_its_own_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_xdist=XDIST_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=6)
    lines = (pytester.path / "seen.txt").read_text().split("\n")
    url_of: dict[str, set[str]] = {}
    for line in filter(None, lines):
        worker, url = line.split()
        url_of.setdefault(worker, set()).add(url)
    assert len(url_of) == 2, url_of  # both workers ran tests
    assert all(len(urls) == 1 for urls in url_of.values()), url_of  # one server a worker
    assert len(set().union(*url_of.values())) == 2, url_of  # on different ports
