"""Faults in the middle of referrals flowing through every service, each a real `shelterbeds serve`
process on PostgreSQL and the test's own nats-server (docs/operations.md, "What it survives"):
a service killed with -9 and started again, NATS stopped and started again on its store,
PostgreSQL refusing connections for a few seconds, and two replicas of every service. After
each: every referral held or waitlisted exactly once, no place claimed twice, every outbox
drained, every alert delivered and none twice, every process ready again and stopping with 0."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.e2e.city import SERVICES, City, Peer
from tests.support.databases import Databases
from tests.support.events import EventTap
from tests.support.nats_server import NatsServer
from tests.support.service import wait_until

pytestmark = pytest.mark.postgres

SITES, BEDS_EACH, REFERRALS = 3, 4, 18  # 12 places: 12 held, 6 waitlisted


@pytest.fixture
async def city_databases(databases: Databases, postgres_ok: bool) -> dict[str, str]:
    if not postgres_ok:
        message = "PostgreSQL is not reachable (set SHELTERBEDS_TEST_POSTGRES)"
        if os.environ.get("CI"):
            pytest.fail(message + " — CI must run the PostgreSQL tests, not skip them")
        pytest.skip(message)
    return {name: await databases.fresh(name, "postgres") for name in SERVICES}


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path / "nats").start()
    yield server
    server.stop()


@pytest.fixture
def peer() -> Iterator[Peer]:
    server = HTTPServer(threaded=True)
    server.start()
    yield Peer(server)
    server.clear()
    server.stop()


@pytest.fixture
async def tap(own_nats: NatsServer) -> AsyncIterator[EventTap]:
    async with EventTap(own_nats.url) as events:
        yield events


def stopped_cleanly(city: City) -> None:
    codes = city.stop()
    assert set(codes.values()) == {0}, codes


@pytest.mark.parametrize("victim", SERVICES)
async def test_a_service_killed_with_9_mid_flow_and_started_again_loses_and_repeats_nothing(
    victim: str,
    tmp_path: Path,
    own_nats: NatsServer,
    city_databases: dict[str, str],
    peer: Peer,
    tap: EventTap,
) -> None:
    city = City(tmp_path, own_nats.url, city_databases)
    try:
        await city.start()
        await city.open(SITES, BEDS_EACH, peer)
        flow = asyncio.create_task(city.refer(REFERRALS))
        await wait_until(lambda: len(city.referrals) >= REFERRALS // 3, 60)
        assert city[victim].kill() == -9
        city[victim].spawn(migrate=False)  # the same database and data dir, at once
        await flow  # the referrer's phone retries (same Idempotency-Key) while intake is away
        await city[victim].wait_ready(60)
        # a killed sender may have had a request on the wire: the peer sees it again under the
        # same webhook-id and drops it (tests/e2e/test_kill_mid_delivery.py)
        await city.check(tap, peer, repeats_on_the_wire=victim == "notifications")
        stopped_cleanly(city)
    finally:
        city.stop()
