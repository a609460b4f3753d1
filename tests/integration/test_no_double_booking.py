"""No place is ever held twice or occupied twice at the same time: not when many clients race
for the last beds through two replicas, and not even if the application's own lock were bypassed
(the database refuses the second claim)."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from common.clock import ManualClock
from services.beds.adapters.orm import place_claims
from services.beds.app import create_app as create_beds
from tests.support.service import Service, running, service_settings
from tests.support.sites import crisis_room, night_shelter, party, room

RACERS = 24


async def open_claims_per_place(beds: Service) -> Counter[str]:
    async with beds.runtime.read() as uow:
        rows = await uow.session.execute(
            sa.select(place_claims.c.place_id).where(place_claims.c.ends_at.is_(None))
        )
        return Counter(row.place_id for row in rows)


@pytest.fixture
async def replica(beds_url: str, nats_url: str, data_dir: Path, clock: ManualClock):  # type: ignore[no-untyped-def]
    """A second instance of beds on the same database, as in production."""
    settings = service_settings("beds", database_url=beds_url, nats_url=nats_url, data_dir=data_dir)
    async with running(create_beds, settings, clock) as service:
        yield service


async def test_many_walk_ins_race_for_the_last_beds_of_a_crisis_room(beds: Service, replica: Service) -> None:
    admin = beds.token("admin")
    site = (await beds.post("/api/v1/sites", admin, crisis_room(rooms=[room("A", 5, "any")]))).json()["id"]
    team = beds.token("crisis_team", team="mobile-1")

    async def arrive(n: int) -> int:
        service = beds if n % 2 else replica
        response = await service.post(
            f"/api/v1/sites/{site}/checkins", team, {"party": party(gender="female")}
        )
        return response.status_code

    statuses = Counter(await asyncio.gather(*(arrive(n) for n in range(RACERS))))
    assert statuses == {201: 5, 409: RACERS - 5}
    claims = await open_claims_per_place(beds)
    assert len(claims) == 5
    assert set(claims.values()) == {1}


async def test_a_night_shelter_under_a_rush_gives_each_place_once_and_never_refuses(
    beds: Service, replica: Service
) -> None:
    admin = beds.token("admin")
    site = (await beds.post("/api/v1/sites", admin, night_shelter(beds=6, mats=4))).json()["id"]
    staff = beds.token("shelter_staff", sites=[site])

    async def arrive(n: int) -> list[str]:
        service = beds if n % 2 else replica
        response = await service.post(f"/api/v1/sites/{site}/checkins", staff, {"party": party()})
        assert response.status_code == 201, response.text
        return [stay["place_kind"] for stay in response.json()["stays"]]

    kinds = Counter(k for result in await asyncio.gather(*(arrive(n) for n in range(RACERS))) for k in result)
    assert kinds == {"bed": 6, "mat": 4, "over_capacity": RACERS - 10}
    assert set((await open_claims_per_place(beds)).values()) == {1}
    board = (await beds.get(f"/api/v1/sites/{site}/board", staff)).json()
    assert (board["beds_occupied"], board["mats_used"], board["over_capacity"]) == (6, 4, RACERS - 10)


async def test_patrols_racing_to_hold_the_last_family_room_get_it_once(
    beds: Service, replica: Service
) -> None:
    admin = beds.token("admin")
    body = night_shelter(beds=0, mats=0, rooms=[room("family", 3, "family"), room("hall", 2, "men")])
    site = (await beds.post("/api/v1/sites", admin, body)).json()["id"]

    async def hold(n: int) -> int:
        service = beds if n % 2 else replica
        token = service.token("patrol", team=f"patrol-{n}")
        response = await service.post(
            "/api/v1/holds", token, {"site_id": site, "party": party(adults=1, children=2, gender="female")}
        )
        return response.status_code

    statuses = Counter(await asyncio.gather(*(hold(n) for n in range(RACERS))))
    assert statuses == {201: 1, 409: RACERS - 1}


async def test_holds_and_check_ins_racing_never_share_a_place(beds: Service, replica: Service) -> None:
    admin = beds.token("admin")
    site = (await beds.post("/api/v1/sites", admin, crisis_room(rooms=[room("A", 4, "any")]))).json()["id"]
    team = beds.token("crisis_team", team="mobile-1")

    async def act(n: int) -> int:
        service = beds if n % 2 else replica
        if n % 3:
            return (
                await service.post("/api/v1/holds", team, {"site_id": site, "party": party()})
            ).status_code
        return (await service.post(f"/api/v1/sites/{site}/checkins", team, {"party": party()})).status_code

    statuses = Counter(await asyncio.gather(*(act(n) for n in range(RACERS))))
    assert statuses[201] == 4
    assert set((await open_claims_per_place(beds)).values()) == {1}


async def only_place(beds: Service, site_id: str) -> str:
    async with beds.runtime.read() as uow:
        return str(
            await uow.session.scalar(sa.text("SELECT id FROM places WHERE site_id = :s"), {"s": site_id})
        )


async def insert_claim(uow, place: str, site: str, starts_at: datetime, ends_at: datetime | None) -> None:  # type: ignore[no-untyped-def]
    values = {
        "id": str(uuid.uuid4()),
        "place_id": place,
        "site_id": site,
        "starts_at": starts_at,
        "ends_at": ends_at,
    }
    await uow.session.execute(sa.insert(place_claims).values(**values))


async def test_the_database_itself_refuses_a_second_open_claim_on_a_place(beds: Service) -> None:
    site = (
        await beds.post("/api/v1/sites", beds.token("admin"), crisis_room(rooms=[room("A", 1, "any")]))
    ).json()
    place = await only_place(beds, site["id"])
    now = beds.runtime.clock.now()
    async with beds.runtime.unit_of_work() as uow:
        await insert_claim(uow, place, site["id"], now, None)
        with pytest.raises(IntegrityError):
            await insert_claim(uow, place, site["id"], now + timedelta(minutes=1), None)


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_on_postgres_even_closed_spans_may_not_overlap(beds: Service) -> None:
    site = (
        await beds.post("/api/v1/sites", beds.token("admin"), crisis_room(rooms=[room("A", 1, "any")]))
    ).json()
    place = await only_place(beds, site["id"])
    now = beds.runtime.clock.now()
    async with beds.runtime.unit_of_work() as uow:
        await insert_claim(uow, place, site["id"], now - timedelta(days=2), now - timedelta(days=1))
        with pytest.raises(IntegrityError, match="ex_place_claims_no_overlap"):
            await insert_claim(uow, place, site["id"], now - timedelta(days=1, hours=12), now)
