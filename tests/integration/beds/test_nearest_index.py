"""The nearest search answered from the process's index in memory (issue 18): every change of
this process is in the next search, a change of another replica is in it within the stated
bound, a stale offer is refused by the hold with 409, and the index gives exactly the answers
of the query path on random floors."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from common.clock import ManualClock
from services.beds.adapters.availability_index import AvailabilityIndex
from services.beds.adapters.orm import place_claims, places, rooms, sites
from services.beds.app import create_app as create_beds
from services.beds.domain.party import Needs, Party
from services.beds.service_layer.nearest import nearest, nearest_in
from tests.integration.beds.helpers import (
    AVAILABILITY,
    assert_problem,
    check_in,
    checked_in,
    open_site,
    place_hold,
    place_url,
    room_named,
    site_url,
    stay_url,
)
from tests.support.service import Service, running, service_settings, wait_until
from tests.support.sites import night_shelter, party

HERE = {"lat": 50.0, "lon": 30.0}


def nearby(name: str, km_north: float, **kw: Any) -> dict[str, Any]:
    return night_shelter(name=name, lat=HERE["lat"] + km_north / 111.2, lon=HERE["lon"], **kw)


async def offered(beds: Service, token: str | None = None, **query: Any) -> dict[str, tuple[int, int]]:
    """site -> (free beds, free mats) of what a patrol is offered for one man near HERE."""
    params = {**HERE, "adults": 1, "gender": "male", **query}
    response = await beds.get(AVAILABILITY, token or beds.token("patrol"), params=params)
    assert response.status_code == 200, response.text
    return {o["site_id"]: (o["free_beds"], o["free_mats"]) for o in response.json()}


@pytest.fixture
async def replica(beds_url: str, nats_url: str, data_dir: Path, clock: ManualClock) -> AsyncIterator[Service]:
    """A second beds process on the same database, as production runs several."""
    settings = service_settings("beds", database_url=beds_url, nats_url=nats_url, data_dir=data_dir)
    async with running(create_beds, settings, clock) as service:
        yield service


async def test_every_change_of_this_process_is_in_the_next_search(beds: Service, clock: ManualClock) -> None:
    site = await open_site(beds, nearby("Hall", 1, beds=2, mats=1))
    staff = beds.token("shelter_staff", sites=[site["id"]])
    patrol = beds.token("patrol", team="patrol-1")
    assert (await offered(beds))[site["id"]] == (2, 1)

    stay = (await checked_in(beds, site["id"], staff))[0]
    assert (await offered(beds))[site["id"]] == (1, 1)

    hold = await place_hold(beds, patrol, site["id"])
    assert hold.status_code == 201, hold.text
    assert (await offered(beds))[site["id"]] == (0, 1)  # on the mat now

    assert (await beds.post(stay_url(stay["id"], "checkout"), staff)).status_code == 200
    assert (await offered(beds))[site["id"]] == (1, 1)

    clock.advance(timedelta(hours=3))  # the hold lapses by the clock
    await beds.tick()
    assert (await offered(beds))[site["id"]] == (2, 1)

    other = await open_site(beds, nearby("New", 2, beds=1, mats=0))
    assert (await offered(beds))[other["id"]] == (1, 0)

    hall = room_named(site, "hall")
    changed = await beds.patch(f"/api/v1/rooms/{hall['id']}", beds.token("admin"), {"restriction": "women"})
    assert changed.status_code == 200, changed.text
    assert (await offered(beds))[site["id"]] == (0, 1)  # only the mat is his now

    mat = site["mats"][0]["id"]
    out = await beds.post(place_url(mat, "out-of-service"), staff, {"reason": "repair"})
    assert out.status_code == 200, out.text
    assert site["id"] not in await offered(beds)

    cold = await beds.post(
        site_url(site["id"], "cold-weather"), beds.token("supervisor"), {"on": True, "mats": 3}
    )
    assert cold.status_code == 200, cold.text
    assert (await offered(beds))[site["id"]][1] > 0  # emergency mats

    retired = await beds.post(site_url(other["id"], "retire"), beds.token("admin"))
    assert retired.status_code == 200, retired.text
    assert other["id"] not in await offered(beds)


async def test_a_change_on_another_replica_is_in_the_search_once_its_event_is_heard(
    beds: Service, replica: Service
) -> None:
    site = await open_site(beds, nearby("Hall", 1, beds=2, mats=0))
    assert (await offered(beds))[site["id"]] == (2, 0)
    staff = replica.token("shelter_staff", sites=[site["id"]])

    await checked_in(replica, site["id"], staff)
    await wait_until(lambda: _offered_is(beds, site["id"], (1, 0)), within=5)

    elsewhere = await open_site(replica, nearby("Opened on the replica", 3, beds=1, mats=0))
    await wait_until(lambda: _offered_is(beds, elsewhere["id"], (1, 0)), within=5)


async def _offered_is(beds: Service, site_id: str, expected: tuple[int, int] | None) -> bool:
    return (await offered(beds)).get(site_id) == expected


async def test_a_write_nobody_announced_is_in_the_search_within_the_age_bound(
    beds_url: str, nats_url: str, data_dir: Path, clock: ManualClock
) -> None:
    settings = service_settings(
        "beds", database_url=beds_url, nats_url=nats_url, data_dir=data_dir, availability_max_age_seconds=1.0
    )
    async with running(create_beds, settings, clock) as beds:
        site = await open_site(beds, nearby("Hall", 1, beds=2, mats=0))
        assert (await offered(beds))[site["id"]] == (2, 0)
        bed = site["rooms"][0]["beds"][0]["id"]
        async with beds.runtime.db.write_sessions() as session, session.begin():  # no event, no hook
            await session.execute(
                sa.insert(place_claims).values(
                    id=str(uuid.uuid4()),
                    place_id=bed,
                    site_id=site["id"],
                    starts_at=clock.now(),
                    ends_at=None,
                    hold_id=None,
                    stay_id=str(uuid.uuid4()),
                )
            )
        await wait_until(lambda: _offered_is(beds, site["id"], (1, 0)), within=3)


async def test_an_offer_gone_stale_is_refused_by_the_hold_with_409(beds: Service, replica: Service) -> None:
    site = await open_site(beds, nearby("Last bed", 1, beds=1, mats=0))
    assert (await offered(beds))[site["id"]] == (1, 0)

    taken = await check_in(replica, site["id"], replica.token("shelter_staff", sites=[site["id"]]))
    assert taken.status_code == 201, taken.text
    # the patrol acts on the offer it was shown, whether or not the index has heard yet
    refused = await place_hold(beds, beds.token("patrol", team="patrol-1"), site["id"], party())
    assert_problem(refused, 409)


# -- the index against the query path, on random floors ------------------------------------------

KINDS = ("night_shelter", "shelter", "crisis_room")
RESTRICTIONS = ("any", "men", "women", "family", "youth")
PARTIES = (
    Party(1, 0, "male"),
    Party(1, 0, "female"),
    Party(2, 0, "other"),
    Party(1, 2, "female"),
    Party(3, 0, "male"),
    Party(1, 0, "other", youth=True),
)
NEEDS = (Needs(), Needs(accessible=True), Needs(pet=True), Needs(dv=True))


async def _random_floors(beds: Service, rng: random.Random, count: int) -> None:
    now = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    rows: dict[sa.Table, list[dict[str, Any]]] = {sites: [], rooms: [], places: [], place_claims: []}
    for n in range(count):
        site_id = str(uuid.uuid4())
        kind = rng.choice(KINDS)
        rows[sites].append(
            {
                "id": site_id,
                "name": f"Site {n}",
                "kind": kind,
                # a cluster near HERE, some far away, a few across the antimeridian
                "lat": rng.choice(
                    (HERE["lat"] + rng.gauss(0, 1.0), rng.uniform(-70, 70), rng.uniform(60, 70))
                ),
                "lon": rng.choice(
                    (HERE["lon"] + rng.gauss(0, 1.5), rng.uniform(-180, 180), rng.uniform(178, 180))
                ),
                "address": "x",
                "timezone": "Europe/Kyiv",
                "max_stay_days": None,
                "confidential": kind == "crisis_room" or rng.random() < 0.1,
                "created_at": now,
                "rollover": clock_time(8),
                "cold_weather": rng.random() < 0.3,
                "cold_weather_mats": None,
                "retired_at": now if rng.random() < 0.1 else None,
                "ledger_closed_through": None,
                "ledger_due_at": None,
            }
        )
        for r in range(rng.randint(0, 3)):
            room_id = str(uuid.uuid4())
            rows[rooms].append(
                {
                    "id": room_id,
                    "site_id": site_id,
                    "name": f"Room {r}",
                    "restriction": rng.choice(RESTRICTIONS),
                    "accessible": rng.random() < 0.3,
                    "pets_allowed": rng.random() < 0.2,
                    "retired_at": now if rng.random() < 0.1 else None,
                }
            )
            for b in range(rng.randint(0, 4)):
                rows[places].append(_place(rng, site_id, room_id, "bed", f"{r}-{b}", now))
        for m in range(rng.randint(0, 3) if kind == "night_shelter" else 0):
            rows[places].append(_place(rng, site_id, None, "mat", f"Mat {m}", now))
    for place in rows[places]:
        if rng.random() < 0.4:
            rows[place_claims].append(_claim(place, now, ended=rng.random() < 0.2))
    async with beds.runtime.db.write_sessions() as session, session.begin():
        for table, table_rows in rows.items():
            if table_rows:
                await session.execute(sa.insert(table), table_rows)


def _place(
    rng: random.Random, site_id: str, room_id: str | None, kind: str, label: str, now: datetime
) -> Any:
    return {
        "id": str(uuid.uuid4()),
        "site_id": site_id,
        "room_id": room_id,
        "kind": kind,
        "label": label,
        "emergency": kind == "mat" and rng.random() < 0.4,
        "retired_at": now if rng.random() < 0.05 else None,
        "out_of_service_since": now if rng.random() < 0.1 else None,
    }


def _claim(place: dict[str, Any], now: datetime, *, ended: bool) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "place_id": place["id"],
        "site_id": place["site_id"],
        "starts_at": now,
        "ends_at": now if ended else None,
        "hold_id": None,
        "stay_id": str(uuid.uuid4()),
    }


async def _same_answers(beds: Service, index: AvailabilityIndex, rng: random.Random, asks: int) -> None:
    for _ in range(asks):
        ask: dict[str, Any] = {
            "lat": rng.choice((HERE["lat"] + rng.gauss(0, 1), rng.uniform(-89, 89))),
            "lon": rng.choice((HERE["lon"] + rng.gauss(0, 1), rng.uniform(-180, 180), 179.9)),
            "party": rng.choice(PARTIES),
            "needs": rng.choice(NEEDS),
            "kind": rng.choice((None, None, *KINDS)),
            "include_confidential": rng.random() < 0.5,
            "limit": rng.choice((1, 3, 10, 100)),
        }
        async with beds.runtime.read() as uow:
            expected = await nearest(uow, **ask)
            await index.fresh(uow.reads)
        assert nearest_in(index, **ask) == expected, ask


async def test_the_index_answers_exactly_as_the_queries_on_random_floors(beds: Service) -> None:
    rng = random.Random(18)
    await _random_floors(beds, rng, 80)
    index = AvailabilityIndex()

    await _same_answers(beds, index, rng, 60)

    # random changes, each named to the index as a commit would: claims end and begin, places go
    # out of service, rooms retire, sites move, retire and open
    async with beds.runtime.db.write_sessions() as session, session.begin():
        open_claims = sa.select(place_claims.c.id, place_claims.c.site_id, place_claims.c.place_id).where(
            place_claims.c.ends_at.is_(None)
        )
        claimed = (await session.execute(open_claims)).all()
        all_places = (await session.execute(sa.select(places))).mappings().all()
        all_sites = (await session.execute(sa.select(sites.c.id))).scalars().all()
        all_rooms = (await session.execute(sa.select(rooms.c.id, rooms.c.site_id))).all()
        touched: set[str] = set()
        now = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
        ending = rng.sample(claimed, min(40, len(claimed)))
        for claim_id, site_id, _ in ending:
            claim = place_claims.c.id == claim_id
            await session.execute(sa.update(place_claims).where(claim).values(ends_at=now))
            touched.add(site_id)
        taken = {place_id for *_, place_id in claimed} - {place_id for *_, place_id in ending}
        for place in rng.sample(list(all_places), min(60, len(all_places))):
            if rng.random() < 0.5 and place["id"] not in taken:
                taken.add(place["id"])
                await session.execute(sa.insert(place_claims).values(_claim(dict(place), now, ended=False)))
            else:
                await session.execute(
                    sa.update(places).where(places.c.id == place["id"]).values(out_of_service_since=now)
                )
            touched.add(place["site_id"])
        for room_id, site_id in rng.sample(all_rooms, min(10, len(all_rooms))):
            await session.execute(sa.update(rooms).where(rooms.c.id == room_id).values(retired_at=now))
            touched.add(site_id)
        for site_id in rng.sample(list(all_sites), 10):
            await session.execute(
                sa.update(sites)
                .where(sites.c.id == site_id)
                .values(lat=HERE["lat"] + rng.gauss(0, 0.5), cold_weather=rng.random() < 0.5)
            )
            touched.add(site_id)
        for site_id in rng.sample(list(all_sites), 5):
            await session.execute(sa.update(sites).where(sites.c.id == site_id).values(retired_at=now))
            touched.add(site_id)
    await _random_floors(beds, rng, 20)  # opened since: found by the listing, named here by hand
    async with beds.runtime.read() as uow:
        touched |= set(await uow.sites.active_site_ids()) - set(all_sites)
    index.changed(touched)

    await _same_answers(beds, index, rng, 60)
