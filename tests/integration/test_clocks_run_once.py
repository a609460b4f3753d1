"""The clocks run once, not once per replica, and lose nothing across a restart: due work is in
the database, and a lease decides which replica does it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from common.clock import ManualClock
from contracts.events import beds as ev
from services.beds.app import create_app as create_beds
from tests.support.events import EventTap
from tests.support.service import Service, running, service_settings
from tests.support.sites import night_shelter, party


@pytest.fixture
async def replica(beds_url: str, nats_url: str, data_dir: Path, clock: ManualClock):  # type: ignore[no-untyped-def]
    settings = service_settings("beds", database_url=beds_url, nats_url=nats_url, data_dir=data_dir)
    async with running(create_beds, settings, clock) as service:
        yield service


async def test_two_replicas_expire_a_hold_once(
    beds: Service, replica: Service, clock: ManualClock, events: EventTap
) -> None:
    site = (await beds.post("/api/v1/sites", beds.token("admin"), night_shelter(beds=3))).json()["id"]
    patrol = beds.token("patrol", team="patrol-1")
    hold = (
        await beds.post("/api/v1/holds", patrol, {"site_id": site, "party": party(), "eta_minutes": 30})
    ).json()

    clock.advance(timedelta(minutes=31))
    await beds.tick()
    await replica.tick()
    await beds.tick()
    assert [beds.runtime.clocks.leader, replica.runtime.clocks.leader].count(True) == 1  # type: ignore[union-attr]

    await beds.relayed()
    await replica.relayed()
    await events.wait_for(ev.HoldExpired, hold_id=hold["id"])
    assert len(events.of(ev.HoldExpiring, hold_id=hold["id"])) == 0  # expired before anyone could be warned
    assert len(events.of(ev.HoldExpired, hold_id=hold["id"])) == 1


async def test_when_the_leader_goes_its_replica_takes_over_the_clocks(
    beds_url: str, nats_url: str, data_dir: Path, clock: ManualClock, events: EventTap
) -> None:
    def settings(name: str):  # type: ignore[no-untyped-def]
        return service_settings(
            "beds", database_url=beds_url, nats_url=nats_url, data_dir=data_dir, instance_id=name
        )

    async with running(create_beds, settings("first"), clock) as first:
        site = (await first.post("/api/v1/sites", first.token("admin"), night_shelter(beds=3))).json()["id"]
        patrol = first.token("patrol", team="patrol-1")
        hold = (
            await first.post("/api/v1/holds", patrol, {"site_id": site, "party": party(), "eta_minutes": 30})
        ).json()
        await first.tick()
        assert first.runtime.clocks.leader  # type: ignore[union-attr]
    # the first replica stopped (its lease released); the work due meanwhile is still in the database
    clock.advance(timedelta(hours=1))
    async with running(create_beds, settings("second"), clock) as second:
        await second.tick()
        async with second.runtime.read() as uow:
            leases = (await uow.session.execute(sa.select(uow.tables.leases))).all()
        assert second.runtime.clocks.leader, leases  # type: ignore[union-attr]
        await second.relayed()
        await events.wait_for(ev.HoldExpired, hold_id=hold["id"])
