"""`llm-emulator`: serve the emulator (and, later, check fixtures, print OpenAPI, ...)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import Config
from .policy.keys import read_json_file, read_keys_file
from .providers import PROFILES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="llm-emulator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve every provider over HTTP")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to bind (default 127.0.0.1; 0.0.0.0 only when asked)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--provider", choices=sorted(PROFILES),
                       help="also serve this provider at the root (/v1/...)")
    serve.add_argument("--seed", type=int, default=0,
                       help="seed of every generated id, text, vector and count")
    serve.add_argument("--clock", metavar="ISO_TIME",
                       help="freeze the clock at this instant (bodies become byte-identical)")
    serve.add_argument("--fixtures", type=Path, metavar="DIR",
                       help="folder of fixture rule files answered before the generator")
    serve.add_argument("--journal-size", type=int, default=1000)
    serve.add_argument("--quiet", action="store_true", help="no per-request log lines")
    serve.add_argument("--no-limits", action="store_true",
                       help="switch every rate limit, quota window and concurrency cap off")
    serve.add_argument("--limits", type=Path, metavar="FILE",
                       help='JSON limit overrides: {"apiyi": {"rpm": 10}, ...}')
    serve.add_argument("--keys", type=Path, metavar="FILE",
                       help='JSON list of keys: [{"key", "state", "provider"?, "plan"?}]')
    serve.add_argument("--unknown-keys", choices=("accept", "reject"), default="accept",
                       help="what unregistered well-formed keys get (reject: 401)")
    openapi = commands.add_parser("openapi", help="print a provider's OpenAPI 3.1 document")
    openapi.add_argument("provider", choices=sorted(PROFILES))
    return parser


def config_from_args(args: argparse.Namespace) -> Config:
    return Config(
        seed=args.seed,
        clock=args.clock,
        root_provider=args.provider,
        fixtures_dir=args.fixtures,
        journal_size=args.journal_size,
        quiet=args.quiet,
        limits_enabled=not args.no_limits,
        limit_overrides=read_json_file(args.limits) if args.limits else {},
        keys=read_keys_file(args.keys) if args.keys else (),
        unknown_keys=args.unknown_keys,
    )


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app

    config = config_from_args(args)
    app = create_app(config)
    app.request_log = not config.quiet
    host = f"[{args.host}]" if ":" in args.host else args.host
    base = f"http://{host}:{args.port}"
    print(f"llm-gateway-emulator on {base} (seed {config.seed})", flush=True)
    for slug, profile in app.profiles.items():
        print(f"  {slug:<9} {base}/{slug}{profile.base_paths[0]}", flush=True)
    if config.root_provider:
        print(f"  (root)    {base}/v1 -> {config.root_provider}", flush=True)
    print(f"  control   {base}/_emulator/health", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning",
                access_log=False, lifespan="on")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "openapi":
        from . import jsonutil
        from .openapi import build_openapi

        document = build_openapi(PROFILES[args.provider])
        print(jsonutil.dumps_pretty(document).decode())
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
