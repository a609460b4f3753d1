"""Who sees what (SPEC 3 "Privacy", SPEC 8): an object the caller may not see answers exactly like
an absent one; a shelter worker sees of another site only what is public anyway; every read of a
confidential site's stay, hold, board, ledger or page leaves an audit entry."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.integration.beds.helpers import (
    LEDGER,
    SITES,
    audit_rows,
    checked_in,
    hold_url,
    open_site,
    place_hold,
    place_url,
    room_url,
    site_url,
    stay_url,
)
from tests.support.service import Service
from tests.support.sites import crisis_room, night_shelter, party


def body_without_request_id(response: httpx.Response) -> tuple[int, dict[str, Any]]:
    answer = dict(response.json())
    answer.pop("request_id", None)
    return response.status_code, answer


async def test_an_object_the_caller_may_not_see_answers_exactly_like_an_absent_one(beds: Service) -> None:
    refuge = await open_site(beds, crisis_room())
    shelter = await open_site(beds, night_shelter())
    team = beds.token("crisis_team", team="mobile-1")
    stay = (await checked_in(beds, refuge["id"], team, party(1, 0, "female")))[0]
    hold = (await place_hold(beds, team, refuge["id"], party(1, 0, "female"))).json()
    shelter_stay = (
        await checked_in(beds, shelter["id"], beds.token("shelter_staff", sites=[shelter["id"]]))
    )[0]
    patrol_hold = (await place_hold(beds, beds.token("patrol", team="north"), shelter["id"])).json()
    made_up = str(uuid.uuid4())
    patrol = beds.token("patrol", team="patrol-1")
    elsewhere = beds.token("shelter_staff", sites=[str(uuid.uuid4())])
    scoped_patrol = beds.token("patrol", sites=[refuge["id"]])

    asked = [
        (patrol, "GET", site_url("{}"), refuge["id"], None),
        (elsewhere, "GET", site_url("{}"), refuge["id"], None),
        (scoped_patrol, "GET", site_url("{}"), refuge["id"], None),
        (elsewhere, "GET", site_url("{}", "board"), refuge["id"], None),
        (elsewhere, "GET", site_url("{}", "board"), shelter["id"], None),
        (elsewhere, "GET", LEDGER + "?site_id={}", shelter["id"], None),
        (elsewhere, "GET", LEDGER + "?site_id={}", refuge["id"], None),
        (elsewhere, "GET", stay_url("{}"), stay["id"], None),
        (elsewhere, "GET", stay_url("{}"), shelter_stay["id"], None),
        (elsewhere, "POST", stay_url("{}", "checkout"), shelter_stay["id"], None),
        (team, "POST", stay_url("{}", "checkout"), shelter_stay["id"], None),
        (patrol, "GET", hold_url("{}"), hold["id"], None),
        (patrol, "GET", hold_url("{}"), patrol_hold["id"], None),
        (patrol, "DELETE", hold_url("{}"), patrol_hold["id"], None),
        (elsewhere, "POST", hold_url("{}", "extension"), patrol_hold["id"], {"minutes": 10}),
        (patrol, "POST", SITES + "/{}/checkins", refuge["id"], {"party": party()}),
        (patrol, "POST", "/api/v1/holds#{}", refuge["id"], None),
        (elsewhere, "PATCH", room_url("{}"), refuge["rooms"][0]["id"], {"beds": 9}),
        (elsewhere, "POST", place_url("{}", "retire"), shelter["mats"][0]["id"], None),
    ]
    for token, method, template, hidden, body in asked:
        if template.startswith("/api/v1/holds#"):  # the site is in the body, not the path
            real = await beds.call(method, "/api/v1/holds", token, {"site_id": hidden, "party": party()})
            absent = await beds.call(method, "/api/v1/holds", token, {"site_id": made_up, "party": party()})
        else:
            real = await beds.call(method, template.format(hidden), token, body)
            absent = await beds.call(method, template.format(made_up), token, body)
        assert real.status_code in (403, 404), (method, template, real.text)
        assert body_without_request_id(real) == body_without_request_id(absent), (method, template)


async def test_staff_see_of_another_public_site_only_what_is_public_and_nothing_of_a_confidential_one(
    beds: Service,
) -> None:
    mine = await open_site(beds, night_shelter(name="A mine"))
    other = await open_site(beds, night_shelter(name="B other", beds=3))
    refuge = await open_site(beds, crisis_room(name="C refuge"))
    staff = beds.token("shelter_staff", sites=[mine["id"]])
    other_staff = beds.token("shelter_staff", sites=[other["id"]])
    guest = (await checked_in(beds, other["id"], other_staff))[0]
    await place_hold(beds, beds.token("patrol", team="north"), other["id"])

    listed = (await beds.get(SITES, staff)).json()
    assert [s["id"] for s in listed] == [mine["id"], other["id"]]
    entry = listed[1]
    assert (entry["name"], entry["kind"], entry["address"], entry["free_beds"]) == (
        "B other",
        "night_shelter",
        "B other street 1",
        1,
    )
    public = await beds.get(site_url(other["id"]), staff)
    assert public.status_code == 200, public.text
    assert (public.json()["scope"], public.json()["rooms"], public.json()["mats"]) == ("public", [], [])
    assert (public.json()["name"], public.json()["free_beds"]) == ("B other", 1)
    own = (await beds.get(site_url(mine["id"]), staff)).json()
    assert own["scope"] == "full" and own["rooms"]

    for path in (site_url(other["id"], "board"), f"{LEDGER}?site_id={other['id']}", stay_url(guest["id"])):
        assert (await beds.get(path, staff)).status_code == 404, path
    for path in (site_url(refuge["id"]), site_url(refuge["id"], "board"), f"{LEDGER}?site_id={refuge['id']}"):
        assert (await beds.get(path, staff)).status_code == 404, path
    ledger = await beds.get(LEDGER, staff)
    assert ledger.status_code == 200 and {n["site_id"] for n in ledger.json()} <= {mine["id"]}


async def test_every_read_of_a_confidential_sites_stay_hold_board_and_ledger_is_audited(
    beds: Service,
) -> None:
    refuge = (await open_site(beds, crisis_room()))["id"]
    team = beds.token("crisis_team", team="mobile-1", subject="crisis-team-member-7")
    stay = (await checked_in(beds, refuge, team, party(1, 0, "female")))[0]
    hold = (await place_hold(beds, team, refuge, party(1, 0, "female"))).json()
    supervisor = beds.token("supervisor", subject="supervisor-anna")

    assert (await beds.get(stay_url(stay["id"]), supervisor)).status_code == 200
    assert (await beds.get(hold_url(hold["id"]), team)).status_code == 200
    assert (await beds.get(site_url(refuge, "board"), supervisor)).status_code == 200
    assert (await beds.get(f"{LEDGER}?site_id={refuge}", supervisor)).status_code == 200

    def reads(rows: list[Any]) -> list[tuple[str, str, str]]:
        return [(r.action, r.actor, r.object_type) for r in rows if r.action.endswith(".read")]

    assert reads(await audit_rows(beds, stay["id"])) == [("stay.read", "supervisor-anna", "stay")]
    assert reads(await audit_rows(beds, hold["id"])) == [("hold.read", "crisis-team-member-7", "hold")]
    assert reads(await audit_rows(beds, refuge)) == [
        ("board.read", "supervisor-anna", "board"),
        ("ledger.read", "supervisor-anna", "ledger"),
    ]


async def test_reads_at_a_public_site_leave_no_audit_entry(beds: Service) -> None:
    shelter = (await open_site(beds, night_shelter()))["id"]
    staff = beds.token("shelter_staff", sites=[shelter])
    stay = (await checked_in(beds, shelter, staff))[0]

    assert (await beds.get(stay_url(stay["id"]), staff)).status_code == 200
    assert (await beds.get(site_url(shelter, "board"), staff)).status_code == 200
    assert [r for r in await audit_rows(beds, stay["id"])] == []
    assert [r for r in await audit_rows(beds, shelter)] == []
