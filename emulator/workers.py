"""`llm-emulator serve --workers N`: uvicorn starts N processes, each of which imports the
app by name, so the app is built by a factory from what the CLI put in the environment.

Each worker is a whole emulator with its own state: journal, rate-limit windows and
concurrency slots, fault rules, fixtures and keys added at run time, and clock changes.
A control API call reaches one worker only (whichever accepted the connection), so tests
that use the control API or the journal should run one worker (the default). Answers do
not depend on the worker: the same request and seed give the same bytes in every one.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
from pathlib import Path
from typing import Any

from .app import EmulatorApp, create_app

# The `serve` options, as JSON, for the worker processes (they inherit the environment).
ARGS_ENV = "LLM_EMULATOR_SERVE_ARGS"
FACTORY = "emulator.workers:app_from_env"
PATH_OPTIONS = ("fixtures", "limits", "keys")


def export_args(args: argparse.Namespace) -> None:
    """Put the parsed `serve` options where app_from_env finds them."""
    values = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
    os.environ[ARGS_ENV] = json.dumps(values)


def app_from_env() -> EmulatorApp:
    """The app of one worker, from the options the CLI exported (uvicorn `factory=True`)."""
    from .cli import config_from_args

    values: dict[str, Any] = json.loads(os.environ.get(ARGS_ENV) or "{}")
    defaults = {"seed": 0, "clock": None, "provider": None, "fixtures": None,
                "strict_fixtures": False, "admin_token": None, "journal_size": 1000,
                "quiet": True, "no_limits": False, "limits": None, "keys": None,
                "unknown_keys": "accept"}
    values = {**defaults, **values}
    for name in PATH_OPTIONS:
        if values[name] is not None:
            values[name] = Path(values[name])
    config = config_from_args(argparse.Namespace(**values))
    app = create_app(config)
    app.request_log = not config.quiet
    settle_heap()
    return app


def settle_heap() -> None:
    """Move everything built at start (modules, profiles, fixtures) out of the collector's
    sight: a full collection then walks only what requests made, which keeps its pauses,
    and so the tail latency, small (issue 9). No collection first: it would cost the start
    more than the little garbage it frees."""
    gc.freeze()
