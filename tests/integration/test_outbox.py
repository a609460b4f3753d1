"""The transactional outbox: events leave with their state change or not at all, survive a
NATS outage and a crash, are relayed in order, and reach JetStream once per event id."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import nats
import pytest
import sqlalchemy as sa

from common.clock import ManualClock
from common.outbox import mark_for_replay
from contracts import decode_envelope
from contracts.events import beds as ev
from services.beds.app import create_app as create_beds
from tests.integration.conftest import EVENING
from tests.support.events import EventTap
from tests.support.nats_server import NatsServer
from tests.support.service import Service, running, service_settings
from tests.support.sites import night_shelter


async def test_an_event_is_written_in_the_same_transaction_as_the_change(
    beds: Service, events: EventTap
) -> None:
    admin = beds.token("admin")
    site = (await beds.post("/api/v1/sites", admin, night_shelter(beds=2))).json()
    created = await events.wait_for(ev.SiteCreated, site_id=site["id"])
    assert created[0].kind == "night_shelter"


async def test_a_failed_change_writes_no_event(beds: Service) -> None:
    admin = beds.token("admin")
    response = await beds.post("/api/v1/sites", admin, night_shelter(beds=2, timezone="Mars/Olympus"))
    assert response.status_code == 422
    async with beds.runtime.read() as uow:
        assert await uow.session.scalar(sa.select(sa.func.count()).select_from(uow.tables.outbox)) == 0


async def test_events_wait_out_a_nats_outage_and_leave_once_it_is_back(
    tmp_path: Path,
    databases,
    backend: str,
    clock: ManualClock,  # type: ignore[no-untyped-def]
) -> None:
    nats_server = NatsServer(tmp_path / "nats").start()
    settings = service_settings(
        "beds",
        database_url=await databases.fresh("beds", backend),
        nats_url=nats_server.url,
        data_dir=tmp_path,
    )
    try:
        async with running(create_beds, settings, clock) as beds:
            admin = beds.token("admin")
            nats_server.stop()
            ids = [
                (await beds.post("/api/v1/sites", admin, night_shelter(name=f"S{n}"))).json()["id"]
                for n in range(3)
            ]
            assert await beds.runtime.relay.pending_count() >= 3
            nats_server.start()
            await beds.relayed(within=30)
            nc = await nats.connect(nats_server.url)
            try:
                sub = await nc.jetstream().subscribe("shelter.beds.site.created.v1", ordered_consumer=True)
                seen = [decode_envelope((await sub.next_msg(5)).data).subject for _ in ids]
            finally:
                await nc.close()
            assert seen == ids  # in order, each once
    finally:
        nats_server.stop()


async def test_a_relay_that_crashed_before_marking_sent_publishes_again_without_duplicates(
    beds: Service,
) -> None:
    admin = beds.token("admin")
    await beds.post("/api/v1/sites", admin, night_shelter())
    await beds.relayed()
    async with beds.runtime.unit_of_work() as uow:  # as if the relay died between publish and mark
        await uow.session.execute(sa.update(uow.tables.outbox).values(sent_at=None))
        await uow.commit()
    beds.runtime.relay.wake()
    await beds.relayed()
    info = await beds.runtime.nats.js.stream_info("SHELTER_BEDS")
    async with beds.runtime.read() as uow:
        written = await uow.session.scalar(sa.select(sa.func.count()).select_from(uow.tables.outbox))
    assert info.state.messages == written  # JetStream dropped the re-published ids


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_two_relays_on_postgres_share_the_work_and_publish_each_event_once(
    beds: Service, data_dir: Path, beds_url: str, nats_url: str, clock: ManualClock
) -> None:
    settings = service_settings("beds", database_url=beds_url, nats_url=nats_url, data_dir=data_dir)
    async with running(create_beds, settings, clock) as replica:
        admin = beds.token("admin")
        for n in range(20):
            target = beds if n % 2 else replica
            assert (await target.post("/api/v1/sites", admin, night_shelter(name=f"S{n}"))).status_code == 201
        await beds.relayed()
        await replica.relayed()
        info = await beds.runtime.nats.js.stream_info("SHELTER_BEDS")
        async with beds.runtime.read() as uow:
            written = await uow.session.scalar(sa.select(sa.func.count()).select_from(uow.tables.outbox))
        assert info.state.messages == written
        published = sum(
            s.value
            for service in (beds, replica)
            for metric in service.runtime.metrics.events_published.collect()
            for s in metric.samples
            if s.name.endswith("_total")
        )
        assert published == written


async def test_after_a_lost_stream_replay_puts_the_events_back(beds: Service) -> None:
    admin = beds.token("admin")
    ids = [
        (await beds.post("/api/v1/sites", admin, night_shelter(name=f"S{n}"))).json()["id"] for n in range(2)
    ]
    await beds.relayed()
    js = beds.runtime.nats.js
    await js.delete_stream("SHELTER_BEDS")  # the stream is lost; the outbox still has the events

    queued = await mark_for_replay(beds.runtime.db, beds.runtime.tables, EVENING - timedelta(days=1))
    beds.runtime.relay.wake()
    # beds itself listens on its subjects (the search index hears other replicas' commits), so a
    # publish to the lost stream is not refused at once: the relay notices it at its ack timeout
    await beds.relayed(within=beds.runtime.relay.ack_timeout + 10.0)

    info = await js.stream_info("SHELTER_BEDS")
    assert queued >= 4  # two sites: created + capacity each
    assert info.state.messages == queued
    sub = await js.subscribe("shelter.beds.site.created.v1", ordered_consumer=True)
    assert [decode_envelope((await sub.next_msg(5)).data).subject for _ in ids] == ids
