"""The roll call (issue #22): staff confirm who is here, naming open stays of their own site only;
a refused roll call confirms nobody."""

from __future__ import annotations

from tests.integration.beds.helpers import assert_problem, checked_in, open_site, site_url, stay_url
from tests.support.service import Service
from tests.support.sites import crisis_room, party


async def test_a_roll_call_names_only_open_stays_of_the_site(beds: Service) -> None:
    site = (await open_site(beds, crisis_room()))["id"]
    other = (await open_site(beds, crisis_room(name="Other")))["id"]
    staff = beds.token("shelter_staff", sites=[site, other])
    [here] = await checked_in(beds, site, staff, party(gender="female"))
    [there] = await checked_in(beds, other, staff, party(gender="female"))

    refused = await beds.post(site_url(site, "presence"), staff, {"stay_ids": [here["id"], there["id"]]})
    assert assert_problem(refused, 422)["type"].endswith("stay-not-here")
    patrol = beds.token("patrol", team="p-1")
    assert_problem(await beds.post(site_url(site, "presence"), patrol, {"stay_ids": [here["id"]]}), 403)
    assert_problem(await beds.post(site_url(site, "presence"), staff, {"stay_ids": []}), 400)
    after = (await beds.get(stay_url(here["id"]), staff)).json()
    assert after["last_seen_at"] == here["last_seen_at"]
