"""The pytest plugin (registered through the `pytest11` entry point).

`emulator`: a real emulator server started once per session (under pytest-xdist once per
worker, each on its own free port: nothing is fixed) and reset before every test.
Configure it by overriding the session fixture `llm_emulator_config` in a conftest.py,
or with ini options (`llm_emulator_seed`, `llm_emulator_clock`, `llm_emulator_fixtures`,
`llm_emulator_strict_fixtures`).
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from .config import Config
from .fixtures_parse import FixtureRule, parse_rule
from .policy.keys import KeySpec, parse_key_spec
from .server import EmulatorServer


class EmulatorKeys:
    """`emulator.keys.add("sk-x", state="disabled")`: runtime keys, dropped by reset."""

    def __init__(self, server: EmulatorServer) -> None:
        self.server = server

    def add(self, key: str, **fields: Any) -> KeySpec:
        """fields: state (active|disabled|expired|out_of_quota), provider, plan, limits."""
        spec = parse_key_spec({"key": key, **fields}, self.server.app.profiles)
        self.server.state.keys.register(spec)
        return spec

    def remove(self, key: str | None = None, provider: str | None = None) -> int:
        return self.server.state.keys.remove(key, provider)

    def list(self) -> list[dict[str, Any]]:
        return self.server.state.keys.listing()


class EmulatorFixture:
    """What a test gets: addresses, ready clients, the journal, and the controls."""

    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.keys = EmulatorKeys(server)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def state(self) -> Any:
        return self.server.state

    def base_url(self, provider: str = "apiyi") -> str:
        """The OpenAI SDK's base_url for a provider (`.../apiyi/v1`)."""
        return self.server.base_url(provider)

    def anthropic_base_url(self, provider: str = "xiaoai") -> str:
        return self.server.anthropic_base_url(provider)

    def openai_client(self, provider: str = "apiyi", api_key: str = "sk-test",
                      **kwargs: Any) -> Any:
        from openai import OpenAI

        return OpenAI(base_url=self.base_url(provider), api_key=api_key, **kwargs)

    def anthropic_client(self, provider: str = "xiaoai", api_key: str = "sk-gw-test",
                         **kwargs: Any) -> Any:
        from anthropic import Anthropic

        return Anthropic(base_url=self.anthropic_base_url(provider), api_key=api_key,
                         **kwargs)

    def find_requests(self, **filters: str | int) -> list[dict[str, Any]]:
        """Journal entries, oldest first; filters: provider, path, model, route, method,
        status, after (an entry id: only the entries recorded since), limit.

        Read through the control API, not the journal object: the server records an
        entry just after the answer leaves, so asking it over HTTP is what orders the
        read after every answer the test has already received."""
        query = urllib.parse.urlencode({k: v for k, v in filters.items() if v is not None})
        request = urllib.request.Request(f"{self.url}/_emulator/requests?{query}")
        token = self.server.app.config.admin_token
        if token:
            request.add_header("X-Emulator-Token", token)
        with urllib.request.urlopen(request, timeout=10) as response:
            return list(json.load(response)["requests"])

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The journal: what each client sent (keys masked) and what it got."""
        return self.find_requests()

    def fixture(self, rule: Mapping[str, Any] | None = None, /, **fields: Any) -> FixtureRule:
        """Add a canned response: `fixture({"match": ..., "reply": ...})` or
        `fixture(match=..., reply=...)`; the same format as fixture files."""
        added = parse_rule({**(rule or {}), **fields}, "pytest")
        self.server.state.fixtures.add(added)
        return added

    def fault(self, **spec: Any) -> Any:
        """Add a fault rule (the same fields as the X-Emulator-Fault header)."""
        from .policy.faults import parse_fault_rule

        added = parse_fault_rule(spec, "pytest")
        self.server.state.faults.add(added)
        return added

    def advance_clock(self, seconds: float) -> None:
        self.server.state.clock.advance(seconds)

    def reset(self) -> None:
        self.server.state.reset()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("llm_emulator_seed", "seed of the session's emulator", default="0")
    parser.addini("llm_emulator_clock", "freeze the emulator's clock at this ISO time",
                  default="")
    parser.addini("llm_emulator_fixtures", "folder of fixture files (relative to the "
                  "ini file)", default="")
    parser.addini("llm_emulator_strict_fixtures", "unmatched requests get a 404",
                  type="bool", default=False)


@pytest.fixture(scope="session")
def llm_emulator_config(pytestconfig: pytest.Config) -> Config:
    """The session server's Config; override this fixture to configure it in code."""
    folder = str(pytestconfig.getini("llm_emulator_fixtures"))
    root = Path(pytestconfig.inipath).parent if pytestconfig.inipath else pytestconfig.rootpath
    return Config(
        seed=int(str(pytestconfig.getini("llm_emulator_seed"))),
        clock=str(pytestconfig.getini("llm_emulator_clock")) or None,
        fixtures_dir=root / folder if folder else None,
        strict_fixtures=bool(pytestconfig.getini("llm_emulator_strict_fixtures")),
    )


@pytest.fixture(scope="session")
def llm_emulator_server(llm_emulator_config: Config) -> Iterator[EmulatorServer]:
    """One real server per session (per xdist worker), on a free loopback port."""
    with EmulatorServer(llm_emulator_config) as server:
        yield server


@pytest.fixture
def emulator(llm_emulator_server: EmulatorServer) -> Iterator[EmulatorFixture]:
    """The session's emulator, reset before this test: nothing leaks between tests."""
    llm_emulator_server.state.reset()
    yield EmulatorFixture(llm_emulator_server)
