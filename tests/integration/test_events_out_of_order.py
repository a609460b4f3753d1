"""Every event of a flow delivered for the FIRST time out of order (issue 25): a hold's end before
the hold, a card's revocation before its issue, a site retired before it was created, a newer
`site.updated` before an older one, `referral.cancelled` before `referral.created`, the wait's lapse
before the wait. Every consumer of every service must end where the in-order delivery left it.

The flow runs once through beds, intake and notifications, in order. Its events are then taken
from JetStream, the streams emptied, and the events put back in another order (reversed: every
event before the one it follows; and shuffled), each under its own event id as the relays publish
them. A second instance of each service, on a fresh database holding only what its own API wrote
in the flow (intake's referrals, back to `pending`; notifications' teams), then consumes them for
the first time — with the real consumers and handlers — and must end in the same state: nothing
lost, nothing applied twice, no older fact winning, nothing parked."""

from __future__ import annotations

import contextlib
import functools
import random
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import nats
import pytest
import sqlalchemy as sa
from nats.js.errors import NotFoundError

from common.clock import ManualClock
from common.db import Database
from common.nats import ensure_streams
from common.runtime import ServiceRuntime
from contracts import ALL_STREAMS, Event, decode_data, decode_envelope, encode, wrap
from contracts.events import beds as ev
from contracts.events import intake as iv
from contracts.events.base import NeedsFacts, PartyFacts
from services.beds.adapters import orm as beds_orm
from services.beds.app import create_app as create_beds
from services.intake.adapters import orm as intake_orm
from services.intake.app import create_app as create_intake
from services.notifications.adapters import orm as notifications_orm
from services.notifications.app import create_app as create_notifications
from tests.integration.beds.helpers import hold_url
from tests.integration.intake.helpers import referral
from tests.integration.notifications.helpers import create_team
from tests.integration.placement.flow import referral_in, shelter
from tests.support.databases import Databases
from tests.support.events import every_message
from tests.support.service import Service, running, service_settings, wait_until

Message = tuple[str, bytes]


async def put_back(nats_url: str, messages: list[Message]) -> None:
    """Empty streams (and no parked event), then `messages` in this order, as the relays publish."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for spec in ALL_STREAMS:
            with contextlib.suppress(NotFoundError):
                await js.delete_stream(spec.name)
        await ensure_streams(js, ALL_STREAMS)
        for subject, data in messages:
            await js.publish(subject, data, headers={"Nats-Msg-Id": decode_envelope(data).id})
    finally:
        await nc.close()


async def parked(nats_url: str) -> int:
    nc = await nats.connect(nats_url)
    try:
        return int((await nc.jetstream().stream_info("SHELTER_PARKED")).state.messages)
    finally:
        await nc.close()


async def caught_up(services: list[Service]) -> bool:
    for service in services:
        for consumer in service.runtime.consumers:
            info = await service.runtime.nats.js.consumer_info(
                consumer.subscription.stream.name, consumer.durable
            )
            if info.num_pending or info.num_ack_pending or info.num_redelivered:
                return False
    return True


def outcomes(runtime: ServiceRuntime[Any], outcome: str) -> float:
    return sum(
        sample.value
        for metric in runtime.metrics.events_consumed.collect()
        for sample in metric.samples
        if sample.name.endswith("_total") and sample.labels.get("outcome") == outcome
    )


async def rows(service: Service, query: Any) -> list[tuple[Any, ...]]:
    async with service.runtime.read() as uow:
        return sorted(tuple(r) for r in (await uow.session.execute(query)).all())


def directory(table: sa.Table) -> Any:
    c = table.c
    return sa.select(c.id, c.kind, c.confidential, c.public_name, c.retired, c.updated_at)


async def intake_state(intake: Service, cancelled: set[str]) -> Any:
    """What intake's consumers made: each referral's status (and, unless intake itself cancelled
    it, its hold, site and the hold's end) and the sites it knows."""
    r = intake_orm.referrals.c
    referrals = await rows(intake, sa.select(r.id, r.status, r.hold_id, r.site_id, r.expires_at))
    return (
        [row if row[0] not in cancelled else row[:2] for row in referrals],
        await rows(intake, directory(intake_orm.known_sites)),
    )


async def notifications_state(notifications: Service) -> Any:
    a = notifications_orm.alerts.c
    alerts = await rows(notifications, sa.select(a.team_id, a.kind, a.subject_id, a.event_id))
    return alerts, await rows(notifications, directory(notifications_orm.known_sites))


async def beds_read_models(beds: Service) -> Any:
    """What beds' consumers of intake's events keep besides placements: cards, restrictions, trips."""
    return (
        await rows(beds, sa.select(beds_orm.cards)),
        await rows(beds, sa.select(beds_orm.restrictions)),
        await rows(beds, sa.select(beds_orm.report_trips)),
    )


async def a_flow(
    beds: Service, intake: Service, notifications: Service, clock: ManualClock
) -> dict[str, str]:
    """Two beds at Near; four referrals: one arrives, one is cancelled at intake after its hold,
    one is offered the freed bed from the waitlist and lets its hold lapse, one (with a pet no
    room takes) waits until the list lets it go. A site renamed twice, one retired; a card issued
    and revoked, a restriction, a trip."""
    admin = beds.token("admin")
    near = await shelter(beds, "Near", beds_=2)
    gone = await shelter(beds, "Gone", beds_=1, lat=49.99, lon=24.3)
    assert (await beds.post(f"/api/v1/sites/{gone}/retire", admin)).status_code == 200
    for name in ("Near shelter", "Near shelter on Kyrylivska"):
        clock.advance(timedelta(minutes=1))  # the newer name is the later fact
        assert (await beds.patch(f"/api/v1/sites/{near}", admin, {"name": name})).status_code == 200
    team = await create_team(notifications, "patrol")
    await create_team(notifications, "shelter_staff", sites=[near])
    patrol = intake.token("patrol", team=team)

    made: dict[str, str] = {}
    for name, body, status in (
        ("arrives", referral(), "held"),
        ("cancelled", referral(), "held"),
        ("offered", referral(), "waitlisted"),
        ("lapses", referral(person={"name": "Made-up Name"}, needs={"pet": True}), "waitlisted"),
    ):
        made[name] = (await intake.post("/api/v1/referrals", patrol, body)).json()["id"]
        await referral_in(intake, made[name], patrol, status)

    cancel = await intake.post(f"/api/v1/referrals/{made['cancelled']}/cancel", patrol)
    assert cancel.status_code == 200, cancel.text
    await referral_in(intake, made["offered"], patrol, "offered")
    arrives = (await intake.get(f"/api/v1/referrals/{made['arrives']}", patrol)).json()
    staff = beds.token("shelter_staff", sites=[near])
    assert (await beds.post(hold_url(arrives["hold_id"], "checkin"), staff)).status_code == 201
    await referral_in(intake, made["arrives"], patrol, "placed")

    supervisor = intake.token("supervisor")
    person = (await intake.get(f"/api/v1/referrals/{made['lapses']}", supervisor)).json()["person"]["id"]
    assert (await intake.post(f"/api/v1/people/{person}/card", supervisor)).status_code == 201
    assert (await intake.post(f"/api/v1/people/{person}/card/revoke", supervisor)).status_code == 200
    until = (clock.now() + timedelta(days=30)).isoformat()
    restricted = await intake.post(
        f"/api/v1/people/{person}/restrictions",
        supervisor,
        {"until": until, "reason": "violence", "site_id": near},
    )
    assert restricted.status_code == 201, restricted.text
    trip = {"started_at": clock.now().isoformat(), "area": "Sykhiv", "outcome": "placed"}
    assert (
        await intake.post("/api/v1/trips", patrol, {**trip, "referral_id": made["arrives"]})
    ).status_code == 201

    clock.advance(timedelta(hours=12, minutes=5))  # the offered hold lapses, and so does the wait
    await beds.tick()
    await referral_in(intake, made["offered"], patrol, "expired")
    await referral_in(intake, made["lapses"], patrol, "expired")
    return made


@contextlib.asynccontextmanager
async def three_services(
    urls: dict[str, str], nats_url: str, data_dir: Path, clock: ManualClock, only: tuple[str, ...]
) -> AsyncIterator[dict[str, Service]]:
    makers: dict[str, Callable[..., Any]] = {
        "beds": create_beds,
        "intake": create_intake,
        "notifications": functools.partial(create_notifications, delivery_clock=clock),
    }
    async with contextlib.AsyncExitStack() as stack:
        started = {}
        for name in only:
            settings = service_settings(name, database_url=urls[name], nats_url=nats_url, data_dir=data_dir)
            started[name] = await stack.enter_async_context(running(makers[name], settings, clock))
        yield started


async def seeded(
    databases: Databases, backend: str, name: str, copies: dict[sa.Table, list[dict[str, Any]]]
) -> str:
    """A fresh database of `name` holding only `copies` (what its own API wrote)."""
    url = await databases.fresh(name, backend)
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            for table, values in copies.items():
                if values:
                    await conn.execute(sa.insert(table), values)
    finally:
        await db.dispose()
    return url


@dataclass
class InOrder:
    """The flow as it ran, and where it left every consumer."""

    made: dict[str, str]
    messages: list[Message]
    cancelled: set[str]
    intake: Any
    notifications: Any
    beds: Any
    referrals: list[dict[str, Any]]  # as intake's own API wrote them
    teams: dict[sa.Table, list[dict[str, Any]]]  # as notifications' own API wrote them


async def the_flow_in_order(
    databases: Databases, backend: str, nats_url: str, data_dir: Path, clock: ManualClock
) -> InOrder:
    urls = {name: await databases.fresh(name, backend) for name in ("beds", "intake", "notifications")}
    async with three_services(urls, nats_url, data_dir, clock, ("beds", "intake", "notifications")) as first:
        beds, intake, notifications = first["beds"], first["intake"], first["notifications"]
        made = await a_flow(beds, intake, notifications, clock)
        for service in first.values():
            await service.relayed()
        await wait_until(lambda: caught_up(list(first.values())), 15)
        messages = await every_message(nats_url)
        cancelled = {
            event.referral_id
            for _, data in messages
            if isinstance(event := decode_data(decode_envelope(data)), iv.ReferralCancelled)
        }
        assert cancelled == {made["cancelled"]}
        async with intake.runtime.read() as uow:
            referrals = [dict(r._mapping) for r in await uow.session.execute(sa.select(intake_orm.referrals))]
        teams = {}
        async with notifications.runtime.read() as uow:
            for table in (notifications_orm.teams, notifications_orm.team_sites):
                teams[table] = [dict(r._mapping) for r in await uow.session.execute(sa.select(table))]
        flow = InOrder(
            made,
            messages,
            cancelled,
            await intake_state(intake, cancelled),
            await notifications_state(notifications),
            await beds_read_models(beds),
            referrals,
            teams,
        )
    # Back to what intake's API wrote, before beds said anything about the referrals.
    for r in flow.referrals:
        r.update(person_id=None, hold_id=None, site_id=None, expires_at=None, site_confidential=False)
        r.update(was_waitlisted=False, updated_at=r["created_at"])
        r["status"] = "cancelled" if r["id"] in cancelled else "pending"
    assert len(messages) >= 30 and len(flow.referrals) == 4
    return flow


async def delivered_first_in(
    order: list[Message],
    flow: InOrder,
    databases: Databases,
    backend: str,
    nats_url: str,
    data_dir: Path,
    clock: ManualClock,
) -> dict[str, float]:
    """Replays `order` to a second intake and notifications, then to a second beds; asserts that
    each ends where the in-order flow left it. Returns how many deliveries each deferred."""
    await put_back(nats_url, order)
    again = {
        "intake": await seeded(databases, backend, "intake", {intake_orm.referrals: flow.referrals}),
        "notifications": await seeded(databases, backend, "notifications", flow.teams),
    }
    deferred = {}
    async with three_services(again, nats_url, data_dir, clock, ("intake", "notifications")) as second:
        intake, notifications = second["intake"], second["notifications"]

        async def as_in_order() -> bool:
            return (await intake_state(intake, flow.cancelled), await notifications_state(notifications)) == (
                flow.intake,
                flow.notifications,
            )

        with contextlib.suppress(TimeoutError):
            await wait_until(as_in_order, 40, step=0.2)
        await wait_until(lambda: caught_up([intake, notifications]), 40)
        assert await intake_state(intake, flow.cancelled) == flow.intake
        assert await notifications_state(notifications) == flow.notifications
        deferred.update(intake=outcomes(intake.runtime, "deferred"))
        deferred.update(notifications=outcomes(notifications.runtime, "deferred"))

    # beds' consumers of intake's events, on a beds without a site: every referral waits, but not
    # the one intake cancelled, whichever of its two events came first.
    again["beds"] = await databases.fresh("beds", backend)
    p = beds_orm.placements.c
    expected = {rid: ("cancelled" if rid in flow.cancelled else "waitlisted") for rid in flow.made.values()}
    async with three_services(again, nats_url, data_dir, clock, ("beds",)) as alone:
        beds = alone["beds"]

        async def placements() -> dict[str, str]:
            return dict(await rows(beds, sa.select(p.referral_id, p.status)))

        async def as_expected() -> bool:
            return await placements() == expected and await beds_read_models(beds) == flow.beds

        with contextlib.suppress(TimeoutError):
            await wait_until(as_expected, 40, step=0.2)
        await wait_until(lambda: caught_up([beds]), 40)
        assert await placements() == expected
        assert await beds_read_models(beds) == flow.beds
        assert await rows(beds, sa.select(beds_orm.holds.c.id)) == []
        deferred.update(beds=outcomes(beds.runtime, "deferred"))
    assert await parked(nats_url) == 0
    return deferred


async def publish_in_turn(nats_url: str, *events: tuple[Event, datetime]) -> None:
    """Each (event, the time it happened) onto JetStream in this order, as a relay publishes."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await ensure_streams(js, ALL_STREAMS)
        for event, at in events:
            envelope = wrap(event, event_id=str(uuid.uuid4()), time=at, subject=event.subject_id())
            await js.publish(
                event.event_kind().subject, encode(envelope), headers={"Nats-Msg-Id": envelope.id}
            )
    finally:
        await nc.close()


def applied_of(service: Service, event_type: type[Event]) -> float:
    return sum(
        sample.value
        for metric in service.runtime.metrics.events_consumed.collect()
        for sample in metric.samples
        if sample.name.endswith("_total")
        and sample.labels.get("outcome") == "applied"
        and sample.labels.get("type") == event_type.KIND.type
    )


async def test_a_site_retired_before_its_creation_came_stays_retired(
    intake: Service, nats_url: str, clock: ManualClock
) -> None:
    site = str(uuid.uuid4())
    opened = ev.SiteCreated(
        site_id=site, kind="shelter", confidential=False, timezone="Europe/Kyiv", max_stay_days=None,
        beds_total=2, mats_total=0, public_name="Soon gone",
    )  # fmt: skip
    await publish_in_turn(
        nats_url, (ev.SiteRetired(site_id=site), clock.now() + timedelta(minutes=5)), (opened, clock.now())
    )
    await wait_until(lambda: applied_of(intake, ev.SiteRetired), 15)
    known = await rows(intake, sa.select(intake_orm.known_sites.c.id, intake_orm.known_sites.c.retired))
    assert known == [(site, True)]
    assert (await intake.get("/api/v1/sites", intake.token("supervisor"))).json() == []


async def test_a_card_revoked_before_its_issue_came_finds_nobody_at_the_door(
    beds: Service, nats_url: str, clock: ManualClock
) -> None:
    card, person = str(uuid.uuid4()), str(uuid.uuid4())
    await publish_in_turn(
        nats_url,
        (iv.CardRevoked(card_id=card, person_id=person), clock.now() + timedelta(minutes=1)),
        (iv.CardIssued(card_id=card, person_id=person, token_digest="ab" * 32), clock.now()),
    )
    await wait_until(lambda: applied_of(beds, iv.CardRevoked), 15)
    assert applied_of(beds, iv.CardIssued) == 1
    assert await rows(beds, sa.select(beds_orm.cards)) == []


async def test_a_holds_end_and_a_waits_lapse_before_what_they_follow_still_end_the_referral(
    intake: Service, nats_url: str, clock: ManualClock
) -> None:
    """No beds here: intake hears beds' events as this test publishes them, each pair backwards."""
    team = str(uuid.uuid4())
    patrol = intake.token("patrol", team=team)
    held, waiting = [
        (await intake.post("/api/v1/referrals", patrol, referral())).json()["id"] for _ in range(2)
    ]
    hold, site, now = str(uuid.uuid4()), str(uuid.uuid4()), clock.now()
    facts = {"hold_id": hold, "site_id": site, "confidential": False, "holder_team_id": team}
    placed = ev.HoldPlaced(
        **facts, referral_id=held, place_ids=[str(uuid.uuid4())], party=PartyFacts(1, 0, "male"),
        needs=NeedsFacts(), expires_at=now + timedelta(hours=2),
    )  # fmt: skip
    await publish_in_turn(
        nats_url,
        (ev.HoldExpired(**facts, referral_id=held), now + timedelta(hours=2)),
        (ev.ReferralWaitlistExpired(referral_id=waiting, team_id=team), now + timedelta(hours=12)),
        (placed, now),
        (ev.ReferralWaitlisted(referral_id=waiting, team_id=team, position=1), now),
    )
    expired = await referral_in(intake, held, patrol, "expired")
    assert expired["hold_id"] == hold
    await referral_in(intake, waiting, patrol, "expired")
    assert applied_of(intake, ev.HoldExpired) == applied_of(intake, ev.ReferralWaitlistExpired) == 1


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the handlers' SQL is above on both
async def test_every_event_of_a_flow_first_delivered_in_reverse_ends_every_consumer_where_in_order_did(
    databases: Databases, backend: str, nats_url: str, data_dir: Path, clock: ManualClock
) -> None:
    flow = await the_flow_in_order(databases, backend, nats_url, data_dir, clock)
    reverse = list(reversed(flow.messages))  # every event before the one it follows
    deferred = await delivered_first_in(reverse, flow, databases, backend, nats_url, data_dir, clock)
    # hold ends and the wait's lapse (intake), the retired site (both directories), the revoked card (beds)
    assert all(deferred.values()), deferred

    shuffled = list(flow.messages)
    random.Random(25).shuffle(shuffled)
    await delivered_first_in(shuffled, flow, databases, backend, nats_url, data_dir, clock)
