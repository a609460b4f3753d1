"""Fixtures every layer shares: a real nats-server per test session (per xdist worker), and
fresh migrated databases — SQLite always, PostgreSQL where reachable (and required in CI)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from common.logging import configure_logging
from tests.support.databases import Databases, postgres_reachable
from tests.support.nats_server import NatsServer

# JSON lines and no local variables in tracebacks, in tests as in production.
configure_logging("warning")

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _worker(config: pytest.Config) -> str:
    return getattr(config, "workerinput", {}).get("workerid", "main")


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path_factory.mktemp("nats")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def nats_url(nats_server: NatsServer) -> str:
    return nats_server.url


@pytest.fixture(scope="session")
async def postgres_ok() -> bool:
    return await postgres_reachable()


@pytest.fixture(scope="session")
async def databases(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> AsyncIterator[Databases]:
    registry = Databases(tmp_path_factory.mktemp("db"), _worker(request.config))
    yield registry
    await registry.drop_all()


@pytest.fixture(autouse=True)
def drop_the_tests_databases(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test's databases are dropped once it has ended (in the background, as the next tests
    run), not all at the session's end. Set up before the test's other function fixtures, and so
    torn down after them: the services are stopped by then. Databases of wider-scoped fixtures
    are made before the mark, and stay."""
    if "databases" not in request.fixturenames:
        yield
        return
    databases: Databases = request.getfixturevalue("databases")
    mark = databases.mark()
    yield
    databases.release(mark)


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest, postgres_ok: bool) -> str:
    if request.param == "postgres" and not postgres_ok:
        message = "PostgreSQL is not reachable (set SHELTERBEDS_TEST_POSTGRES)"
        if os.environ.get("CI"):
            pytest.fail(message + " — CI must run the PostgreSQL tests, not skip them")
        pytest.skip(message)
    return str(request.param)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path
