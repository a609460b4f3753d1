"""Presence, the whole way (issue #22): a crisis-room resident nobody has confirmed for two nights
is announced to the site's staff through notifications; a roll call keeps the stay going, and a
stay nobody confirms ends as "left without check-out" when the warning said."""

from __future__ import annotations

from datetime import timedelta

from common.clock import ManualClock
from contracts.events import beds as ev
from tests.integration.beds.helpers import checked_in, open_site, site_url, stay_url
from tests.integration.notifications.helpers import create_team, team_token, wait_for_alerts
from tests.support.events import EventTap
from tests.support.service import Service
from tests.support.sites import crisis_room, party, room


async def test_an_unseen_resident_is_announced_to_the_site_first_then_leaves(
    beds: Service, notifications: Service, clock: ManualClock, events: EventTap
) -> None:
    site = (await open_site(beds, crisis_room(rooms=[room("A", 3, "women")])))["id"]
    staff_team = await create_team(notifications, "shelter_staff", sites=[site])
    staff = beds.token("shelter_staff", sites=[site], team=staff_team)
    [seen] = await checked_in(beds, site, staff, party(gender="female"))
    [unseen] = await checked_in(beds, site, staff, party(gender="female"))

    clock.advance(timedelta(days=2))  # SHELTERBEDS_ABSENT_NIGHTS is 3: a night before
    await beds.tick()
    await beds.relayed()

    alerts = await wait_for_alerts(
        notifications, team_token(notifications, staff_team, "shelter_staff"), count=2
    )
    assert sorted(a["kind"] for a in alerts) == ["stay_absent", "stay_absent"]
    roll_call = await beds.post(site_url(site, "presence"), staff, {"stay_ids": [seen["id"]]})
    assert roll_call.status_code == 200, roll_call.text
    assert [s["id"] for s in roll_call.json()["stays"]] == [seen["id"]]

    clock.advance(timedelta(days=1, minutes=1))
    await beds.tick()

    ended = await events.wait_for(ev.StayEnded, stay_id=unseen["id"])
    assert ended[0].reason == "left"
    left = (await beds.get(stay_url(unseen["id"]), staff)).json()
    assert (left["end_reason"], left["ended_at"] is not None) == ("left", True)
    still = (await beds.get(stay_url(seen["id"]), staff)).json()
    assert still["ended_at"] is None
