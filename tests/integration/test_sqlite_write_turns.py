"""The writers of one process take turns on a SQLite file instead of meeting SQLite's busy handler.

SQLite's busy timeout is set to 0 here, so a writer that found the file locked would fail at once
("database is locked"): every transaction below succeeds only because the writers never meet."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from common.db import Database


@pytest.fixture
async def db(tmp_path: Path) -> Any:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")

    @event.listens_for(database.engine.sync_engine, "connect")
    def _no_busy_wait(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=0")

    async with database.write_sessions() as session, session.begin():
        await session.execute(sa.text("CREATE TABLE marks (writer INTEGER, step INTEGER)"))
    yield database
    await database.dispose()


async def marks(db: Database) -> list[tuple[int, int]]:
    async with db.read_sessions() as session:
        return [(r.writer, r.step) for r in await session.execute(sa.text("SELECT writer, step FROM marks"))]


async def write(db: Database, writer: int, *, fail: bool = False) -> None:
    async with db.write_sessions() as session, session.begin():
        await session.execute(sa.text("INSERT INTO marks VALUES (:w, 0)"), {"w": writer})
        await asyncio.sleep(0.005)  # the others try to begin meanwhile
        await session.execute(sa.text("INSERT INTO marks VALUES (:w, 1)"), {"w": writer})
        if fail:
            raise RuntimeError("the handler failed")


async def test_concurrent_writers_on_one_sqlite_file_each_commit_in_turn(db: Database) -> None:
    await asyncio.gather(*(write(db, n) for n in range(8)))
    assert sorted(await marks(db)) == [(n, step) for n in range(8) for step in (0, 1)]


async def test_two_databases_on_one_file_in_one_process_share_the_turn(db: Database) -> None:
    other = Database(db.url)
    try:
        await asyncio.gather(*(write(db if n % 2 else other, n) for n in range(6)))
    finally:
        await other.dispose()
    assert len(await marks(db)) == 12


async def test_a_failed_write_gives_its_turn_to_the_next_writer(db: Database) -> None:
    results = await asyncio.gather(*(write(db, n, fail=n % 2 == 0) for n in range(6)), return_exceptions=True)
    assert [isinstance(r, RuntimeError) for r in results] == [True, False] * 3
    assert sorted(await marks(db)) == [(n, step) for n in (1, 3, 5) for step in (0, 1)]


async def test_a_reader_does_not_wait_for_the_writer_holding_the_turn(db: Database) -> None:
    inside, release = asyncio.Event(), asyncio.Event()

    async def slow_writer() -> None:
        async with db.write_sessions() as session, session.begin():
            await session.execute(sa.text("INSERT INTO marks VALUES (1, 0)"))
            inside.set()
            await release.wait()

    writer = asyncio.create_task(slow_writer())
    await inside.wait()
    assert await asyncio.wait_for(marks(db), 5) == []  # it sees the last commit, at once
    release.set()
    await writer
    assert await marks(db) == [(1, 0)]


async def test_one_connection_that_writes_twice_keeps_its_turn(db: Database) -> None:
    async with db.engine.execution_options(shelterbeds_write=True).connect() as conn:
        for step in range(2):
            async with conn.begin():
                await conn.execute(sa.text("INSERT INTO marks VALUES (9, :s)"), {"s": step})
    await write(db, 1)
    assert sorted(await marks(db)) == [(1, 0), (1, 1), (9, 0), (9, 1)]
