"""Every event of a whole flow delivered again, under new `Nats-Msg-Id`s (so JetStream's dedupe
does not stop them) and in shuffled order: beds, intake and notifications end exactly where they
were — the inbox of each consumer drops every repeat, whatever order the repeats come in."""

from __future__ import annotations

import random
import uuid
from typing import Any

import nats
import sqlalchemy as sa

from services.beds.adapters.orm import holds, placements
from tests.integration.intake.helpers import referral
from tests.integration.notifications.helpers import alerts_of, create_team, team_token, wait_for_alerts
from tests.integration.placement.flow import referral_in, shelter
from tests.support.events import every_message
from tests.support.service import Service, wait_until


async def all_caught_up(services: list[Service]) -> bool:
    for service in services:
        for consumer in service.runtime.consumers:
            info = await service.runtime.nats.js.consumer_info(
                consumer.subscription.stream.name, consumer.durable
            )
            if info.num_pending or info.num_ack_pending:
                return False
    return True


async def end_state(beds: Service, intake: Service, notifications: Service, team: str, ids: list[str]) -> Any:
    patrol = intake.token("patrol", team=team)
    statuses = [(await intake.get(f"/api/v1/referrals/{i}", patrol)).json()["status"] for i in ids]
    async with beds.runtime.read() as uow:
        placed = sorted(
            (await uow.session.execute(sa.select(placements.c.referral_id, placements.c.status))).all()
        )
        held = sorted((await uow.session.execute(sa.select(holds.c.id, holds.c.status))).all())
    alerts = await alerts_of(notifications, team_token(notifications, team, "patrol"), limit=200)
    return statuses, placed, held, sorted((a["subject_id"], a["kind"]) for a in alerts)


async def test_every_event_of_a_flow_delivered_again_in_shuffled_order_changes_nothing(
    beds: Service, intake: Service, notifications: Service, nats_url: str
) -> None:
    await shelter(beds, "Near", beds_=2)
    team = await create_team(notifications, "patrol")
    patrol = intake.token("patrol", team=team)
    ids = [(await intake.post("/api/v1/referrals", patrol, referral())).json()["id"] for _ in range(4)]
    for referral_id, status in zip(ids, ("held", "held", "waitlisted", "waitlisted"), strict=True):
        await referral_in(intake, referral_id, patrol, status)
    await wait_for_alerts(
        notifications, team_token(notifications, team, "patrol"), count=2 * len(ids), within=15
    )
    services = [beds, intake, notifications]
    for service in services:
        await service.relayed()
    await wait_until(lambda: all_caught_up(services), 15)
    before = await end_state(beds, intake, notifications, team, ids)

    messages = await every_message(nats_url)
    assert len(messages) >= 10  # sites, referrals, holds, waitlist entries
    random.Random(25).shuffle(messages)
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for subject, data in messages:
            await js.publish(subject, data, headers={"Nats-Msg-Id": f"again-{uuid.uuid4()}"})
    finally:
        await nc.close()
    await wait_until(lambda: all_caught_up(services), 20)
    for service in services:
        await service.relayed()

    assert await end_state(beds, intake, notifications, team, ids) == before
    duplicates = sum(
        sample.value
        for service in services
        for metric in service.runtime.metrics.events_consumed.collect()
        for sample in metric.samples
        if sample.name.endswith("_total") and sample.labels.get("outcome") == "duplicate"
    )
    assert duplicates > 0  # the repeats reached the consumers, and were dropped there
