"""Shared fixtures: an in-process ASGI client for the cheap tests, a real uvicorn server
on a free loopback port for everything that depends on HTTP (SDKs, streaming, headers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from emulator import Config, EmulatorApp, EmulatorServer, create_app

# The OpenAI and Anthropic reference schemas (vendored copies, see reference/README.md).
REFERENCE = Path(__file__).resolve().parent / "reference"
SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
FROZEN = "2024-01-15T10:30:00Z"
KEY = "sk-test-key-0001"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture
def app() -> EmulatorApp:
    return create_app(Config(seed=7, clock=FROZEN))


@pytest.fixture
def client(app: EmulatorApp) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture(scope="session")
def _server() -> Iterator[EmulatorServer]:
    with EmulatorServer(Config(seed=7, clock=FROZEN)) as server:
        yield server


@pytest.fixture
def server(_server: EmulatorServer) -> EmulatorServer:
    """The session's real server, reset before each test."""
    _server.state.reset()
    return _server
