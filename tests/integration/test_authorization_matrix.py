"""The authorization matrix, role x endpoint, of every service — tried over HTTP with every role
on every route the litestar apps have. The routes are enumerated from the apps, so a new
endpoint that is not in `MATRIX` below (or declares no roles: `common.access_table.sends` /
`callable_by`) fails here until its author decides who may call it.

The roles come from each service's access table (`services/*/domain/access.py`), which routes
name through `opt=sends(Message)`; `MATRIX` is the decision written down (docs/security.md), so
a change to a table that is not also a decision fails too. The scope part — an object outside
the caller's scope answers like an absent one — is each table's object rule, proved per record in
tests/integration/beds/test_access.py, intake/test_referrals.py and notifications/test_teams.py.

Admin is kept to configuration: sites, rooms, places, teams, channels — never a check-in, a
stay, a hold, a referral, a trip, a person or an alert."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from common.access_table import AccessTable
from common.auth import PUBLIC_PATHS, ROLES
from services.beds.api.urls import OPEN_DATA as BEDS_OPEN_DATA
from services.beds.domain.access import TABLE as BEDS_TABLE
from services.intake.domain.access import TABLE as INTAKE_TABLE
from services.notifications.app import create_app as create_notifications
from services.notifications.domain.access import TABLE as NOTIFICATIONS_TABLE
from tests.support.databases import Databases
from tests.support.service import Service, running, service_settings
from tests.support.sites import night_shelter, party, room

STAFF, PATROL, CRISIS, SUPERVISOR, ADMIN = "shelter_staff", "patrol", "crisis_team", "supervisor", "admin"
EVERYONE = {STAFF, PATROL, CRISIS, SUPERVISOR}

MATRIX: dict[str, dict[tuple[str, str], set[str]]] = {
    "beds": {
        ("POST", "/api/v1/sites"): {ADMIN},
        ("GET", "/api/v1/sites"): EVERYONE | {ADMIN},
        ("GET", "/api/v1/sites/{site_id}"): EVERYONE | {ADMIN},
        ("PATCH", "/api/v1/sites/{site_id}"): {ADMIN},
        ("POST", "/api/v1/sites/{site_id}/retire"): {ADMIN},
        ("POST", "/api/v1/sites/{site_id}/rooms"): {ADMIN},
        ("PATCH", "/api/v1/rooms/{room_id}"): {ADMIN},
        ("POST", "/api/v1/rooms/{room_id}/retire"): {ADMIN},
        ("POST", "/api/v1/places/{place_id}/retire"): {ADMIN},
        ("DELETE", "/api/v1/places/{place_id}"): {ADMIN},
        ("POST", "/api/v1/sites/{site_id}/cold-weather"): {SUPERVISOR},
        ("GET", "/api/v1/sites/{site_id}/board"): {STAFF, SUPERVISOR},
        ("POST", "/api/v1/sites/{site_id}/checkins"): {STAFF, CRISIS},
        ("GET", "/api/v1/stays/{stay_id}"): {STAFF, CRISIS, SUPERVISOR},
        ("POST", "/api/v1/stays/{stay_id}/checkout"): {STAFF, CRISIS},
        ("POST", "/api/v1/stays/{stay_id}/extension"): {SUPERVISOR},
        ("POST", "/api/v1/stays/{stay_id}/extension-requests"): {STAFF, CRISIS},
        ("GET", "/api/v1/extension-requests"): {CRISIS, SUPERVISOR},
        ("POST", "/api/v1/extension-requests/{request_id}/decision"): {SUPERVISOR},
        ("POST", "/api/v1/holds"): {PATROL, CRISIS, STAFF},
        ("GET", "/api/v1/holds/{hold_id}"): EVERYONE,
        ("DELETE", "/api/v1/holds/{hold_id}"): EVERYONE,
        ("POST", "/api/v1/holds/{hold_id}/extension"): EVERYONE,
        ("POST", "/api/v1/holds/{hold_id}/checkin"): {STAFF, CRISIS},
        ("GET", "/api/v1/availability"): EVERYONE,
        ("GET", "/api/v1/ledger"): {STAFF, SUPERVISOR},
        ("GET", "/api/v1/audit"): {SUPERVISOR},
        ("GET", "/api/v1/reports/summary"): {SUPERVISOR},
        ("GET", "/api/v1/reports/bed-nights.csv"): {SUPERVISOR},
        ("POST", "/api/v1/places/{place_id}/out-of-service"): {STAFF, SUPERVISOR},
        ("POST", "/api/v1/places/{place_id}/in-service"): {STAFF, SUPERVISOR},
        ("POST", "/api/v1/stays/{stay_id}/move"): {STAFF, CRISIS, SUPERVISOR},
        ("POST", "/api/v1/sites/{site_id}/presence"): {STAFF, CRISIS},
        ("POST", "/api/v1/sites/{site_id}/scans"): {STAFF, CRISIS},
        ("POST", "/api/v1/sites/{site_id}/turnaways"): {STAFF, CRISIS},
        ("GET", "/api/v1/unmet-demand"): {SUPERVISOR},
    },
    "intake": {
        ("POST", "/api/v1/referrals"): {PATROL, CRISIS, STAFF},
        ("GET", "/api/v1/referrals"): EVERYONE,
        ("GET", "/api/v1/referrals/{referral_id}"): EVERYONE,
        ("POST", "/api/v1/referrals/{referral_id}/cancel"): {PATROL, CRISIS, STAFF},
        ("POST", "/api/v1/people/{person_id}/anonymise"): {SUPERVISOR},
        ("POST", "/api/v1/people/{person_id}/restrictions"): {SUPERVISOR},
        ("POST", "/api/v1/people/{person_id}/card"): {STAFF, SUPERVISOR},
        ("GET", "/api/v1/people/{person_id}/card"): {STAFF, SUPERVISOR},
        ("POST", "/api/v1/people/{person_id}/card/revoke"): {STAFF, SUPERVISOR},
        ("POST", "/api/v1/trips"): {PATROL, CRISIS},
        ("GET", "/api/v1/trips"): EVERYONE,
        ("GET", "/api/v1/sites"): EVERYONE,
        ("GET", "/api/v1/audit"): {SUPERVISOR},
    },
    "notifications": {
        ("POST", "/api/v1/teams"): {ADMIN},
        ("GET", "/api/v1/teams"): {SUPERVISOR, ADMIN},
        ("PUT", "/api/v1/teams/{team_id}/status"): EVERYONE,
        ("GET", "/api/v1/teams/{team_id}/channels"): {ADMIN},
        ("POST", "/api/v1/teams/{team_id}/channels"): {ADMIN},
        ("DELETE", "/api/v1/teams/{team_id}/channels/{channel_id}"): {ADMIN},
        ("GET", "/api/v1/alerts"): EVERYONE,
        ("POST", "/api/v1/alerts/{alert_id}/ack"): EVERYONE,
        ("GET", "/api/v1/feed"): EVERYONE,
        ("GET", "/api/v1/sites"): {SUPERVISOR, ADMIN},
        ("GET", "/api/v1/audit"): {SUPERVISOR},
    },
}
# Paths of a service that need no token at all (beds' open data): every role and none may call them.
OPEN_TO_ALL = (BEDS_OPEN_DATA,)
TABLES: dict[str, AccessTable[Any]] = {
    "beds": BEDS_TABLE,
    "intake": INTAKE_TABLE,
    "notifications": NOTIFICATIONS_TABLE,
}


def api_routes(app: Litestar) -> Iterator[tuple[str, str, Any]]:
    """Every API route a caller can reach, but the public operational ones (health, metrics, docs)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        path = route.path_format or "/"
        if any(re.match(pattern, path) for pattern in (*PUBLIC_PATHS, *OPEN_TO_ALL)):
            continue
        if not path.startswith("/api/"):
            # beds' pages: each page asks the same access table through the bus and answers a
            # friendly 403/404 page (tests/integration/pages, tests/browser).
            continue
        for method, (handler, _) in route.route_handler_map.items():
            if method not in ("OPTIONS", "HEAD"):
                yield method, path, handler


@pytest.fixture
def backend() -> str:
    """Who may call what is decided before any database is asked: one backend is enough."""
    return "sqlite"


@pytest.fixture
async def notifications(
    databases: Databases, backend: str, nats_url: str, data_dir: Path
) -> AsyncIterator[Service]:
    url = await databases.fresh("notifications", backend)
    settings = service_settings("notifications", database_url=url, nats_url=nats_url, data_dir=data_dir)
    async with running(create_notifications, settings) as service:
        yield service


@pytest.fixture
def services(beds: Service, intake: Service, notifications: Service) -> dict[str, Service]:
    return {"beds": beds, "intake": intake, "notifications": notifications}


def test_every_role_of_the_matrix_is_a_role_a_token_can_carry() -> None:
    named = {role for routes in MATRIX.values() for roles in routes.values() for role in roles}
    assert named == set(ROLES)


async def test_every_route_of_every_service_is_in_the_matrix(services: dict[str, Service]) -> None:
    for name, service in services.items():
        table = TABLES[name]
        declared = {}
        for method, path, handler in api_routes(service.app):
            roles = table.roles_of(handler.opt)
            assert roles is not None, f"{name} {method} {path}: declares no roles (opt=sends(...))"
            declared[(method, path)] = set(roles) & set(ROLES)  # `placement` is no token's role
        assert declared == MATRIX[name], name


async def test_every_role_on_every_route_gets_403_exactly_where_the_matrix_refuses_it(
    services: dict[str, Service],
) -> None:
    """A refused role is 403 before anything is read (an empty body is not even looked at); an
    allowed one is never 403 for a scope it does not have here (everything named is unknown, so
    it gets 400 or 404), and nothing answers 5xx."""
    unseen: list[str] = []
    for name, service in services.items():
        for method, path, _ in api_routes(service.app):
            url = re.sub(r"{\w+}", lambda _: str(uuid.uuid4()), path)
            body = {} if method in ("POST", "PUT", "PATCH") else None
            for role in ROLES:
                token = service.token(role, team=str(uuid.uuid4()), sites=[str(uuid.uuid4())])
                # Last-Event-ID: an allowed caller of the feed gets a 400, not an endless stream.
                answer = await service.call(method, url, token, body, headers={"Last-Event-ID": "x"})
                allowed = role in MATRIX[name][(method, path)]
                where = f"{name} {method} {path} as {role}: {answer.status_code} {answer.text[:200]}"
                assert answer.status_code < 500, where
                if allowed:
                    assert answer.status_code != 403, where
                else:
                    assert answer.status_code == 403, where
                    assert answer.headers["content-type"].startswith("application/problem+json"), where
                    if "needs one of" not in answer.json()["detail"]:
                        unseen.append(where)
    assert not unseen, unseen


WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# A body each write route accepts (ids are random: the key is read before anything is looked up).
BODIES: dict[tuple[str, str, str], dict[str, Any]] = {
    ("beds", "POST", "/api/v1/sites"): night_shelter(),
    ("beds", "PATCH", "/api/v1/sites/{site_id}"): {"name": "Renamed"},
    ("beds", "POST", "/api/v1/sites/{site_id}/rooms"): room("annex", 2),
    ("beds", "PATCH", "/api/v1/rooms/{room_id}"): {"beds": 3},
    ("beds", "POST", "/api/v1/sites/{site_id}/cold-weather"): {"on": True},
    ("beds", "POST", "/api/v1/sites/{site_id}/checkins"): {"party": party()},
    ("beds", "POST", "/api/v1/stays/{stay_id}/extension"): {"days": 1, "reason": "court hearing"},
    ("beds", "POST", "/api/v1/stays/{stay_id}/extension-requests"): {"days": 2, "reason": "court hearing"},
    ("beds", "POST", "/api/v1/extension-requests/{request_id}/decision"): {"grant": True},
    ("beds", "POST", "/api/v1/holds"): {"site_id": str(uuid.uuid4()), "party": party()},
    ("beds", "POST", "/api/v1/holds/{hold_id}/extension"): {"minutes": 10},
    ("beds", "POST", "/api/v1/places/{place_id}/out-of-service"): {"reason": "repair"},
    ("beds", "POST", "/api/v1/stays/{stay_id}/move"): {"place_id": str(uuid.uuid4())},
    ("beds", "POST", "/api/v1/sites/{site_id}/presence"): {"stay_ids": [str(uuid.uuid4())]},
    ("beds", "POST", "/api/v1/sites/{site_id}/scans"): {"token": "abcdefgh12345678"},
    ("beds", "POST", "/api/v1/sites/{site_id}/turnaways"): {"party": party(), "reason": "full"},
    ("intake", "POST", "/api/v1/people/{person_id}/restrictions"): {
        "until": "2027-01-01T00:00:00+02:00",
        "reason": "threats",
    },
    ("intake", "POST", "/api/v1/referrals"): {
        "source": "patrol",
        "party": party(),
        "location": {"lat": 49.84, "lon": 24.03},
        "urgency": "urgent",
    },
    ("intake", "POST", "/api/v1/trips"): {
        "started_at": "2026-11-23T20:00:00+02:00",
        "area": "station",
        "outcome": "consulted",
    },
    ("notifications", "POST", "/api/v1/teams"): {"name": "Night patrol", "kind": "patrol"},
    ("notifications", "PUT", "/api/v1/teams/{team_id}/status"): {"status": "on_call"},
    ("notifications", "POST", "/api/v1/teams/{team_id}/channels"): {"kind": "telegram", "chat_id": "12345"},
}


async def test_every_write_route_of_every_service_takes_an_idempotency_key(
    services: dict[str, Service],
) -> None:
    """Every write goes through common.writes (the answer stored with the change, in one
    transaction): a malformed key is refused by it before anything else happens. The replay
    itself is proved below and in beds/test_idempotency.py."""
    seen = 0
    for name, service in services.items():
        for method, path, _ in api_routes(service.app):
            if method not in WRITES:
                continue
            seen += 1
            role = sorted(MATRIX[name][(method, path)])[0]
            token = service.token(role, team=str(uuid.uuid4()), sites=[str(uuid.uuid4())])
            url = re.sub(r"{\w+}", lambda _: str(uuid.uuid4()), path)
            body = BODIES.get((name, method, path))
            answer = await service.call(method, url, token, body, headers={"Idempotency-Key": "k" * 201})
            where = f"{name} {method} {path}: {answer.status_code} {answer.text[:200]}"
            assert answer.status_code == 400, where
            assert "Idempotency-Key" in answer.json()["detail"], where
    assert seen == sum(1 for routes in MATRIX.values() for (method, _) in routes if method in WRITES)


async def test_a_retried_write_is_answered_again_and_done_once_in_intake_and_notifications(
    services: dict[str, Service],
) -> None:
    intake, notifications = services["intake"], services["notifications"]
    team = str(uuid.uuid4())
    patrol = intake.token("patrol", team=team, subject="patrol-phone")
    trip = BODIES[("intake", "POST", "/api/v1/trips")]
    first = await intake.post("/api/v1/trips", patrol, trip, headers={"Idempotency-Key": "trip-1"})
    again = await intake.post("/api/v1/trips", patrol, trip, headers={"Idempotency-Key": "trip-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert (await intake.get("/api/v1/trips", patrol)).json()["total"] == 1

    admin = notifications.token("admin")
    made = BODIES[("notifications", "POST", "/api/v1/teams")]
    first = await notifications.post("/api/v1/teams", admin, made, headers={"Idempotency-Key": "team-1"})
    again = await notifications.post("/api/v1/teams", admin, made, headers={"Idempotency-Key": "team-1"})
    assert first.status_code == 201 and again.json() == first.json()
    teams = (await notifications.get("/api/v1/teams", admin)).json()
    assert [t["id"] for t in teams] == [first.json()["id"]]
