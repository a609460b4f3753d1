"""Turn-aways: recorded only at a full site that is not a night shelter, with coded facts only."""

from __future__ import annotations

import pytest

from common.errors import Conflict, RuleViolation
from contracts.events import beds as ev
from services.beds.domain.party import Needs
from tests.unit.beds.builders import (
    NOW,
    beds_in,
    check_in,
    events_of,
    family,
    night_shelter,
    person,
    room,
    site,
)


def test_a_full_shelter_records_a_turn_away_for_tonight() -> None:
    floor = site("shelter", room("Women", "women", 1))
    check_in(floor, person("female"))
    floor.events.clear()

    turnaway = floor.record_turnaway(family(1, 2), Needs(), "full", now=NOW, team_id="staff-1")

    facts = (turnaway.adults, turnaway.children, turnaway.reason, turnaway.team_id)
    assert facts == (1, 2, "full", "staff-1")
    assert turnaway.night.isoformat() == "2025-01-15"
    assert turnaway in floor.added
    [event] = events_of(floor, ev.TurnawayRecorded)
    assert (event.turnaway_id, event.night, event.reason) == (turnaway.id, turnaway.night, "full")


def test_free_places_that_do_not_fit_still_let_staff_record_it() -> None:
    floor = site("shelter", room("Women", "women", 2))

    turnaway = floor.record_turnaway(person("male"), Needs(), "no_fitting_room", now=NOW, team_id=None)
    assert turnaway.reason == "no_fitting_room"
    with pytest.raises(Conflict) as refused:
        floor.record_turnaway(person("female"), Needs(), "full", now=NOW, team_id=None)
    assert refused.value.code == "place-free"


def test_an_out_of_service_bed_is_no_fitting_place() -> None:
    floor = site("shelter", room("Hall", "any", 1))
    floor.take_out_of_service(beds_in(floor, "Hall")[0], "repair", None, NOW)

    assert floor.record_turnaway(person(), Needs(), "full", now=NOW, team_id=None).reason == "full"


def test_a_night_shelter_never_turns_anyone_away() -> None:
    floor = night_shelter(beds=0, mats=0)
    with pytest.raises(Conflict) as refused:
        floor.record_turnaway(person(), Needs(), "full", now=NOW, team_id=None)
    assert refused.value.code == "night-shelter-never-refuses"
    assert floor.events == [] and floor.added == []


def test_the_reason_is_a_code() -> None:
    floor = site("shelter", room("Hall", "any", 0))
    with pytest.raises(RuleViolation):
        floor.record_turnaway(person(), Needs(), "was drunk", now=NOW, team_id=None)
