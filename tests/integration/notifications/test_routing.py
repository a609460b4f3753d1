"""Beds' events become alerts for the teams that must hear them, once per (event, team) even
when the event arrives twice; a team sees its own alerts, supervisors any team's."""

from __future__ import annotations

import asyncio

from contracts.events import beds as ev
from services.notifications.api import urls
from tests.integration.notifications.helpers import (
    BedsEvents,
    alerts_of,
    create_team,
    new_id,
    team_token,
    wait_for_alerts,
)
from tests.support.service import Service


def ack_url(alert_id: str) -> str:
    return urls.ALERT_ACK.replace("{alert_id:str}", alert_id)


async def test_a_hold_at_a_site_tells_its_staff_someone_is_on_the_way(
    notifications: Service, beds_events: BedsEvents
) -> None:
    site = new_id()
    staff = await create_team(notifications, "shelter_staff", sites=[site])
    patrol = await create_team(notifications, "patrol")
    event_id = await beds_events.publish(beds_events.hold_placed(site, holder=patrol))
    found = await wait_for_alerts(notifications, team_token(notifications, staff, "shelter_staff"))
    assert [(a["kind"], a["event_id"], a["site_id"]) for a in found] == [("on_the_way", event_id, site)]
    assert await alerts_of(notifications, team_token(notifications, patrol, "patrol")) == []


async def test_an_event_that_arrives_twice_makes_one_alert(
    notifications: Service, beds_events: BedsEvents
) -> None:
    site = new_id()
    staff = await create_team(notifications, "shelter_staff", sites=[site])
    token = team_token(notifications, staff, "shelter_staff")
    event = beds_events.hold_placed(site)
    event_id = await beds_events.publish(event)
    # the same event again, under another message id: JetStream delivers it a second time
    await beds_events.publish(event, event_id=event_id, msg_id=new_id())
    await wait_for_alerts(notifications, token)
    marker = await beds_events.publish(
        ev.OverflowStarted(site_id=site, confidential=False, mats_used=1, mats_total=4)
    )
    found = await wait_for_alerts(notifications, token, count=2)
    assert sorted(a["event_id"] for a in found) == sorted([event_id, marker])


async def test_patrols_hear_of_free_beds_but_never_at_a_confidential_site(
    notifications: Service, beds_events: BedsEvents
) -> None:
    patrols = [await create_team(notifications, "patrol") for _ in range(2)]
    await beds_events.publish(ev.BedsFreeAgain(site_id=new_id(), confidential=True, free_beds=2))
    public = await beds_events.publish(ev.BedsFreeAgain(site_id=new_id(), confidential=False, free_beds=2))
    for patrol in patrols:
        found = await wait_for_alerts(notifications, team_token(notifications, patrol, "patrol"))
        assert [a["event_id"] for a in found] == [public]
    await asyncio.sleep(0.2)
    for patrol in patrols:
        assert len(await alerts_of(notifications, team_token(notifications, patrol, "patrol"))) == 1


async def test_a_team_sees_and_acknowledges_its_own_alerts_only(
    notifications: Service, beds_events: BedsEvents
) -> None:
    site = new_id()
    staff = await create_team(notifications, "shelter_staff", sites=[site])
    other = await create_team(notifications, "shelter_staff", sites=[new_id()])
    own, stranger = (
        team_token(notifications, staff, "shelter_staff"),
        team_token(notifications, other, "shelter_staff"),
    )
    await beds_events.publish(beds_events.hold_placed(site))
    [alert] = await wait_for_alerts(notifications, own)

    response = await notifications.get(urls.ALERTS, stranger, params={"team_id": staff})
    assert response.status_code == 404
    assert (await notifications.post(ack_url(alert["id"]), stranger)).status_code == 404
    supervisor = notifications.token("supervisor")
    assert len(await alerts_of(notifications, supervisor, team_id=staff)) == 1

    response = await notifications.post(ack_url(alert["id"]), own)
    assert response.status_code == 200, response.text
    [seen] = await alerts_of(notifications, own, kind="on_the_way")
    assert seen["acked_at"] is not None
    assert (await notifications.get(urls.ALERTS, own, params={"kind": "gossip"})).status_code == 400
    assert (await notifications.get(urls.ALERTS, own, params={"since": "yesterday"})).status_code == 400
    assert await alerts_of(notifications, own, kind="overflow") == []


async def test_the_team_bringing_them_hears_that_the_site_knows_they_are_coming(
    notifications: Service, beds_events: BedsEvents
) -> None:
    site = new_id()
    staff = await create_team(notifications, "shelter_staff", sites=[site])
    patrol = await create_team(notifications, "patrol")
    patrol_token = team_token(notifications, patrol, "patrol")
    await beds_events.publish(beds_events.hold_placed(site, holder=patrol))
    [alert] = await wait_for_alerts(notifications, team_token(notifications, staff, "shelter_staff"))
    assert await alerts_of(notifications, patrol_token) == []

    for _ in range(2):  # a second tap on "seen" tells nobody twice
        response = await notifications.post(
            ack_url(alert["id"]), team_token(notifications, staff, "shelter_staff")
        )
        assert response.status_code == 200
    [told] = await alerts_of(notifications, patrol_token)
    assert told["kind"] == "on_the_way_acknowledged" and told["subject_id"] == alert["subject_id"]


async def test_a_patrol_bringing_a_dv_referral_hears_the_crisis_room_knows_without_learning_where(
    notifications: Service, beds_events: BedsEvents
) -> None:
    site = new_id()
    staff = await create_team(notifications, "shelter_staff", sites=[site])
    patrol = await create_team(notifications, "patrol")
    await beds_events.publish(beds_events.hold_placed(site, confidential=True, holder=patrol))
    [alert] = await wait_for_alerts(notifications, team_token(notifications, staff, "shelter_staff"))
    assert alert["site_id"] == site  # the site's own staff know where they work
    ack = await notifications.post(ack_url(alert["id"]), team_token(notifications, staff, "shelter_staff"))
    assert ack.status_code == 200
    [told] = await alerts_of(notifications, team_token(notifications, patrol, "patrol"))
    assert told["kind"] == "on_the_way_acknowledged" and told["site_id"] is None
