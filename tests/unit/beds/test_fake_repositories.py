"""The repository contract against the in-memory fake the handler tests use."""

from __future__ import annotations

import pytest

from common.clock import ManualClock
from tests.support.fake_beds import FakeBeds
from tests.support.repository_contract import BedsRepositoryContract, Units
from tests.unit.beds.builders import NOW


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def units(clock: ManualClock) -> Units:
    return FakeBeds(clock).unit_of_work


class TestFakeRepositories(BedsRepositoryContract):
    pass
