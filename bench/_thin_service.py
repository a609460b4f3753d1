"""The thinnest check-in service this stack allows: the door benchmark's third floor.

    .venv/bin/python -m bench._thin_service --port N --database-url URL --secret S

One litestar route, `POST /api/v1/sites/{site_id}/checkins`, served by uvicorn as ours is (h11):
a bearer token checked with PyJWT, the body decoded into a msgspec Struct, and one transaction
that locks the site row, takes its first free place and writes the rows one check-in writes (the
stay, its place claim, the outbox rows) with bare SQLAlchemy Core; the answer is the stay's id.
None of our code runs in a request: no rules, no unit of work, no middleware, no relay, no
NATS; only the beds schema's table definitions and the storage floor's engine
(`bench/_storage_floor.py`) are shared with the other floors.

What it is for: the framework floor (`/health/live`) and the storage floor each bound the door
from one side; this one bounds it from both at once. If even this service cannot reach a goal's
ratio on a machine, no implementation of the door on this stack can.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import signal
import subprocess
import sys
import tempfile
import uuid
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
import msgspec
import sqlalchemy as sa
import uvicorn
from litestar import Litestar, Request, get, post
from litestar.exceptions import NotAuthorizedException, NotFoundException

from bench import _storage_floor as floor
from bench._support import free_port, wait_ready
from services.beds.adapters.orm import place_claims, places, plumbing, sites, stays


class Party(msgspec.Struct):
    adults: int
    gender: str
    children: int = 0


class CheckIn(msgspec.Struct):
    party: Party


class Placed(msgspec.Struct):
    stay_id: str
    place_id: str


def create_app(database_url: str, secret: str, outbox_payloads: list[bytes]) -> Litestar:
    """`outbox_payloads`: what one check-in of the real service wrote to its outbox."""
    engine = floor.floor_engine(database_url)
    turn = asyncio.Lock()
    sqlite = database_url.startswith("sqlite")
    free_place = (
        sa.select(places.c.id)
        .where(
            places.c.site_id == sa.bindparam("site_id"),
            ~sa.exists().where(place_claims.c.place_id == places.c.id, place_claims.c.ends_at.is_(None)),
        )
        .order_by(places.c.label)
        .limit(1)
    )
    site_locked = sa.select(sites.c.id).where(sites.c.id == sa.bindparam("site_id")).with_for_update()

    @post("/api/v1/sites/{site_id:str}/checkins", status_code=201)
    async def check_in(request: Request[Any, Any, Any], site_id: str, data: CheckIn) -> Placed:
        _, _, token = request.headers.get("authorization", "").partition(" ")
        try:
            jwt.decode(token, secret, algorithms=["HS256"], audience="shelterbeds")
        except jwt.PyJWTError as exc:
            raise NotAuthorizedException() from exc
        now = datetime.now(UTC)
        stay_id = str(uuid.uuid4())
        writers: AbstractAsyncContextManager[Any] = turn if sqlite else nullcontext()
        async with writers, engine.begin() as conn:
            if await conn.scalar(site_locked, {"site_id": site_id}) is None:
                raise NotFoundException()
            place_id = await conn.scalar(free_place, {"site_id": site_id})
            if place_id is None:
                raise NotFoundException("no free place")
            await conn.execute(sa.insert(stays).values(**floor.stay_row(stay_id, site_id, place_id, now)))
            await conn.execute(
                sa.insert(place_claims).values(
                    id=str(uuid.uuid4()), place_id=place_id, site_id=site_id, starts_at=now, stay_id=stay_id
                )
            )
            await conn.execute(
                sa.insert(plumbing.outbox), [floor.outbox_row(payload, now) for payload in outbox_payloads]
            )
        return Placed(stay_id, place_id)

    @get(["/health/live", "/health/ready"])
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    async def dispose() -> None:
        await engine.dispose()

    return Litestar([check_in, live], on_shutdown=[dispose], openapi_config=None)


class ThinProcess:
    """The thin service in a process of its own, as the real service runs in `BedsProcess`."""

    def __init__(self, database_url: str, outbox_payloads: list[bytes]):
        self.secret = secrets.token_urlsafe(32)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._payloads = tempfile.NamedTemporaryFile(suffix=".json", delete=False)  # noqa: SIM115
        self._payloads.write(msgspec.json.encode(outbox_payloads))
        self._payloads.close()
        command = [sys.executable, "-m", "bench._thin_service", "--port", str(self.port)]
        command += ["--database-url", database_url, "--secret", self.secret]
        command += ["--outbox-payloads", self._payloads.name]
        self.process = subprocess.Popen(command, start_new_session=True)

    def token(self) -> str:
        return jwt.encode({"aud": "shelterbeds", "sub": "bench"}, self.secret, algorithm="HS256")

    async def wait_ready(self) -> None:
        await wait_ready(self.base_url, self.process, "the thin service")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        Path(self._payloads.name).unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--outbox-payloads", required=True, help="a file of JSON: base64 payloads")
    args = parser.parse_args()
    with open(args.outbox_payloads, "rb") as f:
        payloads = msgspec.json.decode(f.read(), type=list[bytes])
    app = create_app(args.database_url, args.secret, payloads)
    uvicorn.run(app, host="127.0.0.1", port=args.port, http="h11", log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
