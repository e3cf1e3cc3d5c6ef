"""`llm-emulator`: serve the emulator, check fixture files, print OpenAPI documents."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import Config
from .fixtures import FixtureError, check_dir
from .policy.keys import read_json_file, read_keys_file
from .providers import PROFILES


def env(name: str) -> str | None:
    """$LLM_EMULATOR_<NAME>: how a CI service container, which takes no arguments (GitHub
    Actions `services:`), is configured."""
    return os.environ.get(f"LLM_EMULATOR_{name}") or None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="llm-emulator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve every provider over HTTP")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to bind (default 127.0.0.1; 0.0.0.0 only when asked)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--provider", choices=sorted(PROFILES),
                       help="also serve this provider at the root (/v1/...)")
    serve.add_argument("--seed", type=int, default=env("SEED") or 0,
                       help="seed of every generated id, text, vector and count")
    serve.add_argument("--clock", metavar="ISO_TIME", default=env("CLOCK"),
                       help="freeze the clock at this instant (bodies become byte-identical)")
    serve.add_argument("--fixtures", type=Path, metavar="DIR", default=env("FIXTURES"),
                       help="folder of fixture rule files answered before the generator")
    serve.add_argument("--strict-fixtures", action="store_true",
                       default=(env("STRICT_FIXTURES") or "").lower() in ("1", "true", "yes"),
                       help="a request no fixture matches gets the provider's 404")
    serve.add_argument("--admin-token", default=env("ADMIN_TOKEN"), metavar="TOKEN",
                       help="require this token on /_emulator/ calls but health")
    serve.add_argument("--journal-size", type=int, default=1000)
    serve.add_argument("--workers", type=int, metavar="N", default=int(env("WORKERS") or 1),
                       help="worker processes (default 1). State is per worker: the journal, "
                            "rate limits, fault rules, runtime fixtures and keys, and the "
                            "clock live in the worker a call reached; keep 1 worker for tests "
                            "that use the control API")
    serve.add_argument("--quiet", action="store_true", help="no per-request log lines")
    serve.add_argument("--no-limits", action="store_true",
                       help="switch every rate limit, quota window and concurrency cap off")
    serve.add_argument("--limits", type=Path, metavar="FILE",
                       help='JSON limit overrides: {"apiyi": {"rpm": 10}, ...}')
    serve.add_argument("--keys", type=Path, metavar="FILE",
                       help='JSON list of keys: [{"key", "state", "provider"?, "plan"?}]')
    serve.add_argument("--unknown-keys", choices=("accept", "reject"), default="accept",
                       help="what unregistered well-formed keys get (reject: 401)")
    record = serve.add_argument_group(
        "record and replay", "forward --provider's requests to a real gateway and save "
        "each exchange as a fixture file in --fixtures DIR; serve DIR later to replay")
    record.add_argument("--record", metavar="UPSTREAM_URL", default=env("RECORD"),
                        help="the gateway's base URL, e.g. https://api.apiyi.com")
    record.add_argument("--record-missing", action="store_true",
                        help="replay what the fixtures match, forward and record the rest")
    record.add_argument("--replay-speed", type=_speed, default=0.0, metavar="X",
                        help="recorded stream timing: 0 as fast as possible (default), "
                             "1 as recorded, 2 twice as fast")
    record.add_argument("--secret-header", action="append", default=[], metavar="NAME",
                        help="also redact this header (repeatable; keys always are)")
    record.add_argument("--secret-field", action="append", default=[], metavar="NAME",
                        help="redact this JSON body field at any depth (repeatable)")
    check = commands.add_parser("check-fixtures",
                                help="validate a folder of fixture files without serving")
    check.add_argument("folder", type=Path, metavar="DIR")
    openapi = commands.add_parser("openapi", help="print a provider's OpenAPI 3.1 document")
    openapi.add_argument("provider", choices=sorted(PROFILES))
    return parser


def config_from_args(args: argparse.Namespace) -> Config:
    return Config(
        seed=args.seed,
        clock=args.clock,
        root_provider=args.provider,
        fixtures_dir=args.fixtures,
        strict_fixtures=args.strict_fixtures,
        admin_token=args.admin_token or None,
        journal_size=args.journal_size,
        quiet=args.quiet,
        limits_enabled=not args.no_limits,
        limit_overrides=read_json_file(args.limits) if args.limits else {},
        keys=read_keys_file(args.keys) if args.keys else (),
        unknown_keys=args.unknown_keys,
        # getattr: a namespace built by other code (workers.py) may predate these options.
        record_url=getattr(args, "record", None),
        record_missing=getattr(args, "record_missing", False),
        replay_speed=getattr(args, "replay_speed", 0.0),
        secret_headers=tuple(getattr(args, "secret_header", ())),
        secret_fields=tuple(getattr(args, "secret_field", ())),
    )


def _speed(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("expected 0 (no delays) or a positive factor")
    return value


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app
    from .http_protocol import HTTP_PROTOCOL

    config = config_from_args(args)
    try:
        app = create_app(config)
    except FixtureError as exc:  # a bad fixture file: its name and field, no traceback
        print(f"llm-emulator: invalid fixtures:\n{exc}", file=sys.stderr, flush=True)
        return 2
    except ValueError as exc:  # options that do not go together (--record without DIR)
        print(f"llm-emulator: {exc}", file=sys.stderr, flush=True)
        return 2
    app.request_log = not config.quiet
    host = f"[{args.host}]" if ":" in args.host else args.host
    base = f"http://{host}:{args.port}"
    print(f"llm-gateway-emulator on {base} (seed {config.seed})", flush=True)
    for slug, profile in app.profiles.items():
        print(f"  {slug:<9} {base}/{slug}{profile.base_paths[0]}", flush=True)
    if config.root_provider:
        print(f"  (root)    {base}/v1 -> {config.root_provider}", flush=True)
    print(f"  control   {base}/_emulator/health", flush=True)
    if config.fixtures_dir is not None:
        rules = len(app.state.fixtures.loaded)
        strict = " (strict: unmatched requests get a 404)" if config.strict_fixtures else ""
        print(f"  fixtures  {rules} rule(s) from {config.fixtures_dir}{strict}", flush=True)
    if config.record_url is not None:
        what = "misses" if config.record_missing else "every request"
        print(f"  record    {config.root_provider}: {what} -> {config.record_url}, saved in "
              f"{config.fixtures_dir}", flush=True)
        if args.workers > 1:  # each worker would number its files from the same start
            print("llm-emulator: --record needs a single worker", file=sys.stderr)
            return 2
    if args.workers > 1:  # each worker builds its own app from the exported options
        from .workers import FACTORY, export_args

        print(f"  workers   {args.workers} (state is per worker)", flush=True)
        export_args(args)
        del app
        uvicorn.run(FACTORY, factory=True, workers=args.workers, host=args.host,
                    port=args.port, log_level="warning", access_log=False, lifespan="on",
                    http=HTTP_PROTOCOL)
        return 0
    from .workers import settle_heap

    settle_heap()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning",
                access_log=False, lifespan="on", http=HTTP_PROTOCOL)  # for drop/cut faults
    return 0


def check_fixtures(folder: Path) -> int:
    """`check-fixtures DIR`: every rule file validated; 0 when all are good, else 1 and
    every error (file and field) listed."""
    rules, errors = check_dir(folder)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    summary = f"{folder}: {len(rules)} rule(s) OK"
    print(summary + (f", {len(errors)} file(s) with errors" if errors else ""))
    return 1 if errors else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "check-fixtures":
        return check_fixtures(args.folder)
    if args.command == "openapi":
        from . import jsonutil
        from .openapi import build_openapi

        document = build_openapi(PROFILES[args.provider])
        print(jsonutil.dumps_pretty(document).decode())
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
