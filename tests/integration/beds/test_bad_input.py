"""Bad input everywhere (SPEC 6, 8): every refusal is a 4xx `application/problem+json` with
`status`, `title` and `detail` — never a 500 — and leaves the database exactly as it was."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from tests.integration.beds.helpers import (
    API,
    HOLDS,
    LEDGER,
    SITES,
    assert_problem,
    checked_in,
    hold_url,
    open_site,
    place_hold,
    place_url,
    raw,
    room_url,
    site_url,
    snapshot,
    stay_url,
)
from tests.support.service import Service
from tests.support.sites import crisis_room, night_shelter, party, room


@dataclass(frozen=True)
class Raw:
    """A body sent byte for byte (None: no body at all)."""

    content: bytes | None


@dataclass
class Town:
    """One night shelter with somebody in it and a bed on hold, and a crisis room."""

    site: str
    refuge: str
    room: str
    mat: str
    stay: str
    hold: str
    admin: str
    staff: str
    patrol: str
    supervisor: str
    crisis: str


@pytest.fixture
async def town(beds: Service) -> Town:
    shelter = await open_site(beds, night_shelter(beds=3, mats=2))
    refuge = await open_site(beds, crisis_room())
    staff = beds.token("shelter_staff", sites=[shelter["id"]])
    patrol = beds.token("patrol", team="patrol-north")
    stay = (await checked_in(beds, shelter["id"], staff))[0]
    hold = (await place_hold(beds, patrol, shelter["id"])).json()
    await beds.relayed()
    return Town(
        site=shelter["id"],
        refuge=refuge["id"],
        room=shelter["rooms"][0]["id"],
        mat=shelter["mats"][0]["id"],
        stay=stay["id"],
        hold=hold["id"],
        admin=beds.token("admin"),
        staff=staff,
        patrol=patrol,
        supervisor=beds.token("supervisor"),
        crisis=beds.token("crisis_team", team="mobile-1"),
    )


async def send(beds: Service, method: str, path: str, token: str | None, body: Any) -> Any:
    if isinstance(body, Raw):
        return await raw(beds, method, path, token, body.content)
    return await beds.call(method, path, token, body)


async def all_refused(beds: Service, cases: list[tuple[str, str, str | None, Any, int]]) -> None:
    """Sends every case and checks each answer; then that none of them changed anything."""
    before = await snapshot(beds)
    for method, path, token, body, status in cases:
        response = await send(beds, method, path, token, body)
        assert_problem(response, status)
    assert await snapshot(beds) == before


def check_in_body(**who: Any) -> dict[str, Any]:
    return {"party": {**party(), **who}}


async def test_impossible_parties_are_refused(beds: Service, town: Town) -> None:
    checkins = site_url(town.site, "checkins")
    parties: list[Any] = [
        {**party(), "adults": -1},
        {**party(), "adults": 500},
        {**party(), "children": -1},
        {**party(), "children": 21},
        {**party(), "adults": 0, "children": 0},
        {**party(), "adults": "two"},
        {**party(), "adults": 1.5},
        {**party(), "adults": None},
        {"adults": 1},
        [1, 0, "male"],
        "a man",
    ]
    cases: list[tuple[str, str, str | None, Any, int]] = []
    for who in parties:
        cases.append(("POST", checkins, town.staff, {"party": who}, 400))
        cases.append(("POST", HOLDS, town.patrol, {"site_id": town.site, "party": who}, 400))
    await all_refused(beds, cases)


async def test_unknown_kinds_genders_restrictions_and_fields_are_refused(beds: Service, town: Town) -> None:
    checkins = site_url(town.site, "checkins")
    await all_refused(
        beds,
        [
            ("POST", SITES, town.admin, night_shelter(kind="castle"), 400),
            ("POST", SITES, town.admin, night_shelter(rooms=[room("hall", 2, "pets")]), 400),
            ("POST", SITES, town.admin, night_shelter(owner="mayor"), 400),
            ("POST", SITES, town.admin, night_shelter(rooms=[{**room(), "sofa": True}]), 400),
            ("POST", SITES, town.admin, night_shelter(name=""), 400),
            ("POST", SITES, town.admin, night_shelter(name="   "), 422),
            ("POST", SITES, town.admin, night_shelter(name="x" * 201), 400),
            ("POST", SITES, town.admin, night_shelter(lat=200), 400),
            ("POST", SITES, town.admin, night_shelter(lon="east"), 400),
            ("POST", SITES, town.admin, night_shelter(mats=-1), 400),
            ("POST", SITES, town.admin, night_shelter(rooms=[room("hall", -1)]), 400),
            ("POST", SITES, town.admin, night_shelter(rooms=[room("hall", 10_000)]), 400),
            ("POST", SITES, town.admin, night_shelter(rooms=[room("a"), room("a")]), 422),
            ("POST", SITES, town.admin, night_shelter(rooms="hall"), 400),
            ("POST", SITES, town.admin, night_shelter(timezone="Mars/Olympus"), 422),
            ("POST", SITES, town.admin, night_shelter(max_stay_days=0), 400),
            ("POST", SITES, town.admin, night_shelter(rollover="25:00"), 400),
            ("POST", SITES, town.admin, {"name": "No kind"}, 400),
            ("PATCH", site_url(town.site), town.admin, {"name": ""}, 400),
            ("PATCH", site_url(town.site), town.admin, {"mats": -3}, 400),
            ("PATCH", site_url(town.site), town.admin, {"kind": "crisis_room"}, 400),
            ("PATCH", room_url(town.room), town.admin, {"restriction": "vip"}, 400),
            ("PATCH", room_url(town.room), town.admin, {"beds": "many"}, 400),
            ("POST", site_url(town.site, "rooms"), town.admin, room("annex", 2, "elders"), 400),
            ("POST", checkins, town.staff, {**check_in_body(gender="robot")}, 400),
            ("POST", checkins, town.staff, {**check_in_body(), "vip": True}, 400),
            ("POST", checkins, town.staff, {**check_in_body(), "needs": {"wheelchair": True}}, 400),
            ("POST", checkins, town.staff, {**check_in_body(), "needs": {"accessible": "yes"}}, 400),
            ("POST", checkins, town.staff, {**check_in_body(), "source": "rumour"}, 400),
            ("POST", checkins, town.staff, {**check_in_body(), "started_at": "yesterday"}, 400),
            ("POST", checkins, town.staff, {**check_in_body(), "started_at": "2026-11-23T10:00:00"}, 400),
            ("POST", HOLDS, town.patrol, {"site_id": town.site, "party": party(), "eta_minutes": 0}, 400),
            (
                "POST",
                HOLDS,
                town.patrol,
                {"site_id": town.site, "party": party(), "eta_minutes": 10_000},
                400,
            ),
            ("POST", HOLDS, town.patrol, {"site_id": "", "party": party()}, 400),
            ("POST", HOLDS, town.patrol, {"party": party()}, 400),
            ("POST", hold_url(town.hold, "extension"), town.patrol, {"minutes": -5}, 400),
            ("POST", hold_url(town.hold, "extension"), town.patrol, {"minutes": "ten"}, 400),
            ("POST", hold_url(town.hold, "extension"), town.patrol, {}, 400),
            ("POST", site_url(town.site, "cold-weather"), town.supervisor, {"mats": 10}, 400),
            ("POST", site_url(town.site, "cold-weather"), town.supervisor, {"on": "yes"}, 400),
            ("POST", site_url(town.site, "cold-weather"), town.supervisor, {"on": True, "mats": 1}, 422),
            (
                "GET",
                f"{LEDGER}?site_id={town.site}&from=2026-11-24&to=2026-11-23",
                town.supervisor,
                None,
                400,
            ),
            (
                "GET",
                f"{LEDGER}?site_id={town.site}&from=2020-01-01&to=2026-11-23",
                town.supervisor,
                None,
                400,
            ),
            ("GET", f"{LEDGER}?site_id={town.site}&from=last-week", town.supervisor, None, 400),
        ],
    )


async def test_a_missing_or_broken_body_is_refused(beds: Service, town: Town) -> None:
    writes = [
        ("POST", SITES, town.admin),
        ("PATCH", site_url(town.site), town.admin),
        ("POST", site_url(town.site, "checkins"), town.staff),
        ("POST", HOLDS, town.patrol),
        ("POST", hold_url(town.hold, "extension"), town.patrol),
        ("POST", stay_url(town.stay, "extension"), town.supervisor),
        ("POST", site_url(town.site, "cold-weather"), town.supervisor),
    ]
    bodies = [
        Raw(None),
        Raw(b""),
        Raw(b"{not json"),
        Raw(b'{"party": '),
        Raw(b"null"),
        Raw(b"[]"),
        Raw(b"\xff\xfe"),
    ]
    await all_refused(beds, [(m, path, token, body, 400) for m, path, token in writes for body in bodies])


async def test_unknown_ids_are_404(beds: Service, town: Town) -> None:
    nobody = "00000000-0000-0000-0000-000000000000"
    await all_refused(
        beds,
        [
            ("GET", site_url(nobody), town.admin, None, 404),
            ("GET", site_url(nobody, "board"), town.supervisor, None, 404),
            ("PATCH", site_url(nobody), town.admin, {"name": "x"}, 404),
            ("POST", site_url(nobody, "retire"), town.admin, None, 404),
            ("POST", site_url(nobody, "rooms"), town.admin, room(), 404),
            ("POST", site_url(nobody, "checkins"), town.staff, check_in_body(), 404),
            ("POST", site_url(nobody, "cold-weather"), town.supervisor, {"on": True}, 404),
            ("PATCH", room_url(nobody), town.admin, {"beds": 3}, 404),
            ("POST", room_url(nobody, "retire"), town.admin, None, 404),
            ("POST", place_url(nobody, "retire"), town.admin, None, 404),
            ("DELETE", place_url(nobody), town.admin, None, 404),
            ("GET", stay_url(nobody), town.supervisor, None, 404),
            ("POST", stay_url(nobody, "checkout"), town.staff, None, 404),
            ("POST", stay_url(nobody, "extension"), town.supervisor, {"days": 2, "reason": "court"}, 404),
            ("POST", HOLDS, town.patrol, {"site_id": nobody, "party": party()}, 404),
            ("GET", hold_url(nobody), town.patrol, None, 404),
            ("DELETE", hold_url(nobody), town.patrol, None, 404),
            ("POST", hold_url(nobody, "extension"), town.patrol, {"minutes": 10}, 404),
            ("POST", hold_url(nobody, "checkin"), town.staff, None, 404),
            ("GET", f"{LEDGER}?site_id={nobody}", town.supervisor, None, 404),
            ("GET", f"{API}/no-such-thing", town.admin, None, 404),
        ],
    )


async def test_the_wrong_role_gets_403_another_sites_inside_404_and_no_token_401(
    beds: Service, town: Town
) -> None:
    stranger = beds.token("shelter_staff", sites=[str(uuid.uuid4())])
    await all_refused(
        beds,
        [
            ("POST", SITES, town.staff, night_shelter(), 403),
            ("POST", SITES, town.supervisor, night_shelter(), 403),
            ("PATCH", site_url(town.site), town.staff, {"name": "Mine now"}, 403),
            ("POST", site_url(town.site, "retire"), town.supervisor, None, 403),
            ("POST", site_url(town.site, "rooms"), town.staff, room(), 403),
            ("PATCH", room_url(town.room), town.staff, {"beds": 9}, 403),
            ("DELETE", place_url(town.mat), town.staff, None, 403),
            ("POST", site_url(town.site, "checkins"), town.patrol, check_in_body(), 403),
            ("POST", site_url(town.site, "checkins"), town.supervisor, check_in_body(), 403),
            ("POST", site_url(town.site, "checkins"), stranger, check_in_body(), 403),
            ("POST", stay_url(town.stay, "checkout"), town.patrol, None, 403),
            ("POST", stay_url(town.stay, "checkout"), stranger, None, 404),  # another site's stays: absent
            ("POST", stay_url(town.stay, "checkout"), town.crisis, None, 404),  # not a crisis site
            ("POST", stay_url(town.stay, "extension"), town.staff, {"days": 2, "reason": "court"}, 403),
            ("POST", HOLDS, town.supervisor, {"site_id": town.site, "party": party()}, 403),
            ("POST", hold_url(town.hold, "checkin"), town.patrol, None, 403),
            ("POST", site_url(town.site, "cold-weather"), town.staff, {"on": True}, 403),
            ("GET", site_url(town.site, "board"), town.patrol, None, 403),
            ("GET", site_url(town.site, "board"), stranger, None, 404),
            ("GET", site_url(town.refuge, "board"), stranger, None, 404),
            # A patrol may see no board at all: the same 403 for a confidential site as for any.
            ("GET", site_url(town.refuge, "board"), town.patrol, None, 403),
            ("GET", f"{LEDGER}?site_id={town.site}", town.patrol, None, 403),
            ("GET", f"{LEDGER}?site_id={town.site}", stranger, None, 404),
            ("GET", f"{LEDGER}?site_id={town.refuge}", stranger, None, 404),
            ("GET", SITES, None, None, 401),
            ("GET", site_url(town.site), None, None, 401),
            ("POST", SITES, None, night_shelter(), 401),
            ("POST", HOLDS, None, {"site_id": town.site, "party": party()}, 401),
            ("POST", site_url(town.site, "checkins"), None, check_in_body(), 401),
            ("POST", stay_url(town.stay, "checkout"), None, None, 401),
            ("GET", SITES, "not-a-token", None, 401),
        ],
    )
