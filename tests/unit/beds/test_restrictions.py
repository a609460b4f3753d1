"""Restrictions at the door: a person restricted from this site (or from all) is refused with a
409 until the date; cold-weather mode admits them, and names the restriction it overrides."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common.errors import Conflict
from services.beds.domain.restrictions import Restriction, admit
from tests.unit.beds.builders import NOW, night_shelter

LATER = NOW + timedelta(days=7)


def test_a_restriction_refuses_at_its_site_or_everywhere_until_its_date() -> None:
    here, there = night_shelter().site, night_shelter().site
    at_here = Restriction("r-1", "p-1", here.id, LATER)
    everywhere = Restriction("r-2", "p-1", None, LATER)

    with pytest.raises(Conflict) as refused:
        admit([at_here], here, NOW)
    assert refused.value.code == "person-restricted"
    assert admit([at_here], there, NOW) is None
    with pytest.raises(Conflict):
        admit([everywhere], there, NOW)
    assert admit([at_here, everywhere], here, LATER) is None  # over


def test_cold_weather_admits_and_names_what_it_overrides() -> None:
    floor = night_shelter()
    floor.switch_cold_weather(True, 10, NOW)
    restriction = Restriction("r-1", "p-1", floor.site.id, LATER)

    assert admit([restriction], floor.site, NOW) is restriction
