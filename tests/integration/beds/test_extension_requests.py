"""Extension requests: a crisis team asks from the field, a supervisor sees what is pending and
grants (the stay is extended exactly as a direct extension) or refuses; both audited, nothing
of the reason on the bus, and only one request per family waits at a time."""

from __future__ import annotations

from datetime import timedelta

from contracts.events import beds as ev
from tests.integration.beds.helpers import (
    assert_problem,
    at,
    audit_rows,
    checked_in,
    open_site,
    snapshot,
    stay_url,
)
from tests.integration.conftest import EVENING
from tests.support.events import EventTap
from tests.support.service import Service
from tests.support.sites import crisis_room, night_shelter, party

REASON = "the court hearing is on Monday; nowhere safe to go until then"
REQUESTS = "/api/v1/extension-requests"


def decision(request_id: str) -> str:
    return f"{REQUESTS}/{request_id}/decision"


async def test_a_team_asks_and_a_supervisor_grants_the_family_its_days(
    beds: Service, events: EventTap
) -> None:
    site = (await open_site(beds, crisis_room()))["id"]
    team = beds.token("crisis_team", team="mobile-1", subject="crisis-olena")
    family = await checked_in(beds, site, team, party(1, 2, "female"))
    supervisor = beds.token("supervisor", subject="supervisor-anna")

    asked = await beds.post(
        stay_url(family[0]["id"], "extension-requests"), team, {"days": 4, "reason": REASON}
    )
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert (request["status"], request["days"], request["team_id"]) == ("pending", 4, "mobile-1")
    pending = (await beds.get(f"{REQUESTS}?status=pending", supervisor)).json()
    assert [r["id"] for r in pending["items"]] == [request["id"]] and pending["total"] == 1
    assert (await beds.get(REQUESTS, team)).json()["total"] == 1
    assert (await beds.get(REQUESTS, beds.token("crisis_team", team="mobile-2"))).json()["total"] == 0

    granted = await beds.post(decision(request["id"]), supervisor, {"grant": True})

    assert granted.status_code == 200, granted.text
    assert granted.json()["status"] == "granted"
    assert at(granted.json()["limit_at"]) == EVENING + timedelta(days=14)
    for member in family:
        shown = (await beds.get(stay_url(member["id"]), supervisor)).json()
        assert shown["extension_days"] == 4
    assert (await beds.get(f"{REQUESTS}?status=pending", supervisor)).json()["items"] == []
    actions = [(r.action, r.actor) for r in await audit_rows(beds, family[0]["id"])]
    assert ("stay.extension_requested", "crisis-olena") in actions
    assert ("stay.extended", "supervisor-anna") in actions
    assert ("stay.extension_granted", "supervisor-anna") in actions
    await events.wait_for(ev.StayExtended, stay_id=family[0]["id"])
    await beds.relayed()
    assert not any(b"court hearing" in payload for payload in events.payloads())


async def test_a_refusal_needs_a_note_and_leaves_the_limit_alone(beds: Service) -> None:
    site = (await open_site(beds, crisis_room()))["id"]
    team = beds.token("crisis_team", team="mobile-1")
    stay = (await checked_in(beds, site, team, party(1, 0, "female")))[0]
    supervisor = beds.token("supervisor")
    request = (
        await beds.post(stay_url(stay["id"], "extension-requests"), team, {"days": 2, "reason": REASON})
    ).json()

    assert_problem(await beds.post(decision(request["id"]), supervisor, {"grant": False}), 422)
    refused = await beds.post(
        decision(request["id"]), supervisor, {"grant": False, "note": "a place is found"}
    )

    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    assert refused.json()["note"] == "a place is found"
    assert (await beds.get(stay_url(stay["id"]), supervisor)).json()["extension_days"] == 0
    assert_problem(await beds.post(decision(request["id"]), supervisor, {"grant": True}), 409)
    again = await beds.post(stay_url(stay["id"], "extension-requests"), team, {"days": 2, "reason": REASON})
    assert again.status_code == 201  # the refused one waits no longer: the team may ask again


async def test_bad_requests_change_nothing(beds: Service) -> None:
    site = (await open_site(beds, crisis_room()))["id"]
    team = beds.token("crisis_team", team="mobile-1")
    stay = (await checked_in(beds, site, team, party(1, 0, "female")))[0]
    url = stay_url(stay["id"], "extension-requests")
    assert (await beds.post(url, team, {"days": 3, "reason": REASON})).status_code == 201
    night = (await open_site(beds, night_shelter()))["id"]
    tonight = (await checked_in(beds, night, beds.token("shelter_staff", sites=[night])))[0]
    supervisor = beds.token("supervisor")
    before = await snapshot(beds)

    assert_problem(await beds.post(url, team, {"days": 3, "reason": REASON}), 409)  # one pending per family
    assert_problem(await beds.post(url, team, {"days": 3, "reason": "  "}), 400)
    assert_problem(await beds.post(url, team, {"days": 31, "reason": REASON}), 400)
    assert_problem(await beds.post(url, beds.token("patrol"), {"days": 3, "reason": REASON}), 403)
    assert_problem(await beds.post(url, supervisor, {"days": 3, "reason": REASON}), 403)
    assert_problem(
        await beds.post(
            stay_url(tonight["id"], "extension-requests"),
            beds.token("shelter_staff", sites=[night]),
            {"days": 3, "reason": REASON},
        ),
        422,
    )
    missing = "00000000-0000-4000-8000-000000000000"
    assert_problem(await beds.post(decision(missing), supervisor, {"grant": True}), 404)
    assert_problem(await beds.post(decision(missing), team, {"grant": True}), 403)
    assert_problem(await beds.get(f"{REQUESTS}?status=lost", supervisor), 400)
    assert_problem(await beds.get(f"{REQUESTS}?limit=201", supervisor), 400)
    assert await snapshot(beds) == before
