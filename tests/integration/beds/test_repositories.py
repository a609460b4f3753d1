"""The repository contract against the real unit of work, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.support.repository_contract import BedsRepositoryContract, Units
from tests.support.service import Service


@pytest.fixture
def units(beds: Service) -> Units:
    return beds.runtime.unit_of_work


class TestRepositories(BedsRepositoryContract):
    pass
