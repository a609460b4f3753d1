"""Trips: a team records its call-outs and rounds; it sees its own, a supervisor all."""

from __future__ import annotations

import uuid
from datetime import datetime

from contracts.events.intake import TripRecorded
from tests.integration.intake.helpers import referral
from tests.support.events import EventTap
from tests.support.service import Service

TEAM, OTHER = str(uuid.uuid4()), str(uuid.uuid4())
EVENING = "2026-11-23T19:00:00+02:00"


def trip(**kw: object) -> dict[str, object]:
    return {
        "started_at": EVENING,
        "ended_at": "2026-11-23T21:30:00+02:00",
        "area": "Sykhiv",
        "outcome": "placed",
        **kw,
    }


async def test_a_team_records_its_trips_and_sees_only_its_own(intake: Service) -> None:
    mine, theirs = intake.token("patrol", team=TEAM), intake.token("crisis_team", team=OTHER)
    made = (await intake.post("/api/v1/referrals", mine, referral())).json()
    recorded = await intake.post("/api/v1/trips", mine, trip(referral_id=made["id"]))
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["team_id"] == TEAM and recorded.json()["referral_id"] == made["id"]
    assert (await intake.post("/api/v1/trips", theirs, trip(outcome="no_contact"))).status_code == 201
    own = (await intake.get("/api/v1/trips", mine)).json()
    assert own["total"] == 1 and own["items"][0]["outcome"] == "placed"
    assert (await intake.get("/api/v1/trips", intake.token("supervisor"))).json()["total"] == 2
    assert (await intake.get("/api/v1/trips", mine, params={"team_id": OTHER})).status_code == 403


async def test_a_bad_trip_gets_a_clear_problem_and_is_not_recorded(intake: Service) -> None:
    mine = intake.token("patrol", team=TEAM)
    theirs = (await intake.post("/api/v1/referrals", intake.token("patrol", team=OTHER), referral())).json()
    assert (await intake.post("/api/v1/trips", mine, trip(outcome="lost"))).status_code == 400
    assert (
        await intake.post("/api/v1/trips", mine, trip(ended_at="2026-11-23T18:00:00+02:00"))
    ).status_code == 422
    assert (await intake.post("/api/v1/trips", mine, trip(referral_id=theirs["id"]))).status_code == 404
    assert (await intake.post("/api/v1/trips", intake.token("shelter_staff"), trip())).status_code == 403
    assert (await intake.get("/api/v1/trips", intake.token("supervisor"))).json()["total"] == 0


async def test_a_recorded_trip_is_told_to_the_bus_in_ids_and_codes_without_its_area(
    intake: Service, events: EventTap
) -> None:
    mine = intake.token("patrol", team=TEAM)
    recorded = (await intake.post("/api/v1/trips", mine, trip(outcome="consulted"))).json()
    [told] = await events.wait_for(TripRecorded, trip_id=recorded["id"])
    assert (told.team_id, told.outcome, told.referral_id) == (TEAM, "consulted", None)
    assert told.started_at == datetime.fromisoformat(EVENING)
    assert "Sykhiv" not in repr(told)
