"""llm-gateway-emulator: a local, deterministic emulator of five LLM API gateways."""

from __future__ import annotations

from .app import EmulatorApp, create_app
from .config import Config
from .server import EmulatorServer

__version__ = "0.1.0"

__all__ = ["Config", "EmulatorApp", "EmulatorServer", "__version__", "create_app"]
