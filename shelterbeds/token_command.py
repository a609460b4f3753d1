"""`shelterbeds token`: a token signed with the secret of the data dir the services run on, never
with a secret made up on the spot (every service would refuse it)."""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from common.auth import Principal, Tokens
from common.settings import DEFAULT_PORTS, load_secret

SIGN_IN_LINK_PATH = "/sign-in/link"  # services/beds/pages/urls.py says the same; the CLI imports no service


def _not_a_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return True
    return False


def print_token(args: argparse.Namespace) -> int:
    if args.ttl_hours <= 0:
        print("error: --ttl-hours must be positive", file=sys.stderr)
        return 2
    for option, values in (("--team", [args.team] if args.team else []), ("--site", args.site)):
        for value in values:
            if _not_a_uuid(value):
                print(f"error: {option} {value!r} is not an id (a UUID such as {uuid.UUID(int=0)})",
                      file=sys.stderr)  # fmt: skip
                return 2
    data_dir = Path(args.data_dir).resolve()
    # A token signed with a new secret would be refused by every running service: never make one here.
    if not os.environ.get("SHELTERBEDS_SECRET") and not (data_dir / "secret").exists():
        print(
            f"error: no token secret in {data_dir} (and SHELTERBEDS_SECRET is not set).\n"
            "Tokens must be signed with the secret of the data dir the services were started on:\n"
            "run this in the folder where you ran `shelterbeds up`, or pass --data-dir DIR "
            "(or set SHELTERBEDS_DATA_DIR) to that data dir.",
            file=sys.stderr,
        )
        return 2
    secret = load_secret(data_dir)
    if getattr(args, "link", False):
        print(sign_in_link(Tokens(secret), args))
        return 0
    token = Tokens(secret).issue(
        args.role,
        team_id=args.team,
        site_ids=args.site,
        ttl=timedelta(hours=args.ttl_hours),
        subject=args.subject,
    )
    print(token)
    return 0


def sign_in_link(tokens: Tokens, args: argparse.Namespace) -> str:
    base = args.base_url or (
        f"http://{os.environ.get('SHELTERBEDS_HOST', '127.0.0.1')}:"
        f"{os.environ.get('SHELTERBEDS_BEDS_PORT', DEFAULT_PORTS['beds'])}"
    )
    principal = Principal(
        args.subject or f"token-{uuid.uuid4()}", args.role, args.team, frozenset(s.lower() for s in args.site)
    )
    return f"{base.rstrip('/')}{SIGN_IN_LINK_PATH}?{urlencode({'token': tokens.sign_in_link(principal)})}"
