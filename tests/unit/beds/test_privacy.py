"""Survivors of violence are at risk of being found: confidential sites are invisible to patrols,
and no event ever carries a confidential site's name, address or coordinates."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common.errors import Forbidden, NotFound
from contracts.events import beds as ev
from services.beds.domain.access import (
    Actor,
    can_see,
    require_can_check_in,
    require_can_manage_hold,
    require_can_see_stays,
    require_overseer_or_staff,
    require_visible,
)
from services.beds.domain.inventory import open_site, switch_cold_weather, update_site
from services.beds.domain.nights import NightFigures
from tests.unit.beds.builders import (
    NOW,
    PATROL,
    check_in,
    crisis_room,
    encoded,
    events_of,
    family,
    hold,
    minutes,
    night_shelter,
    person,
    room,
    site,
)

SECRET_NAME = "Safe House Zirka"
SECRET_ADDRESS = "Tykha Street 13"
SECRET_LAT, SECRET_LON = 48.4671234, 35.0412345


def patrol() -> Actor:
    return Actor(subject=PATROL.subject, role="patrol", team_id=PATROL.team_id)


def staff_of(*site_ids: str) -> Actor:
    return Actor(subject="staff-1", role="shelter_staff", team_id="team-staff", site_ids=frozenset(site_ids))


CRISIS_TEAM = Actor(subject="crisis-1", role="crisis_team", team_id="team-mobile-1")
SUPERVISOR = Actor(subject="boss", role="supervisor")
ADMIN = Actor(subject="root", role="admin")


def test_patrol_never_sees_a_confidential_site() -> None:
    secret = crisis_room().site
    assert not can_see(patrol(), secret)
    with pytest.raises(NotFound):
        require_visible(patrol(), secret)
    for guard in (require_overseer_or_staff, require_can_check_in, require_can_see_stays):
        with pytest.raises(NotFound):
            guard(patrol(), secret)


def test_a_confidential_shelter_is_as_hidden_as_a_crisis_room() -> None:
    dv_shelter = site("shelter", room(), confidential=True).site
    assert not can_see(patrol(), dv_shelter)
    assert not can_see(staff_of("another-site"), dv_shelter)


def test_who_sees_a_confidential_site() -> None:
    secret = crisis_room().site
    for actor in (CRISIS_TEAM, SUPERVISOR, ADMIN, staff_of(secret.id)):
        assert can_see(actor, secret), actor.role
        require_visible(actor, secret)
    assert not can_see(staff_of("elsewhere"), secret)
    assert not can_see(Actor(subject="x", role="patrol", site_ids=frozenset({secret.id})), secret)


def test_everyone_sees_a_night_shelter() -> None:
    public = night_shelter().site
    for actor in (patrol(), CRISIS_TEAM, staff_of("elsewhere"), SUPERVISOR):
        assert can_see(actor, public)


def test_only_a_sites_own_staff_see_its_board() -> None:
    public = night_shelter().site
    require_overseer_or_staff(staff_of(public.id), public)
    require_overseer_or_staff(SUPERVISOR, public)
    for outsider in (staff_of("elsewhere"), patrol(), CRISIS_TEAM):
        with pytest.raises(Forbidden):
            require_overseer_or_staff(outsider, public)


def test_crisis_teams_check_in_at_crisis_sites_only() -> None:
    require_can_check_in(CRISIS_TEAM, crisis_room().site)
    with pytest.raises(Forbidden):
        require_can_check_in(CRISIS_TEAM, night_shelter().site)
    with pytest.raises(Forbidden):
        require_can_check_in(patrol(), night_shelter().site)
    require_can_see_stays(SUPERVISOR, crisis_room().site)


def test_a_hold_is_managed_by_its_holder_the_sites_staff_and_overseers() -> None:
    floor = night_shelter()
    kept = hold(floor)
    same_team_other_phone = Actor(subject="patrol-officer-2", role="patrol", team_id=PATROL.team_id)
    for actor in (patrol(), same_team_other_phone, staff_of(floor.site.id), SUPERVISOR):
        require_can_manage_hold(actor, floor.site, kept)
    other_patrol = Actor(subject="someone-else", role="patrol", team_id="team-patrol-2")
    with pytest.raises(NotFound):
        require_can_manage_hold(other_patrol, floor.site, kept)


def test_confidential_site_events_carry_no_name_or_coordinates() -> None:
    opened = open_site(
        name=SECRET_NAME,
        kind="crisis_room",
        lat=SECRET_LAT,
        lon=SECRET_LON,
        address=SECRET_ADDRESS,
        now=NOW,
        rooms=[room("Room", "women", 2)],
        mats=1,
    )
    # Everything a confidential site can announce, from opening to closing a night.
    kept = hold(opened, family(1, 1), eta_minutes=30)
    kept.warn_if_due(opened.site, NOW + minutes(20))
    kept.extend(opened.site, 10, NOW + minutes(21))
    stays = opened.fulfil_hold(kept, NOW + minutes(25))
    mother = stays[0]
    mother.limit_alerts_due(opened.site, NOW + timedelta(days=8, hours=1))
    mother.extend(opened.site, 2, f"moving to {SECRET_ADDRESS}", NOW + timedelta(days=9))
    mother.limit_alerts_due(opened.site, NOW + timedelta(days=13))
    check_in(opened, person("female"))  # both beds taken: a mat
    opened.check_out(stays[1], NOW + timedelta(days=3))
    switch_cold_weather(opened, True, 3, NOW + timedelta(days=3))
    update_site(opened, NOW + timedelta(days=3), name=SECRET_NAME + " II")
    opened.site.close_night(opened.site.next_night_to_close, NightFigures(people=2), revision=0)
    events = [*opened.events, *opened.site.events, *kept.events, *(e for s in stays for e in s.events)]
    assert {type(e) for e in events} >= {
        ev.SiteCreated,
        ev.SiteUpdated,
        ev.HoldPlaced,
        ev.HoldExpiring,
        ev.HoldExtended,
        ev.HoldFulfilled,
        ev.StayStarted,
        ev.StayEnded,
        ev.StayLimitApproaching,
        ev.StayExtended,
        ev.StayLimitReached,
        ev.CapacityChanged,
        ev.OverflowStarted,
        ev.ColdWeatherSwitchedOn,
        ev.NightClosed,
    }
    text = encoded(events)
    for secret in (SECRET_NAME, SECRET_ADDRESS, "Zirka", "Tykha", str(SECRET_LAT), str(SECRET_LON), "48.467"):
        assert secret not in text
    for site_event in events_of(events, ev.SiteCreated) + events_of(events, ev.SiteUpdated):
        assert (site_event.public_name, site_event.lat, site_event.lon) == (None, None, None)
    assert all(e.confidential for e in events if hasattr(e, "confidential"))


def test_a_public_site_is_announced_with_its_name_and_place() -> None:
    opened = open_site(
        name="Dzherelo night shelter", kind="night_shelter", lat=49.84, lon=24.03, address="x", now=NOW
    )
    [created] = events_of(opened, ev.SiteCreated)
    assert (created.public_name, created.lat, created.lon) == ("Dzherelo night shelter", 49.84, 24.03)
    assert not created.confidential
