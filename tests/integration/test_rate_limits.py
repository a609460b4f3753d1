"""Abuse: writes are limited per token (a stolen phone cannot flood a service), anonymous routes
that ask for it per address (sign-in, open data); over the limit a 429 problem, and other
callers are not held up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar import Litestar, get
from litestar.testing import AsyncTestClient

from common.problems import EXCEPTION_HANDLERS
from common.rate_limits import by_address, rate_limits
from services.beds.app import create_app as create_beds
from tests.integration.beds.helpers import HOLDS, SITES
from tests.support.databases import Databases
from tests.support.service import Service, running, service_settings
from tests.support.sites import night_shelter, party


@pytest.fixture
def backend() -> str:
    """The counts live in the process, not in the database: one backend is enough."""
    return "sqlite"


@pytest.fixture
async def strict_beds(
    databases: Databases, backend: str, nats_url: str, data_dir: Path
) -> AsyncIterator[Service]:
    url = await databases.fresh("beds", backend)
    settings = service_settings(
        "beds", database_url=url, nats_url=nats_url, data_dir=data_dir, writes_per_minute=3
    )
    async with running(create_beds, settings) as service:
        yield service


async def test_writes_are_limited_per_token(strict_beds: Service) -> None:
    beds = strict_beds
    admin = beds.token("admin")
    site = (await beds.post(SITES, admin, night_shelter(beds=10))).json()["id"]
    patrol = beds.token("patrol", subject="stolen-phone")
    answers = [await beds.post(HOLDS, patrol, {"site_id": site, "party": party()}) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 201]

    flooded = await beds.post(HOLDS, patrol, {"site_id": site, "party": party()})

    assert flooded.status_code == 429
    assert flooded.headers["content-type"].startswith("application/problem+json")
    assert flooded.json()["status"] == 429
    assert "ratelimit-reset" in {k.lower() for k in flooded.headers}
    assert (await beds.get(SITES, patrol)).status_code == 200  # reads are not writes
    other = beds.token("patrol", subject="another-phone")
    assert (await beds.post(HOLDS, other, {"site_id": site, "party": party()})).status_code == 201
    assert (await beds.post(SITES, admin, night_shelter())).status_code == 201  # the admin's second write


async def test_an_anonymous_route_that_asks_for_it_is_limited_per_address() -> None:
    @get("/open", opt=by_address())
    async def open_data() -> dict[str, int]:
        return {"sites": 1}

    @get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    app = Litestar(
        route_handlers=[open_data, health],
        middleware=rate_limits(writes_per_minute=10, address_requests_per_minute=2),
        exception_handlers=EXCEPTION_HANDLERS,
    )
    async with AsyncTestClient(app) as client:
        assert [(await client.get("/open")).status_code for _ in range(2)] == [200, 200]
        refused = await client.get("/open")
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert [(await client.get("/health")).status_code for _ in range(5)] == [200] * 5
