"""Each service's migrations build exactly the schema its models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from common.db import create_engine
from shelterbeds.registry import SERVICES, plumbing_of
from tests.support.databases import Databases


@pytest.mark.parametrize("service", list(SERVICES))
async def test_migrations_match_the_models(service: str, databases: Databases, backend: str) -> None:
    url = await databases.fresh(service, backend)
    metadata = plumbing_of(service).outbox.metadata
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": True}), metadata
                )
            )
    finally:
        await engine.dispose()
    assert diff == []
