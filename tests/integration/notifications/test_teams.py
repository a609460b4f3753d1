"""Teams and channels through the API: admins set them up, teams report their status,
supervisors see who is on call; bad input gets a clear 4xx and changes nothing."""

from __future__ import annotations

import pytest

from services.notifications.api import urls
from tests.integration.notifications.helpers import create_team, new_id, team_token
from tests.support.service import Service

SECRET = "whsec-0123456789abcdef"


def channels_url(team_id: str) -> str:
    return urls.TEAM_CHANNELS.replace("{team_id:str}", team_id)


def status_url(team_id: str) -> str:
    return urls.TEAM_STATUS.replace("{team_id:str}", team_id)


async def test_an_admin_creates_a_staff_team_for_its_sites_and_gives_it_channels(
    notifications: Service,
) -> None:
    admin = notifications.token("admin")
    site = new_id()
    team = await create_team(notifications, "shelter_staff", sites=[site], language="en")
    for body in (
        {"kind": "webhook", "url": "https://example.org/hook", "secret": SECRET},
        {"kind": "telegram", "chat_id": "-1001234567890"},
        {"kind": "email", "address": "night-desk@example.org"},
    ):
        response = await notifications.post(channels_url(team), admin, body)
        assert response.status_code == 201, response.text
    listed = (await notifications.get(channels_url(team), admin)).json()
    assert sorted(c["kind"] for c in listed) == ["email", "telegram", "webhook"]
    assert all("secret" not in c for c in listed)

    removed = next(c["id"] for c in listed if c["kind"] == "telegram")
    response = await notifications.delete(f"{channels_url(team)}/{removed}", admin)
    assert response.status_code == 200
    left = (await notifications.get(channels_url(team), admin)).json()
    assert sorted(c["kind"] for c in left) == ["email", "webhook"]

    teams = (await notifications.get(urls.TEAMS, notifications.token("supervisor"))).json()
    assert [(t["id"], t["sites"], t["language"]) for t in teams] == [(team, [site], "en")]


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "webhook", "url": "ftp://example.org/hook", "secret": SECRET},
        {"kind": "webhook", "url": "javascript:alert(1)", "secret": SECRET},
        {"kind": "webhook", "url": "https://example.org/hook"},
        {"kind": "email", "address": "not an address"},
        {"kind": "telegram", "chat_id": "call me maybe"},
        {"kind": "pigeon", "loft": "roof"},
    ],
)
async def test_a_bad_channel_is_refused_with_a_problem_and_changes_nothing(
    notifications: Service, body: dict[str, str]
) -> None:
    admin = notifications.token("admin")
    team = await create_team(notifications, "patrol")
    response = await notifications.post(channels_url(team), admin, body)
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert {"status", "title", "detail"} <= set(response.json())
    assert (await notifications.get(channels_url(team), admin)).json() == []


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Desk", "kind": "shelter_staff"},  # a staff team names its sites
        {"name": "Night patrol", "kind": "patrol", "sites": ["3f2b8c1e-5d4a-4b6f-9e2d-7a1c0b9e8f10"]},
        {"name": "Night patrol", "kind": "volunteers"},
        {"name": "", "kind": "patrol"},
        {"name": "Night patrol", "kind": "patrol", "language": "de"},
    ],
)
async def test_a_bad_team_is_refused_and_no_team_is_made(
    notifications: Service, body: dict[str, object]
) -> None:
    response = await notifications.post(urls.TEAMS, notifications.token("admin"), body)
    assert 400 <= response.status_code < 500, response.text
    assert (await notifications.get(urls.TEAMS, notifications.token("supervisor"))).json() == []


async def test_only_an_admin_sets_up_teams_and_channels(notifications: Service) -> None:
    team = await create_team(notifications, "patrol")
    supervisor = notifications.token("supervisor")
    patrol = team_token(notifications, team, "patrol")
    assert (
        await notifications.post(urls.TEAMS, supervisor, {"name": "x", "kind": "patrol"})
    ).status_code == 403
    body = {"kind": "telegram", "chat_id": "12345"}
    assert (await notifications.post(channels_url(team), patrol, body)).status_code == 403
    assert (await notifications.get(urls.TEAMS, patrol)).status_code == 403


async def test_a_team_reports_its_status_and_supervisors_see_who_is_on_call(notifications: Service) -> None:
    first = await create_team(notifications, "patrol", name="Lviv night patrol")
    second = await create_team(notifications, "mobile_crisis")
    own = team_token(notifications, first, "patrol")
    response = await notifications.call(
        "PUT", status_url(first), own, {"status": "on_trip", "lat": 49.84, "lon": 24.03}
    )
    assert response.status_code == 200, response.text
    supervisor = notifications.token("supervisor")
    on_trip = (await notifications.get(urls.TEAMS, supervisor, params={"status": "on_trip"})).json()
    assert [(t["id"], t["lat"]) for t in on_trip] == [(first, 49.84)]

    # another team's status is not this team's to set: answered like an absent team
    response = await notifications.call("PUT", status_url(second), own, {"status": "off"})
    assert response.status_code == 404
    half = await notifications.call("PUT", status_url(first), own, {"status": "on_call", "lat": 49.8})
    assert half.status_code == 422
    bad = await notifications.get(urls.TEAMS, supervisor, params={"status": "asleep"})
    assert bad.status_code == 400
