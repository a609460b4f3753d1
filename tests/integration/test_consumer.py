"""Durable consumers: an event is applied once however often it arrives, a crash before the ack
means a redelivery (applied once), and a poison event is parked while the stream flows on."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import nats
import pytest
import sqlalchemy as sa

from common.clock import ManualClock
from common.consumer import (
    PARKED_CONSUMER,
    PARKED_DELIVERIES,
    PARKED_REASON,
    PREREQUISITE_MISSING,
    EventConsumer,
    NotYet,
    Subscription,
)
from common.db import Database
from common.metrics import ServiceMetrics
from common.nats import NatsLink, ensure_streams
from common.uow import UnitOfWork
from contracts import ALL_STREAMS, BEDS_STREAM, CloudEvent, encode, wrap
from contracts.events import beds as ev
from services.intake.adapters.orm import known_sites, plumbing
from services.intake.app import create_app as create_intake
from tests.support.databases import Databases
from tests.support.service import running, service_settings, wait_until

NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)

REFUGE = "7d1e4c52-3a9b-4f0e-8c6d-2b5a9e1f4c30"  # tokens name sites by UUID


def site_created(site_id: str, *, kind: str = "night_shelter") -> ev.SiteCreated:
    return ev.SiteCreated(
        site_id=site_id,
        kind=kind,  # type: ignore[arg-type]
        confidential=False,
        timezone="Europe/Kyiv",
        max_stay_days=None,
        beds_total=10,
        mats_total=2,
        public_name="Night shelter",
        lat=49.8,
        lon=24.0,
    )


def envelope_of(event: ev.SiteCreated, event_id: str | None = None) -> CloudEvent:
    return wrap(event, event_id=event_id or str(uuid.uuid4()), time=NOW, subject=event.site_id)


async def publish(nats_url: str, envelope: CloudEvent, *, msg_id: str | None = None) -> None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await ensure_streams(js, ALL_STREAMS)
        headers = {"Nats-Msg-Id": msg_id} if msg_id else None
        await js.publish(ev.SiteCreated.KIND.subject, encode(envelope), headers=headers)
    finally:
        await nc.close()


async def rows(db_url: str) -> int:
    db = Database(db_url)
    try:
        async with db.read_sessions() as session:
            return int(await session.scalar(sa.select(sa.func.count()).select_from(known_sites)) or 0)
    finally:
        await db.dispose()


async def test_a_site_created_in_beds_reaches_intakes_read_model(
    databases: Databases, backend: str, nats_url: str, data_dir: Path
) -> None:
    url = await databases.fresh("intake", backend)
    settings = service_settings("intake", database_url=url, nats_url=nats_url, data_dir=data_dir)
    async with running(create_intake, settings) as intake:
        await publish(nats_url, envelope_of(site_created("site-1")))
        await wait_until(lambda: rows(url), 10)
        sites = (await intake.get("/api/v1/sites", intake.token("patrol"))).json()
        assert [(s["id"], s["kind"], s["public_name"]) for s in sites] == [
            ("site-1", "night_shelter", "Night shelter")
        ]


REFUGE = "3f0d9c1e-8a7b-4c6d-9e5f-1a2b3c4d5e6f"


async def test_intake_hides_a_confidential_site_from_a_patrol_token_carrying_it_as_beds_does(
    databases: Databases, backend: str, nats_url: str, data_dir: Path
) -> None:
    url = await databases.fresh("intake", backend)
    settings = service_settings("intake", database_url=url, nats_url=nats_url, data_dir=data_dir)
    refuge = msgspec.structs.replace(
        site_created(REFUGE, kind="crisis_room"), confidential=True, public_name=None, lat=None, lon=None
    )
    async with running(create_intake, settings) as intake:
        await publish(nats_url, envelope_of(refuge))
        await wait_until(lambda: rows(url), 10)

        seen = {}
        for who, token in {
            "patrol with --site": intake.token("patrol", sites=[REFUGE]),
            "its staff": intake.token("shelter_staff", sites=[REFUGE]),
            "a crisis team": intake.token("crisis_team", team="mobile-1"),
        }.items():
            answer = await intake.get("/api/v1/sites", token)
            assert answer.status_code == 200, answer.text
            seen[who] = [s["id"] for s in answer.json()]
        assert seen == {"patrol with --site": [], "its staff": [REFUGE], "a crisis team": [REFUGE]}


async def test_an_event_delivered_twice_is_applied_once(
    databases: Databases, backend: str, nats_url: str, data_dir: Path
) -> None:
    url = await databases.fresh("intake", backend)
    settings = service_settings("intake", database_url=url, nats_url=nats_url, data_dir=data_dir)
    async with running(create_intake, settings) as intake:
        envelope = envelope_of(site_created("site-2"))
        # Two copies with different Nats-Msg-Ids get past JetStream's dedupe: only the inbox stops them.
        await publish(nats_url, envelope, msg_id="first")
        await publish(nats_url, envelope, msg_id="second")
        outcomes = intake.runtime.metrics.events_consumed
        await wait_until(lambda: _count(outcomes, "duplicate") == 1, 10)
        assert _count(outcomes, "applied") == 1
        assert await rows(url) == 1


def _count(counter, outcome: str) -> float:  # type: ignore[no-untyped-def]
    return sum(
        sample.value
        for metric in counter.collect()
        for sample in metric.samples
        if sample.name.endswith("_total") and sample.labels.get("outcome") == outcome
    )


class Recorder:
    """A handler that records every application in the audit table (inside the transaction), and
    can be told to fail, or to 'crash' after its commit but before the ack."""

    def __init__(self) -> None:
        self.poison: set[str] = set()
        self.waiting: set[str] = set()  # sites whose prerequisite has not arrived
        self.calls = 0

    async def __call__(self, event: ev.SiteCreated, envelope: CloudEvent, uow: UnitOfWork) -> None:
        self.calls += 1
        if event.site_id in self.poison:
            raise ValueError("cannot apply this one")
        if event.site_id in self.waiting:
            await uow.audit(  # rolled back with the deferral: never seen
                actor="test", actor_role="admin", action="half", object_type="site", object_id=event.site_id
            )
            raise NotYet("its prerequisite")
        await uow.audit(
            actor="test", actor_role="admin", action="applied", object_type="site", object_id=event.site_id
        )


async def applied(db: Database, site_id: str) -> int:
    async with db.read_sessions() as session:
        audit = plumbing.audit_log
        return int(
            await session.scalar(
                sa.select(sa.func.count()).select_from(audit).where(audit.c.object_id == site_id)
            )
            or 0
        )


@dataclass
class Parts:
    db: Database
    link: NatsLink
    recorder: Recorder
    consumer: EventConsumer


@pytest.fixture
async def parts(databases: Databases, backend: str, nats_url: str) -> AsyncIterator[Parts]:
    db = Database(await databases.fresh("intake", backend))
    link = NatsLink(nats_url, name="test-consumer", streams=ALL_STREAMS)
    link.start()
    await asyncio.wait_for(link.ready.wait(), 10)
    recorder = Recorder()
    clock = ManualClock(NOW)
    consumer = EventConsumer(
        Subscription(f"test-{uuid.uuid4().hex[:8]}", BEDS_STREAM, {ev.SiteCreated: recorder}),
        link,
        lambda: UnitOfWork(db, plumbing, clock),
        ServiceMetrics("test"),
        service="intake",
        max_tries=3,
        max_deferrals=5,
        ack_wait=1.0,
        backoff_base=0.05,
    )
    yield Parts(db, link, recorder, consumer)
    await link.close()
    await db.dispose()


async def test_a_crash_after_commit_before_ack_means_a_redelivery_that_changes_nothing(
    parts: Parts, nats_url: str
) -> None:
    db, link, recorder, consumer = parts.db, parts.link, parts.recorder, parts.consumer
    await link.js.add_consumer(BEDS_STREAM.name, consumer.consumer_config())
    sub = await link.js.pull_subscribe_bind(durable=consumer.durable, stream=BEDS_STREAM.name)
    await publish(nats_url, envelope_of(site_created("site-3")))

    first = (await sub.fetch(1, timeout=5))[0]
    envelope = msgspec.json.decode(first.data, type=CloudEvent)
    await consumer._apply(
        envelope, site_created("site-3"), recorder
    )  # committed... and then the process dies: no ack

    again = (await sub.fetch(1, timeout=5))[0]  # JetStream redelivers after ack_wait
    assert again.metadata.num_delivered == 2
    assert await consumer.handle(again) == "duplicate"
    assert await applied(db, "site-3") == 1


async def test_a_poison_event_is_parked_after_the_last_try_and_the_stream_flows_on(
    parts: Parts, nats_url: str
) -> None:
    db, link, recorder, consumer = parts.db, parts.link, parts.recorder, parts.consumer
    recorder.poison.add("poison")
    parked_sub = await link.nc.subscribe("shelter.parked.>")  # type: ignore[union-attr]
    task = asyncio.create_task(consumer.run())
    try:
        await publish(nats_url, envelope_of(site_created("poison")))
        await publish(nats_url, envelope_of(site_created("fine")))
        parked = await parked_sub.next_msg(timeout=15)
        await wait_until(lambda: applied(db, "fine"), 10)
    finally:
        task.cancel()
    assert parked.headers[PARKED_REASON] == "ValueError"
    assert parked.headers[PARKED_CONSUMER] == consumer.durable
    assert recorder.calls >= 3 + 1  # three tries of the poison, one of the fine event
    assert await applied(db, "poison") == 0
    assert _count(consumer.metrics.events_consumed, "parked") == 1


async def test_a_message_that_is_not_a_cloudevent_is_parked_at_once(parts: Parts) -> None:
    link, recorder, consumer = parts.link, parts.recorder, parts.consumer
    parked_sub = await link.nc.subscribe("shelter.parked.>")  # type: ignore[union-attr]
    task = asyncio.create_task(consumer.run())
    try:
        await asyncio.sleep(0.3)
        await link.js.publish("shelter.beds.site.created.v1", b"not json at all")
        parked = await parked_sub.next_msg(timeout=10)
    finally:
        task.cancel()
    assert parked.headers[PARKED_REASON] == "not_a_cloudevent"
    assert recorder.calls == 0


async def test_an_event_before_its_prerequisite_is_deferred_then_applied_once_it_has_come(
    parts: Parts, nats_url: str
) -> None:
    db, recorder, consumer = parts.db, parts.recorder, parts.consumer
    recorder.waiting.add("early")
    task = asyncio.create_task(consumer.run())
    try:
        await publish(nats_url, envelope_of(site_created("early")))
        await publish(nats_url, envelope_of(site_created("fine")))
        await wait_until(lambda: applied(db, "fine"), 10)  # the stream flows past the early one
        await wait_until(lambda: _count(consumer.metrics.events_consumed, "deferred") >= 2, 10)
        assert await applied(db, "early") == 0  # nothing of a deferred try was kept
        recorder.waiting.discard("early")  # its prerequisite has been applied
        await wait_until(lambda: applied(db, "early"), 10)
    finally:
        task.cancel()
    assert await applied(db, "early") == 1
    assert _count(consumer.metrics.events_consumed, "parked") == 0
    assert _count(consumer.metrics.events_consumed, "applied") == 2


async def test_an_event_whose_prerequisite_never_comes_is_parked_after_its_deferrals(
    parts: Parts, nats_url: str
) -> None:
    link, recorder, consumer = parts.link, parts.recorder, parts.consumer
    recorder.waiting.add("orphan")
    parked_sub = await link.nc.subscribe("shelter.parked.>")  # type: ignore[union-attr]
    task = asyncio.create_task(consumer.run())
    try:
        await publish(nats_url, envelope_of(site_created("orphan")))
        parked = await parked_sub.next_msg(timeout=15)
    finally:
        task.cancel()
    # more patient than with a failure (max_tries=3): five deliveries before it is parked
    assert parked.headers[PARKED_REASON] == PREREQUISITE_MISSING
    assert parked.headers[PARKED_DELIVERIES] == "5"
    assert _count(consumer.metrics.events_consumed, "deferred") == 4
    assert await applied(parts.db, "orphan") == 0
