"""One set of repository checks, run against the real unit of work (SQLite and PostgreSQL, in
tests/integration) and the in-memory fake (tests/unit), so that the fake the handler tests trust
cannot drift from what the database does. Subclasses provide the `units` fixture: a callable
giving a fresh unit of work, and the `clock` it reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from common.clock import ManualClock
from services.beds.domain.floor import Holder, SiteFloor
from services.beds.domain.inventory import RoomSpec
from services.beds.domain.party import Needs, Party

Units = Callable[[], Any]
PATROL = Holder(subject="patrol-officer-1", role="patrol", team_id="team-patrol-1")


async def opened(units: Units, clock: ManualClock, *, beds: int = 3, mats: int = 2) -> str:
    async with units() as uow:
        floor = SiteFloor.open(
            name="Contract shelter",
            kind="night_shelter",
            lat=49.84,
            lon=24.03,
            address="Contract street 1",
            now=clock.now(),
            rooms=[RoomSpec("Hall", "any", beds=beds), RoomSpec("Side", "women", beds=1)],
            mats=mats,
        )
        uow.sites.add(floor)
        await uow.commit()
        return floor.site.id


class BedsRepositoryContract:
    async def test_a_committed_site_is_found_with_its_rooms_places_and_free_counts(
        self, units: Units, clock: ManualClock
    ) -> None:
        site_id = await opened(units, clock)
        async with units() as uow:
            floor = await uow.sites.floor(site_id)
            assert floor is not None and floor.site.name == "Contract shelter"
            assert sorted(r.name for r in floor.rooms.values()) == ["Hall", "Side"]
            assert sorted(p.kind for p in floor.places.values()) == ["bed"] * 4 + ["mat"] * 2
            room_id = next(r.id for r in floor.rooms.values() if r.name == "Hall")
            mat_id = next(p.id for p in floor.places.values() if p.kind == "mat")
            assert await uow.sites.site_of_room(room_id) == site_id
            assert await uow.sites.site_of_place(mat_id) == site_id
            assert await uow.sites.site_of_room("no-such-room") is None
            assert [s.id for s in await uow.reads.sites()] == [site_id]
            counts = (await uow.reads.site_counts([site_id]))[site_id]
            assert (counts.beds_total, counts.beds_free, counts.mats_total, counts.mats_free) == (4, 4, 2, 2)
            assert counts.rooms[room_id] == (3, 3)

    async def test_what_a_unit_of_work_did_not_commit_is_not_there(
        self, units: Units, clock: ManualClock
    ) -> None:
        site_id = await opened(units, clock)
        async with units() as uow:
            floor = await uow.sites.floor(site_id)
            floor.check_in(
                Party(1, 0, "male"), Needs(), now=clock.now(), started_at=clock.now(), source="walk_in"
            )
        async with units() as uow:
            assert await uow.reads.open_stays(site_id) == []
            assert (await uow.reads.site_counts([site_id]))[site_id].beds_free == 4

    async def test_the_open_stays_of_a_group_are_found_together_until_one_leaves(
        self, units: Units, clock: ManualClock
    ) -> None:
        site_id = await opened(units, clock)
        async with units() as uow:
            floor = await uow.sites.floor(site_id)
            family = floor.check_in(
                Party(1, 2, "female"), Needs(), now=clock.now(), started_at=clock.now(), source="walk_in"
            )
            await uow.commit()
        group_id, ids = family[0].group_id, sorted(s.id for s in family)
        async with units() as uow:
            assert sorted(s.id for s in await uow.stays.open_in_group(group_id)) == ids
            assert sorted(s.id for s in await uow.reads.open_stays(site_id)) == ids
            assert (await uow.reads.stay(ids[0])).group_id == group_id
            floor = await uow.sites.floor(site_id)
            leaving = await uow.stays.get(ids[0], fresh=True)
            floor.check_out(leaving, clock.now())
            await uow.commit()
        async with units() as uow:
            assert sorted(s.id for s in await uow.stays.open_in_group(group_id)) == ids[1:]
            assert (await uow.stays.get(ids[0])).ended_at is not None

    async def test_a_hold_is_found_with_the_places_it_keeps(self, units: Units, clock: ManualClock) -> None:
        site_id = await opened(units, clock)
        async with units() as uow:
            floor = await uow.sites.floor(site_id)
            hold = floor.place_hold(
                Party(1, 0, "female"),
                Needs(),
                now=clock.now(),
                eta_minutes=30,
                holder=PATROL,
                source="patrol",
            )
            held = sorted(p.id for p in floor.hold_places(hold))
            free_mat = next(p.id for p in floor.places.values() if p.kind == "mat")
            await uow.commit()
        async with units() as uow:
            assert (await uow.holds.get(hold.id)).status == "active"
            assert sorted(p.id for p in await uow.reads.places_of_hold(hold.id)) == held
            assert [h.id for h in await uow.reads.active_holds(site_id)] == [hold.id]
            assert await uow.sites.place_has_history(held[0])
            assert not await uow.sites.place_has_history(free_mat)
            assert (await uow.reads.place(held[0])).id == held[0]
