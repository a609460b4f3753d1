"""The use cases through the message bus, on the in-memory unit of work: the same commands and
queries the HTTP controllers and the placement consumer dispatch, in milliseconds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common.clock import ManualClock
from common.errors import Conflict, Forbidden, NotFound
from contracts.events import beds as ev
from services.beds.domain import commands as c
from services.beds.domain.access import Actor
from services.beds.domain.inventory import RoomSpec
from services.beds.domain.party import Party
from services.beds.service_layer.results import HoldState, Placed, SiteState, StayState
from tests.support.fake_beds import FakeBeds
from tests.unit.beds.builders import NOW

ADMIN = Actor("root", "admin")
SUPERVISOR = Actor("supervisor-anna", "supervisor")
CRISIS_TEAM = Actor("crisis-7", "crisis_team", team_id="mobile-1")
PATROL = Actor("patrol-1", "patrol", team_id="north")
MOTHER_AND_CHILD = Party(1, 1, "female")


def staff_of(site_id: str) -> Actor:
    return Actor("desk-1", "shelter_staff", site_ids=frozenset({site_id}))


@pytest.fixture
def beds() -> FakeBeds:
    return FakeBeds(ManualClock(NOW))


async def opened(beds: FakeBeds, kind: str = "night_shelter", beds_in_room: int = 3, mats: int = 1) -> str:
    command = c.OpenSite(
        name=f"A {kind}",
        kind=kind,  # type: ignore[arg-type]
        lat=49.84,
        lon=24.03,
        address="Somewhere 1",
        rooms=(RoomSpec("Hall", "any", beds=beds_in_room),),
        mats=mats,
    )
    state: SiteState = await beds.bus.run(command, ADMIN)
    return state.site.id


async def test_a_check_in_dispatched_on_the_bus_takes_a_bed_and_tells_the_outbox(beds: FakeBeds) -> None:
    site = await opened(beds)

    placed: Placed = await beds.bus.run(c.CheckIn(site_id=site, party=Party(1, 0, "male")), staff_of(site))

    assert [s.place_kind for s in placed.stays] == ["bed"]
    assert [e.stay_id for e in beds.events(ev.StayStarted)] == [placed.stays[0].id]  # type: ignore[attr-defined]
    board = await beds.bus.ask(c.GetBoard(site_id=site), staff_of(site))
    assert [s.id for s in board.stays] == [placed.stays[0].id]


async def test_the_wrong_role_is_refused_and_nothing_changes(beds: FakeBeds) -> None:
    site = await opened(beds)
    before = len(beds.events())

    with pytest.raises(Forbidden):
        await beds.bus.run(c.CheckIn(site_id=site, party=Party(1, 0, "male")), PATROL)
    with pytest.raises(Forbidden):
        await beds.bus.run(c.RetireSite(site_id=site), SUPERVISOR)

    assert len(beds.events()) == before
    assert beds.stored.stays == {}


async def test_a_refused_rule_leaves_nothing_behind(beds: FakeBeds) -> None:
    site = await opened(beds, "crisis_room", beds_in_room=2, mats=0)

    with pytest.raises(Conflict):
        await beds.bus.run(c.CheckIn(site_id=site, party=Party(2, 2, "female")), CRISIS_TEAM)

    assert beds.stored.stays == {}


async def test_a_family_is_extended_together_with_one_limit(beds: FakeBeds) -> None:
    site = await opened(beds, "crisis_room")
    placed: Placed = await beds.bus.run(c.CheckIn(site_id=site, party=MOTHER_AND_CHILD), CRISIS_TEAM)
    mother, child = placed.stays
    limit = mother.limit_at
    assert limit is not None

    done: StayState = await beds.bus.run(c.ExtendStay(stay_id=child.id, days=3, reason="court"), SUPERVISOR)

    assert sorted(s.id for s in done.extended) == sorted([mother.id, child.id])
    for stay_id in (mother.id, child.id):
        assert beds.stored.stays[stay_id].limit_at == limit + timedelta(days=3)
    audited = [a for a in beds.stored.audit if a["action"] == "stay.extended"]
    assert sorted(a["object_id"] for a in audited) == sorted([mother.id, child.id])
    assert {a["detail"]["group_id"] for a in audited} == {mother.group_id}


async def test_a_hidden_stay_is_refused_exactly_like_an_absent_one(beds: FakeBeds) -> None:
    refuge = await opened(beds, "crisis_room")
    placed: Placed = await beds.bus.run(c.CheckIn(site_id=refuge, party=MOTHER_AND_CHILD), CRISIS_TEAM)
    elsewhere = staff_of("another-site")

    with pytest.raises(NotFound) as hidden:
        await beds.bus.ask(c.GetStay(stay_id=placed.stays[0].id), elsewhere)
    with pytest.raises(NotFound) as absent:
        await beds.bus.ask(c.GetStay(stay_id="no-such-stay"), elsewhere)

    assert (hidden.value.code, hidden.value.detail) == (absent.value.code, absent.value.detail)


async def test_a_read_of_a_confidential_stay_leaves_an_audit_entry_and_a_public_one_does_not(
    beds: FakeBeds,
) -> None:
    refuge = await opened(beds, "crisis_room")
    shelter = await opened(beds)
    secret: Placed = await beds.bus.run(c.CheckIn(site_id=refuge, party=MOTHER_AND_CHILD), CRISIS_TEAM)
    public: Placed = await beds.bus.run(
        c.CheckIn(site_id=shelter, party=Party(1, 0, "male")), staff_of(shelter)
    )

    await beds.bus.ask(c.GetStay(stay_id=secret.stays[0].id), SUPERVISOR)
    await beds.bus.ask(c.GetStay(stay_id=public.stays[0].id), SUPERVISOR)

    reads = [
        (a["action"], a["object_id"], a["actor"]) for a in beds.stored.audit if a["action"].endswith(".read")
    ]
    assert reads == [("stay.read", secret.stays[0].id, "supervisor-anna")]


async def test_a_patrol_holds_and_only_its_team_or_the_sites_staff_see_the_hold(beds: FakeBeds) -> None:
    site = await opened(beds)
    held: HoldState = await beds.bus.run(c.PlaceHold(site_id=site, party=Party(1, 0, "male")), PATROL)

    teammate = Actor("patrol-2", "patrol", team_id="north")
    assert (await beds.bus.ask(c.GetHold(hold_id=held.hold.id), teammate)).hold.id == held.hold.id
    assert (await beds.bus.ask(c.GetHold(hold_id=held.hold.id), staff_of(site))).hold.id == held.hold.id
    with pytest.raises(NotFound):
        await beds.bus.ask(c.GetHold(hold_id=held.hold.id), Actor("patrol-9", "patrol", team_id="south"))

    arrived: Placed = await beds.bus.run(c.CheckInFromHold(hold_id=held.hold.id), staff_of(site))
    assert [s.hold_id for s in arrived.stays] == [held.hold.id]


async def test_staff_see_another_sites_page_only_as_public(beds: FakeBeds) -> None:
    mine, other = await opened(beds), await opened(beds)

    assert (await beds.bus.ask(c.GetSite(site_id=mine), staff_of(mine))).scope == "allow"
    assert (await beds.bus.ask(c.GetSite(site_id=other), staff_of(mine))).scope == "public"
    with pytest.raises(NotFound):
        await beds.bus.ask(c.GetBoard(site_id=other), staff_of(mine))
