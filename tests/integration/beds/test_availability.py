"""Nearest free fitting place (SPEC 3 "Referrals and placement", 8): nearest first, only places
that check-in would really give this party, and confidential sites only for crisis teams."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event as sa_event

from tests.integration.beds.helpers import AVAILABILITY, assert_problem, open_site
from tests.support.service import Service
from tests.support.sites import crisis_room, night_shelter, room

HERE = {"lat": 50.0, "lon": 30.0}


def shelter(name: str, km_north: float, *rooms: dict[str, Any]) -> dict[str, Any]:
    """A longer-stay shelter `km_north` of HERE (one degree of latitude is ~111 km), without mats."""
    return {
        **night_shelter(name=name, rooms=list(rooms)),
        "kind": "shelter",
        "mats": 0,
        "lat": HERE["lat"] + km_north / 111.2,
        "lon": HERE["lon"],
    }


@pytest.fixture
async def city(beds: Service) -> dict[str, str]:
    bodies = {
        "refuge": crisis_room(name="Refuge", lat=HERE["lat"] + 0.5 / 111.2, lon=HERE["lon"]),
        "women": shelter("Women's shelter", 1, room("women", 2, "women")),
        "mixed": shelter("Mixed shelter", 5, room("hall", 2, "any")),
        "family": shelter("Family shelter", 10, room("family", 3, "family")),
        "accessible": shelter("Accessible shelter", 20, room("ground floor", 1, "any", accessible=True)),
    }
    return {key: (await open_site(beds, body))["id"] for key, body in bodies.items()}


async def nearest(beds: Service, token: str, **query: Any) -> list[dict[str, Any]]:
    response = await beds.get(AVAILABILITY, token, params={**HERE, **query})
    assert response.status_code == 200, response.text
    return list(response.json())


async def test_the_nearest_fitting_site_comes_first_with_its_distance(
    beds: Service, city: dict[str, str]
) -> None:
    found = await nearest(beds, beds.token("patrol"), adults=1, gender="female")

    assert [s["site_id"] for s in found] == [city["women"], city["mixed"], city["accessible"]]
    assert [round(s["distance_km"]) for s in found] == [1, 5, 20]
    assert [s["free_beds"] for s in found] == [2, 2, 1]
    assert set(found[0]) >= {"site_id", "name", "kind", "distance_km", "free_beds", "free_mats"}
    assert (found[0]["name"], found[0]["kind"]) == ("Women's shelter", "shelter")
    limited = await nearest(beds, beds.token("patrol"), adults=1, gender="female", limit=1)
    assert [s["site_id"] for s in limited] == [city["women"]]


async def test_only_places_that_fit_the_party_are_offered(beds: Service, city: dict[str, str]) -> None:
    patrol = beds.token("patrol")

    man = await nearest(beds, patrol, adults=1, gender="male")
    wheelchair = await nearest(beds, patrol, adults=1, gender="male", accessible="true")
    mother_and_two = await nearest(beds, patrol, adults=1, children=2, gender="female")
    too_many = await nearest(beds, patrol, adults=4, gender="female")

    assert [s["site_id"] for s in man] == [city["mixed"], city["accessible"]]  # never the women's rooms
    assert [s["site_id"] for s in wheelchair] == [city["accessible"]]
    assert [s["site_id"] for s in mother_and_two] == [city["family"]]  # one room with 3 beds
    assert too_many == []


async def test_confidential_sites_are_offered_only_to_crisis_teams(
    beds: Service, city: dict[str, str]
) -> None:
    query = {"adults": 1, "gender": "female"}
    for role in ("patrol", "shelter_staff", "supervisor"):
        found = await nearest(beds, beds.token(role, sites=[city["refuge"]]), **query)
        assert city["refuge"] not in [s["site_id"] for s in found], role

    crisis = await nearest(beds, beds.token("crisis_team", team="mobile-1"), **query)
    assert [s["site_id"] for s in crisis][:2] == [city["refuge"], city["women"]]


async def test_a_night_shelter_offers_its_mats_when_the_beds_are_gone(beds: Service) -> None:
    site = (await open_site(beds, night_shelter(beds=0, mats=2, rooms=[], lat=HERE["lat"], lon=HERE["lon"])))[
        "id"
    ]

    found = await nearest(beds, beds.token("patrol"), adults=2, gender="male")

    assert [(s["site_id"], s["free_beds"], s["free_mats"]) for s in found] == [(site, 0, 2)]
    assert await nearest(beds, beds.token("patrol"), adults=1, children=1, gender="female") == []


async def test_bad_coordinates_and_parties_are_refused_with_400(beds: Service) -> None:
    patrol = beds.token("patrol")
    for bad in (
        {"lat": 200, "lon": 30},
        {"lat": 50, "lon": -181},
        {"lat": "north", "lon": 30},
        {"lon": 30},
        {**HERE, "adults": -1},
        {**HERE, "adults": 500},
        {**HERE, "gender": "robot"},
        {**HERE, "kind": "castle"},
        {**HERE, "limit": 0},
    ):
        assert_problem(await beds.get(AVAILABILITY, patrol, params=bad), 400)


async def test_a_city_with_fewer_sites_than_asked_for_is_searched_without_widening_to_the_globe(
    beds: Service, city: dict[str, str]
) -> None:
    far = (await open_site(beds, shelter("Across the country", 900, room("hall", 2, "any"))))["id"]
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    engine = beds.runtime.db.engine.sync_engine
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        found = await nearest(beds, beds.token("patrol"), adults=1, gender="female", limit=10)
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    assert [s["site_id"] for s in found] == [city["women"], city["mixed"], city["accessible"], far]
    # boxes of 0.5° and 1° (HERE's sites), the count, 2°, 4° and 8° (the far one, 8.1° north), with
    # their grouped counts and rooms — not the ten boxes up to the whole globe
    boxes = [s for s in statements if "FROM sites" in s and "count(" not in s and "JOIN" not in s]
    assert len(boxes) <= 6, boxes
