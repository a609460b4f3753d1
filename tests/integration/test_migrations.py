"""Each service's migrations build exactly the schema its models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from common.db import create_engine
from common.migrations import alembic_config, upgrade
from shelterbeds.registry import SERVICES, plumbing_of
from tests.support.databases import Databases


async def schema_diff(service: str, url: str) -> list[object]:
    metadata = plumbing_of(service).outbox.metadata
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(  # type: ignore[no-any-return]
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": True}), metadata
                )
            )
    finally:
        await engine.dispose()


@pytest.mark.parametrize("service", list(SERVICES))
async def test_migrations_match_the_models(service: str, databases: Databases, backend: str) -> None:
    url = await databases.fresh(service, backend)
    assert await schema_diff(service, url) == []


@pytest.mark.parametrize("service", list(SERVICES))
async def test_every_migration_downgrades_to_an_empty_database_and_back(
    service: str, databases: Databases, backend: str
) -> None:
    url = await databases.fresh(service, backend)
    config = alembic_config(SERVICES[service].migrations)

    def downgrade_to_base(connection: sa.Connection) -> list[str]:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
        return [t for t in sa.inspect(connection).get_table_names() if t != "alembic_version"]

    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            assert await conn.run_sync(downgrade_to_base) == []
    finally:
        await engine.dispose()
    await upgrade(url, SERVICES[service].migrations)
    assert await schema_diff(service, url) == []
