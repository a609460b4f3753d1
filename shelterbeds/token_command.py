"""`shelterbeds token`: a token signed with the secret of the data dir the services run on, never
with a secret made up on the spot (every service would refuse it)."""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import jwt

from common.auth import MAX_TTL, Principal, Tokens
from common.revocation import REVOKED_FILE, revoke
from common.settings import DEFAULT_PORTS, PREVIOUS_SECRET_FILE, load_secret

SIGN_IN_LINK_PATH = "/sign-in/link"  # services/beds/pages/urls.py says the same; the CLI imports no service


def _not_a_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return True
    return False


TTL_UNITS = {"m": 60, "h": 3600, "d": 86400}


def ttl_of(args: argparse.Namespace) -> timedelta | None:
    if args.ttl_hours is not None:
        return timedelta(hours=args.ttl_hours)
    text = (args.ttl or "12h").strip().lower()
    unit = TTL_UNITS.get(text[-1:])
    try:
        amount = float(text[:-1]) if unit else float(text) * 3600
    except ValueError:
        return None
    return timedelta(seconds=amount * (unit or 1))


def print_token(args: argparse.Namespace) -> int:
    ttl = ttl_of(args)
    if ttl is None or not timedelta(0) < ttl <= MAX_TTL:
        print(f"error: a token lives more than 0 and at most {MAX_TTL} (e.g. --ttl 8h)", file=sys.stderr)
        return 2
    for option, values in (("--team", [args.team] if args.team else []), ("--site", args.site)):
        for value in values:
            if _not_a_uuid(value):
                print(f"error: {option} {value!r} is not an id (a UUID such as {uuid.UUID(int=0)})",
                      file=sys.stderr)  # fmt: skip
                return 2
    data_dir = Path(args.data_dir).resolve()
    if not _has_secret(data_dir):
        return 2
    secret = load_secret(data_dir)
    if getattr(args, "link", False):
        print(sign_in_link(Tokens(secret), args))
        return 0
    token = Tokens(secret).issue(
        args.role, team_id=args.team, site_ids=args.site, ttl=ttl, subject=args.subject
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


def _has_secret(data_dir: Path) -> bool:
    # A token signed with a new secret would be refused by every running service: never make one here.
    if not os.environ.get("SHELTERBEDS_SECRET") and not (data_dir / "secret").exists():
        print(
            f"error: no token secret in {data_dir} (and SHELTERBEDS_SECRET is not set).\n"
            "Tokens must be signed with the secret of the data dir the services were started on:\n"
            "run this in the folder where you ran `shelterbeds up`, or pass --data-dir DIR "
            "(or set SHELTERBEDS_DATA_DIR) to that data dir.",
            file=sys.stderr,
        )
        return False
    return True


def revoke_token(args: argparse.Namespace) -> int:
    """The token's jti goes on the data dir's deny list, kept until the token would expire."""
    data_dir = Path(args.data_dir).resolve()
    given = args.token.strip()
    jti, expires = given, args.until
    if given.count(".") == 2:  # the token itself: read its jti and expiry (its signature aside)
        try:
            claims = jwt.decode(given, options={"verify_signature": False})
        except jwt.InvalidTokenError:
            print("error: that is not a token (nor a jti)", file=sys.stderr)
            return 2
        jti, expires = str(claims.get("jti") or ""), expires or int(claims.get("exp") or 0)
    if not jti or len(jti) > 200:
        print("error: no jti to revoke", file=sys.stderr)
        return 2
    until = expires or int(time.time() + MAX_TTL.total_seconds())
    revoke(data_dir / REVOKED_FILE, jti, until)
    print(f"revoked {jti}: every service on {data_dir} refuses it from its next request")
    return 0


def rotate_key(args: argparse.Namespace) -> int:
    """secret → secret.previous, a new secret: new tokens are signed with it, old ones still pass
    until the next rotation. Restart the services to pick it up (in that order: first them)."""
    data_dir = Path(args.data_dir).resolve()
    if os.environ.get("SHELTERBEDS_SECRET"):
        print("error: SHELTERBEDS_SECRET is set: rotate it where it is kept (and set "
              "SHELTERBEDS_PREVIOUS_SECRET to the old one)", file=sys.stderr)  # fmt: skip
        return 2
    if not _has_secret(data_dir):
        return 2
    current = data_dir / "secret"
    os.replace(current, data_dir / PREVIOUS_SECRET_FILE)
    load_secret(data_dir)  # makes the new one (0600)
    print(f"new signing key in {current}; tokens of the previous key are accepted until the next rotation")
    print("restart the services (shelterbeds up, or each serve) so they take it up")
    return 0
