"""The pytest plugin (registered through the `pytest11` entry point).

`emulator`: a real emulator server started once per session (per xdist worker, each on its
own free port) and reset before every test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .config import Config
from .server import EmulatorServer


class EmulatorFixture:
    """What a test gets: addresses, ready clients, the journal, and the controls."""

    def __init__(self, server: EmulatorServer) -> None:
        self.server = server

    @property
    def url(self) -> str:
        return self.server.url

    def base_url(self, provider: str) -> str:
        return self.server.base_url(provider)

    def openai_client(self, provider: str = "apiyi", api_key: str = "sk-test", **kwargs: Any):
        from openai import OpenAI

        return OpenAI(base_url=self.base_url(provider), api_key=api_key, **kwargs)

    def anthropic_client(self, provider: str = "xiaoai", api_key: str = "sk-gw-test",
                         **kwargs: Any):
        from anthropic import Anthropic

        return Anthropic(base_url=self.server.anthropic_base_url(provider), api_key=api_key,
                         **kwargs)

    @property
    def requests(self) -> list[dict[str, Any]]:
        return [e.to_dict() for e in self.server.state.journal.entries]

    def reset(self) -> None:
        self.server.state.reset()

    def advance_clock(self, seconds: float) -> None:
        self.server.state.clock.advance(seconds)


@pytest.fixture(scope="session")
def _llm_emulator_server() -> Iterator[EmulatorServer]:
    with EmulatorServer(Config()) as server:
        yield server


@pytest.fixture
def emulator(_llm_emulator_server: EmulatorServer) -> Iterator[EmulatorFixture]:
    _llm_emulator_server.state.reset()
    yield EmulatorFixture(_llm_emulator_server)
