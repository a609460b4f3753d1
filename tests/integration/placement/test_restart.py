"""Beds dies in the middle of placing a referral and starts again: nothing is lost and nothing is
placed twice (issue 19). "Dies" is as abrupt as one process can make it of itself: its loops are
cancelled where they stand, its NATS connection and database pool dropped, with no drain of the
outbox, no release of leases and no ack of the message in hand."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from common.clock import ManualClock
from common.consumer import EventConsumer
from contracts.events import beds as ev
from services.beds.adapters.orm import holds, placements
from services.beds.app import create_app as create_beds
from tests.integration.intake.helpers import referral
from tests.integration.placement.flow import referral_in, shelter
from tests.support.events import EventTap
from tests.support.service import Service, running, service_settings, wait_until

TEAM = "0b6c7a52-37a4-4d83-a8a4-7a7d5c1d2e90"


@contextlib.asynccontextmanager
async def beds_process(
    beds_url: str, nats_url: str, data_dir: Path, clock: ManualClock
) -> AsyncIterator[Service]:
    # the same replica restarted (one instance id): it takes back its own relay lease at once
    # instead of waiting out the dead process's 15 s
    settings = service_settings(
        "beds", database_url=beds_url, nats_url=nats_url, data_dir=data_dir, instance_id="beds-1"
    )
    async with running(create_beds, settings, clock) as service:
        yield service


async def die(service: Service) -> None:
    """Like kill -9, as far as the database and NATS can tell."""
    runtime = service.runtime
    for task in runtime._tasks:
        task.cancel()
    await asyncio.gather(*runtime._tasks, return_exceptions=True)
    runtime._tasks = []
    await runtime.nats.close()
    await runtime.db.dispose()
    runtime.stop = _already_dead  # type: ignore[method-assign]  # the fixture's stop: nothing left to do


async def _already_dead() -> None:
    return None


def placement_consumer(service: Service) -> EventConsumer:
    return next(c for c in service.runtime.consumers if c.durable == "beds-placement")


async def dies_inside_the_placement(service: Service, placed: asyncio.Event) -> None:
    """The handler has the referral and is half-way (placement row and hold added, not committed)."""
    placer = placement_consumer(service)
    handler = placer._by_type["org.shelterbeds.intake.referral.created.v1"]

    async def half_way(event: Any, envelope: Any, uow: Any) -> None:
        await handler(event, envelope, uow)
        placed.set()
        await asyncio.Event().wait()  # never commits

    placer._by_type["org.shelterbeds.intake.referral.created.v1"] = half_way


async def dies_after_the_commit_before_ack_and_relay(service: Service, placed: asyncio.Event) -> None:
    """The placement committed (hold and HoldPlaced in the outbox), but neither the ack of the
    referral nor the outbox relay got to run."""
    consumer = placement_consumer(service)
    apply: Callable[..., Awaitable[str]] = consumer._apply

    async def relay_once() -> int:
        return 0

    service.runtime.relay.relay_once = relay_once  # type: ignore[method-assign]

    async def committed_then_stuck(*args: Any) -> str:
        outcome = await apply(*args)
        placed.set()
        await asyncio.Event().wait()  # the ack never comes
        return outcome

    consumer._apply = committed_then_stuck  # type: ignore[method-assign]


@pytest.mark.parametrize("dies", [dies_inside_the_placement, dies_after_the_commit_before_ack_and_relay])
async def test_beds_killed_mid_placement_and_started_again_places_the_referral_once(
    dies: Callable[[Service, asyncio.Event], Awaitable[None]],
    beds_url: str,
    nats_url: str,
    data_dir: Path,
    clock: ManualClock,
    intake: Service,
    events: EventTap,
) -> None:
    patrol = intake.token("patrol", team=TEAM)
    async with beds_process(beds_url, nats_url, data_dir, clock) as first:
        site = await shelter(first, "Near", beds_=3)
        placed = asyncio.Event()
        await dies(first, placed)
        made = (await intake.post("/api/v1/referrals", patrol, referral())).json()
        await asyncio.wait_for(placed.wait(), 15)
        await die(first)

    async with beds_process(beds_url, nats_url, data_dir, clock) as again:
        held = await referral_in(intake, made["id"], patrol, "held")  # redelivered after AckWait (2 s)
        assert held["site_id"] == site

        async def referral_settled() -> bool:
            info = await again.runtime.nats.js.consumer_info("SHELTER_INTAKE", "beds-placement")
            return bool(info.num_pending == 0 and info.num_ack_pending == 0)

        await wait_until(referral_settled, within=15)
        await again.relayed()
        async with again.runtime.read() as uow:
            placed_rows = (await uow.session.execute(sa.select(placements))).all()
            hold_rows = (await uow.session.execute(sa.select(holds.c.id, holds.c.status))).all()
    assert [(r.referral_id, r.status) for r in placed_rows] == [(made["id"], "held")]
    assert [(h.id, h.status) for h in hold_rows] == [(held["hold_id"], "active")]
    await events.wait_for(ev.HoldPlaced, referral_id=made["id"])
    assert len(events.of(ev.HoldPlaced, referral_id=made["id"])) == 1
