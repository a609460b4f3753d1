"""A small city for fault tests: every service as `shelterbeds serve` processes (one or more
replicas each) on PostgreSQL and the test's own nats-server, a patrol team whose webhook peer
counts what reaches it, and the checks every fault test ends with: each referral held or
waitlisted exactly once, no place claimed twice, every outbox drained, every alert delivered and
none twice."""

from __future__ import annotations

import asyncio
import base64
import itertools
import threading
import uuid
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx
import nats
import sqlalchemy as sa
from pytest_httpserver import HTTPServer
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from werkzeug import Request, Response

from contracts import Event, decode_data, decode_envelope
from contracts.events import beds as ev
from services.notifications.api import urls as notification_urls
from tests.integration.intake.helpers import referral
from tests.support.processes import ServeProcess
from tests.support.service import wait_until
from tests.support.sites import night_shelter, room

HOOK_SECRET = "whsec_" + base64.b64encode(b"a key of thirty-two bytes, exact").decode()
SERVICES = ("beds", "intake", "notifications")
SETTLED = {"held", "waitlisted"}
# Fast enough for a test: clocks look every half second, consumers redeliver after 3 s, a
# delivery claimed by a killed worker is sent again after 3 x 2 s.
FAST = {
    "SHELTERBEDS_TICK_SECONDS": "0.5",
    "SHELTERBEDS_CONSUMER_ACK_WAIT_SECONDS": "3",
    "SHELTERBEDS_DELIVERY_TIMEOUT_SECONDS": "2",
    "SHELTERBEDS_DB_POOL_SIZE": "3",
    "SHELTERBEDS_SHUTDOWN_DRAIN_SECONDS": "0",
}


class Peer:
    """The patrol's webhook receiver: counts every request by its `webhook-id`."""

    def __init__(self, server: HTTPServer):
        self.server = server
        self.seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        server.expect_request("/patrol", method="POST").respond_with_handler(self)

    def __call__(self, request: Request) -> Response:
        with self._lock:
            self.seen[request.headers["webhook-id"]] += 1
        return Response("ok")

    @property
    def url(self) -> str:
        return self.server.url_for("/patrol")


class City:
    def __init__(
        self,
        root: Path,
        nats_url: str,
        databases: dict[str, str],
        *,
        replicas: int = 1,
        env: dict[str, str] | None = None,
    ):
        self.databases = databases
        self.nats_url = nats_url
        self.processes: dict[str, list[ServeProcess]] = {
            name: [
                ServeProcess(
                    name,
                    root / f"{name}-{n}",
                    nats_url,
                    database_url=databases[name],
                    instance=f"{name}-{n}",
                    env={**FAST, **(env or {})},
                )
                for n in range(replicas)
            ]
            for name in SERVICES
        }
        self.team = ""
        self.referrals: list[str] = []
        self.places = 0
        self._turn = itertools.count()

    def __getitem__(self, service: str) -> ServeProcess:
        return self.processes[service][0]

    def all(self) -> Iterable[ServeProcess]:
        return (p for replicas in self.processes.values() for p in replicas)

    async def start(self) -> City:
        for process in self.all():
            process.spawn(migrate=False)  # the test's databases are migrated already
        await asyncio.gather(*(p.wait_ready(90) for p in self.all()))
        return self

    def stop(self) -> dict[str, int | None]:
        return {p.name: p.stop() for p in self.all()}

    def _next(self, service: str) -> ServeProcess:
        """Round robin over the replicas that are up, as a load balancer would."""
        replicas = self.processes[service]
        return replicas[next(self._turn) % len(replicas)]

    async def call(self, service: str, method: str, path: str, role: str, body: Any = None, **kw: Any) -> Any:
        """A patient client: retries through a service's restart (same Idempotency-Key)."""
        headers = {"Idempotency-Key": str(uuid.uuid4())} if method == "POST" else {}
        for _ in range(300):
            process = self._next(service)
            token = process.token(role, team_id=self.team if role == "patrol" else None)
            try:
                answer = await process.call(method, path, token, body, headers=headers, **kw)
            except httpx.TransportError:
                await asyncio.sleep(0.1)
                continue
            if answer.status_code >= 500:  # its database away: a phone tries again later
                await asyncio.sleep(0.2)
                continue
            assert answer.status_code < 300, answer.text
            return answer.json()
        raise TimeoutError(f"{service} did not answer {method} {path}")

    # -- the story -------------------------------------------------------------------------------

    async def all_ready(self, within: float = 60) -> None:
        await asyncio.gather(*(p.wait_ready(within) for p in self.all()))

    async def none_ready(self, within: float = 30) -> None:
        await asyncio.gather(*(p.wait_not_ready(within) for p in self.all()))

    async def open(self, sites: int, beds_each: int, peer: Peer) -> None:
        for n in range(sites):
            body = night_shelter(
                f"Shelter {n}", beds_each, 0, kind="shelter", rooms=[room("hall", beds_each)]
            )
            await self.call("beds", "POST", "/api/v1/sites", "admin", body)
        self.places += sites * beds_each
        team = await self.call(
            "notifications", "POST", notification_urls.TEAMS, "admin",
            {"name": "Night patrol", "kind": "patrol", "language": "en"},
        )  # fmt: skip
        self.team = team["id"]
        channels = notification_urls.TEAM_CHANNELS.replace("{team_id:str}", self.team)
        channel = {"kind": "webhook", "url": peer.url, "secret": HOOK_SECRET}
        await self.call("notifications", "POST", channels, "admin", channel)

    async def refer(self, count: int, *, pace: float = 0.05) -> None:
        for _ in range(count):
            made = await self.call("intake", "POST", "/api/v1/referrals", "patrol", referral())
            self.referrals.append(made["id"])
            await asyncio.sleep(pace)

    async def settled(self, within: float = 60) -> dict[str, str]:
        """Every referral's status once each is held or waitlisted."""

        async def all_settled() -> dict[str, str] | None:
            statuses = {}
            for referral_id in self.referrals:
                found = await self.call("intake", "GET", f"/api/v1/referrals/{referral_id}", "patrol")
                statuses[referral_id] = found["status"]
            return statuses if set(statuses.values()) <= SETTLED else None

        found: dict[str, str] = await wait_until(all_settled, within, step=0.5)
        return found

    async def _scalar(self, service: str, sql: str) -> Any:
        engine = create_async_engine(self.databases[service], poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                return (await conn.execute(sa.text(sql))).all()
        finally:
            await engine.dispose()

    async def outboxes_drained(self, within: float = 30) -> None:
        async def drained() -> bool:
            for service in SERVICES:
                [(unsent,)] = await self._scalar(service, "SELECT count(*) FROM outbox WHERE sent_at IS NULL")
                if unsent:
                    return False
            return True

        await wait_until(drained, within, step=0.2)

    async def alerts(self, within: float = 60) -> list[dict[str, Any]]:
        """The patrol's alerts once each referral has its two (received, then placed or
        waitlisted) and every one was delivered."""

        async def all_delivered() -> list[dict[str, Any]] | None:
            found: list[dict[str, Any]] = await self.call(
                "notifications", "GET", notification_urls.ALERTS, "patrol", params={"limit": 200}
            )
            done = all(d["status"] == "delivered" for a in found for d in a["deliveries"])
            return found if len(found) >= 2 * len(self.referrals) and done else None

        found: list[dict[str, Any]] = await wait_until(all_delivered, within, step=0.5)
        return found

    async def stream_events(self, event_type: type[Event]) -> list[tuple[str, Event]]:
        """Every event of this type that JetStream kept, read from the stream's start."""
        nc = await nats.connect(self.nats_url)
        try:
            sub = await nc.jetstream().subscribe(event_type.KIND.subject, ordered_consumer=True)
            found = []
            while True:
                try:
                    msg = await sub.next_msg(timeout=1.0)
                except TimeoutError:
                    return found
                envelope = decode_envelope(msg.data)
                found.append((envelope.id, decode_data(envelope)))
        finally:
            await nc.close()

    async def check(self, peer: Peer, *, repeats_on_the_wire: bool = False) -> None:
        """The end state after any fault: nothing lost, nothing applied twice."""
        statuses = await self.settled()
        held = [r for r, s in statuses.items() if s == "held"]
        assert len(held) == min(self.places, len(self.referrals)), Counter(statuses.values())
        await self.outboxes_drained()

        placements = await self._scalar("beds", "SELECT referral_id, status FROM placements")
        assert sorted(r for r, _ in placements) == sorted(self.referrals)
        assert {r: s for r, s in placements} == statuses
        [(active,)] = await self._scalar("beds", "SELECT count(*) FROM holds WHERE status = 'active'")
        assert active == len(held)
        doubled = await self._scalar(
            "beds",
            "SELECT place_id FROM place_claims WHERE ends_at IS NULL GROUP BY place_id HAVING count(*) > 1",
        )
        assert doubled == []  # no place held twice
        # each referral announced once as held, across the fault: a relay's resend after a crash
        # carries the same Nats-Msg-Id, which JetStream drops
        placed = await self.stream_events(ev.HoldPlaced)
        announced = Counter(getattr(e, "referral_id", None) for _, e in placed)
        assert sorted(announced) == sorted(held), "a held referral without its hold.placed, or one too many"
        assert set(announced.values()) == {1}, [(i, e) for i, e in placed if announced[e.referral_id] > 1]  # type: ignore[attr-defined]

        alerts = await self.alerts()
        kinds = Counter((a["subject_id"], a["kind"]) for a in alerts)
        assert set(kinds.values()) == {1}, kinds.most_common(3)  # no alert made twice
        assert len(alerts) == 2 * len(self.referrals)
        await wait_until(lambda: len(peer.seen) == len(alerts), 30)
        if not repeats_on_the_wire:
            assert set(peer.seen.values()) == {1}, peer.seen.most_common(3)  # none sent twice
