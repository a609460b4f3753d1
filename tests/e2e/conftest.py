"""One running system per test session (per xdist worker), started exactly as a user would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from tests.support.system import System


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    running = System(tmp_path_factory.mktemp("system") / "data").start()
    yield running
    assert running.stop() == 0, "shelterbeds up did not stop cleanly"


@pytest.fixture
def peer() -> Iterator[HTTPServer]:
    """A webhook peer, threaded: requests that hang (on purpose, or behind a slow one) do not
    hold up the others."""
    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()
