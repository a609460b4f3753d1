"""Someone answers: an on_the_way nobody at the site acknowledged within ten minutes goes to
the supervisors; an acknowledged one does not."""

from __future__ import annotations

from datetime import timedelta

from common.clock import ManualClock
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


async def test_an_unacknowledged_on_the_way_escalates_to_the_supervisors_after_ten_minutes(
    notifications: Service, beds_events: BedsEvents, clock: ManualClock
) -> None:
    answered_site, silent_site = new_id(), new_id()
    answering = await create_team(notifications, "shelter_staff", sites=[answered_site])
    silent = await create_team(notifications, "shelter_staff", sites=[silent_site])
    supervisors = await create_team(notifications, "supervisors")
    await beds_events.publish(beds_events.hold_placed(answered_site))
    silent_event = await beds_events.publish(beds_events.hold_placed(silent_site, adults=4, children=0))
    answering_token = team_token(notifications, answering, "shelter_staff")
    [to_ack] = await wait_for_alerts(notifications, answering_token)
    [unanswered] = await wait_for_alerts(notifications, team_token(notifications, silent, "shelter_staff"))
    ack = await notifications.post(urls.ALERT_ACK.replace("{alert_id:str}", to_ack["id"]), answering_token)
    assert ack.status_code == 200

    supervisor = team_token(notifications, supervisors, "supervisor")
    clock.advance(timedelta(minutes=9))
    assert await notifications.tick() == 0
    clock.advance(timedelta(minutes=2))
    assert await notifications.tick() == 1
    assert await notifications.tick() == 0  # once
    [escalated] = await alerts_of(notifications, supervisor)
    assert escalated["kind"] == "on_the_way_unacknowledged"
    assert escalated["site_id"] == silent_site and escalated["subject_id"] == unanswered["subject_id"]
    assert escalated["event_id"] != silent_event
