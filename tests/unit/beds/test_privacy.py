"""Survivors of violence are at risk of being found: no event ever carries a confidential site's
name, address or coordinates (who may see such a site: `test_access.py`)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common.errors import Conflict
from contracts.events import beds as ev
from services.beds.domain.floor import SiteFloor
from services.beds.domain.nights import NightFigures
from tests.unit.beds.builders import (
    NOW,
    check_in,
    encoded,
    events_of,
    family,
    hold,
    minutes,
    person,
    room,
)

SECRET_NAME = "Safe House Zirka"
SECRET_ADDRESS = "Tykha Street 13"
SECRET_LAT, SECRET_LON = 48.4671234, 35.0412345


def test_confidential_site_events_carry_no_name_or_coordinates() -> None:
    opened = SiteFloor.open(
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
    with pytest.raises(Conflict):  # it would alert every patrol: refused at a confidential site
        opened.switch_cold_weather(True, 3, NOW + timedelta(days=3))
    opened.update_site(NOW + timedelta(days=3), name=SECRET_NAME + " II")
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
        ev.NightClosed,
    }
    assert not events_of(events, ev.ColdWeatherSwitchedOn)
    text = encoded(events)
    for secret in (SECRET_NAME, SECRET_ADDRESS, "Zirka", "Tykha", str(SECRET_LAT), str(SECRET_LON), "48.467"):
        assert secret not in text
    for site_event in events_of(events, ev.SiteCreated) + events_of(events, ev.SiteUpdated):
        assert (site_event.public_name, site_event.lat, site_event.lon) == (None, None, None)
    assert all(e.confidential for e in events if hasattr(e, "confidential"))


def test_a_public_site_is_announced_with_its_name_and_place() -> None:
    opened = SiteFloor.open(
        name="Dzherelo night shelter", kind="night_shelter", lat=49.84, lon=24.03, address="x", now=NOW
    )
    [created] = events_of(opened, ev.SiteCreated)
    assert (created.public_name, created.lat, created.lon) == ("Dzherelo night shelter", 49.84, 24.03)
    assert not created.confidential
