"""Runs a service's Alembic migrations from code (`shelterbeds migrate`, `up`, `serve`, tests).

Each service keeps its scripts in `services/<name>/adapters/migrations`; their env.py calls
`run_migrations_in_env`. On PostgreSQL the service's database is created if missing and an
advisory lock makes replicas that start together migrate one after another.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Literal

from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection

from common.db import WRITE_OPTION, UTCDateTime, create_engine, ensure_postgres_database, is_sqlite

_LOCK_KEY = 7_460_219_118  # any constant; shared by all shelterbeds migrations on one server


def alembic_config(script_location: str | Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    return config


_one_at_a_time = asyncio.Lock()


async def upgrade(url: str, script_location: str | Path, revision: str = "head") -> None:
    """Alembic keeps its migration context in a module global: two upgrades awaited at once in
    one process would read each other's connection, so they take turns."""
    async with _one_at_a_time:
        await _upgrade_now(url, script_location, revision)


async def _upgrade_now(url: str, script_location: str | Path, revision: str) -> None:
    if not is_sqlite(url):
        await ensure_postgres_database(url)
    else:
        Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    config = alembic_config(script_location)
    try:
        async with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
            if not is_sqlite(url):
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            await conn.run_sync(_upgrade, config, revision)
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def current_revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
    finally:
        await engine.dispose()


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Autogenerate writes our UTCDateTime as an import, not as a module path."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        autogen_context.imports.add("from common.db import UTCDateTime")
        return "UTCDateTime()"
    return False


def run_migrations_in_env(target_metadata: MetaData) -> None:
    """The body of every service's env.py: migrate on the connection `upgrade` handed over."""
    connection: Any = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations with `shelterbeds migrate` (offline mode is not supported)")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
