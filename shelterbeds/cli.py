"""The `shelterbeds` command line (SPEC 8): up, serve, migrate, seed, token, revoke, rotate-key, import,
replay."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from common.auth import ROLES
from common.logging import LOG_FORMATS
from common.settings import (
    DEFAULT_DATA_DIR,
    DEFAULT_NATS_PORT,
    DEFAULT_PORTS,
    SERVICES,
    settings_from_env,
)


def _data_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("SHELTERBEDS_DATA_DIR", DEFAULT_DATA_DIR),
        help=f"SQLite files, the token secret and the embedded NATS store (default {DEFAULT_DATA_DIR})",
    )


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SHELTERBEDS_DATABASE_URL"),
        help="a PostgreSQL server, postgresql+asyncpg://user@host:5432/ (each service gets its own database)",
    )


def _log_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        help="json lines, or short console lines (default: SHELTERBEDS_LOG_FORMAT, else console in a "
        "terminal and json otherwise)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shelterbeds",
        description="Bed management for night shelters and crisis rooms.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    up = commands.add_parser(
        "up", help="start everything on this machine (NATS, databases, demo data, services)"
    )
    _data_dir_option(up)
    up.add_argument("--host", default="127.0.0.1")
    for name in SERVICES:
        up.add_argument(f"--{name}-port", type=int, default=DEFAULT_PORTS[name])
    nats = up.add_mutually_exclusive_group()
    nats.add_argument(
        "--nats-port", type=int, default=DEFAULT_NATS_PORT, help="port of the embedded nats-server"
    )
    nats.add_argument("--nats-url", help="use this NATS (with JetStream) instead of starting one")
    _database_option(up)
    up.add_argument("--no-demo", action="store_true", help="start without the demo sites and residents")
    up.add_argument(
        "--time-scale", type=float, default=1.0, help="run the clocks N times faster (training, demos)"
    )
    up.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    _log_format_option(up)

    serve = commands.add_parser("serve", help="run one service (production)")
    serve.add_argument("service", choices=SERVICES)
    _data_dir_option(serve)
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--nats-url")
    _database_option(serve)
    serve.add_argument("--time-scale", type=float)
    serve.add_argument("--no-migrate", action="store_true", help="do not migrate the database on start")
    _log_format_option(serve)

    migrate = commands.add_parser("migrate", help="create or upgrade the databases")
    _data_dir_option(migrate)
    _database_option(migrate)
    migrate.add_argument(
        "--service", choices=SERVICES, action="append", help="only this service (repeatable)"
    )

    seed = commands.add_parser("seed", help="load the demo data (idempotent)")
    _data_dir_option(seed)
    _database_option(seed)

    token = commands.add_parser("token", help="print a bearer token")
    token.add_argument("--role", required=True, choices=ROLES)
    token.add_argument("--team", help="the caller's team id")
    token.add_argument("--site", action="append", default=[], help="a site the caller works at (repeatable)")
    _data_dir_option(token)
    lifetime = token.add_mutually_exclusive_group()
    lifetime.add_argument("--ttl", help="how long it lives: 90m, 8h (default 12h, at most 24h)")
    lifetime.add_argument("--ttl-hours", type=float, help="the same, in hours")
    token.add_argument("--subject", help="who holds the token (default: a new id per token)")
    token.add_argument(
        "--link",
        action="store_true",
        help="print a sign-in link for the pages instead (valid 15 minutes, not a bearer token)",
    )
    token.add_argument(
        "--base-url",
        help="where beds' pages are reached, for --link (default http://SHELTERBEDS_HOST:SHELTERBEDS_BEDS_PORT)",
    )

    revoke = commands.add_parser("revoke", help="revoke a token (a lost phone): every service refuses it")
    revoke.add_argument("token", help="the token itself, or its jti")
    revoke.add_argument("--until", type=int, help="keep the entry until (epoch seconds; default: its expiry)")
    _data_dir_option(revoke)

    rotate = commands.add_parser(
        "rotate-key", help="sign new tokens with a new secret; the old one is still accepted until next time"
    )
    _data_dir_option(rotate)

    load = commands.add_parser(
        "import",
        help="open many sites at once from a CSV file, one row per room (layout: shelterbeds/site_csv.py)",
    )
    load.add_argument("file", type=Path, help="the CSV file (UTF-8), or - for standard input")
    _data_dir_option(load)
    _database_option(load)
    load.add_argument("--chunk", type=int, default=500, help="sites per transaction (default 500)")
    load.add_argument("--check", action="store_true", help="only check the file; write nothing")

    replay = commands.add_parser("replay", help="relay events again from the outboxes (after a lost stream)")
    replay.add_argument("--since", required=True, help="RFC 3339 time, e.g. 2026-11-20T00:00:00+02:00")
    replay.add_argument("--service", choices=SERVICES, action="append")
    _data_dir_option(replay)
    _database_option(replay)
    return parser


def _env(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env["SHELTERBEDS_DATA_DIR"] = str(Path(args.data_dir).resolve())
    if getattr(args, "database_url", None):
        env["SHELTERBEDS_DATABASE_URL"] = args.database_url
    return env


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    asked = os.environ.get("SHELTERBEDS_LOG_FORMAT", "").strip().lower()
    if asked and asked not in LOG_FORMATS:
        print(f"error: SHELTERBEDS_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}", file=sys.stderr)
        return 2
    handler = {
        "up": _up,
        "serve": _serve,
        "migrate": _migrate,
        "seed": _seed,
        "token": _token,
        "revoke": _revoke,
        "rotate-key": _rotate_key,
        "replay": _replay,
        "import": _import,
    }[args.command]
    return handler(args)


def _up(args: argparse.Namespace) -> int:
    from shelterbeds.up import UpOptions, up

    if args.time_scale <= 0:
        print("error: --time-scale must be positive", file=sys.stderr)
        return 2
    return up(
        UpOptions(
            data_dir=Path(args.data_dir).resolve(),
            host=args.host,
            ports={name: getattr(args, f"{name}_port") for name in SERVICES},
            nats_port=args.nats_port,
            nats_url=args.nats_url,
            database_url=args.database_url,
            demo=not args.no_demo,
            time_scale=args.time_scale,
            log_level=args.log_level,
            log_format=args.log_format,
        )
    )


def _serve(args: argparse.Namespace) -> int:
    from shelterbeds.serve import serve

    env = _env(args)
    overrides = {
        key: value
        for key, value in (
            ("host", args.host),
            ("port", args.port),
            ("nats_url", args.nats_url),
            ("time_scale", args.time_scale),
        )
        if value is not None
    }
    settings = settings_from_env(args.service, env=env, **overrides)
    return serve(settings, migrate=not args.no_migrate, log_format=args.log_format)


def _migrate(args: argparse.Namespace) -> int:
    from common.migrations import upgrade
    from shelterbeds.registry import SERVICES as ENTRIES

    env = _env(args)
    Path(env["SHELTERBEDS_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    names = args.service or list(SERVICES)

    async def run() -> None:
        for name in names:
            await upgrade(settings_from_env(name, env=env).database_url, ENTRIES[name].migrations)
            print(f"{name}: migrated")

    asyncio.run(run())
    return 0


def _seed(args: argparse.Namespace) -> int:
    from common.logging import configure_logging
    from common.migrations import upgrade
    from shelterbeds.demo import demo_summary, seed_demo
    from shelterbeds.demo_referrals import seed_referrals
    from shelterbeds.registry import SERVICES as ENTRIES
    from shelterbeds.up import TrainingClock

    configure_logging("warning")
    env = _env(args)
    data_dir = Path(env["SHELTERBEDS_DATA_DIR"])
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = settings_from_env("beds", env=env)
    intake = settings_from_env("intake", env=env)

    async def run() -> bool:
        await upgrade(settings.database_url, ENTRIES["beds"].migrations)
        await upgrade(intake.database_url, ENTRIES["intake"].migrations)
        clock = TrainingClock(data_dir, 1.0).clock()
        created = await seed_demo(settings, clock)
        await seed_referrals(settings, intake, clock)
        return created

    created = asyncio.run(run())
    print("demo data created:" if created else "demo data already present:")
    for line in demo_summary():
        print(f"  {line}")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from shelterbeds.token_command import revoke_token

    return revoke_token(args)


def _rotate_key(args: argparse.Namespace) -> int:
    from shelterbeds.token_command import rotate_key

    return rotate_key(args)


def _token(args: argparse.Namespace) -> int:
    from shelterbeds.token_command import print_token

    return print_token(args)


def _import(args: argparse.Namespace) -> int:
    from shelterbeds.site_import_command import run_import

    return run_import(args.file, _env(args), chunk=args.chunk, check_only=args.check)


def _replay(args: argparse.Namespace) -> int:
    from common.db import Database
    from common.outbox import mark_for_replay
    from common.tables import PlumbingTables
    from shelterbeds.registry import plumbing_of

    try:
        since = datetime.fromisoformat(args.since)
    except ValueError:
        print("error: --since must be an RFC 3339 time, e.g. 2026-11-20T00:00:00+02:00", file=sys.stderr)
        return 2
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    env = _env(args)

    async def run() -> None:
        for name in args.service or SERVICES:
            db = Database(settings_from_env(name, env=env).database_url)
            tables: PlumbingTables = plumbing_of(name)
            try:
                count = await mark_for_replay(db, tables, since)
            finally:
                await db.dispose()
            print(f"{name}: {count} events queued to be relayed again")

    asyncio.run(run())
    return 0
