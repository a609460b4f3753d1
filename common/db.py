"""Engines, sessions and the database facts every service relies on.

SQLite: WAL, foreign keys, a generous busy timeout, and write transactions that start with
`BEGIN IMMEDIATE` — a deferred transaction that later upgrades to a write fails with SQLITE_BUSY
at once instead of waiting, which turns a race for the last bed into an error. Reads use plain
deferred transactions so that they never queue behind writers. The writers of one process take
turns on an asyncio lock per database file before BEGIN IMMEDIATE: SQLite lets one writer in at a
time anyway, and a writer that finds the file locked waits in SQLite's busy handler, which sleeps
in steps of up to 100 ms and so leaves the file idle long after the holder has committed; the lock
hands the turn over the moment the holder's connection is back in the pool. The busy handler
still arbitrates between processes.

PostgreSQL: READ COMMITTED plus database constraints (see each service's schema); the write
path retries a bounded number of times on serialization failures and constraint races.
"""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util import await_

from common.sqlite_inline import BUSY_TIMEOUT_SECONDS as INLINE_BUSY_TIMEOUT
from common.sqlite_inline import inline_connector

WRITE_OPTION = "shelterbeds_write"
# serialization_failure, deadlock_detected, exclusion_violation, unique_violation
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "23P01", "23505"})
WRITE_TURN_TIMEOUT = 30.0  # as long as the busy timeout: past it, the same retryable "locked" error
_TURN = "shelterbeds_write_turn"
# Two Database objects on one file (two replicas in one process, in tests) share a turn; a lock
# belongs to one event loop, so the turns are kept per loop.
_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use the injected Clock")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def is_sqlite(engine_or_url: AsyncEngine | str) -> bool:
    url = engine_or_url if isinstance(engine_or_url, str) else str(engine_or_url.url)
    return url.startswith("sqlite")


def create_engine(url: str, *, pool_size: int = 10, inline: bool = False) -> AsyncEngine:
    """`inline` (SQLite only): statements run on the event loop's thread, not aiosqlite's (see
    common/sqlite_inline.py: for write transactions, which are short and take turns)."""
    if is_sqlite(url):
        path = make_url(url).database or ""
        if inline and path not in ("", ":memory:"):
            engine = create_async_engine(url, hide_parameters=True, async_creator=inline_connector(path))
            _configure_sqlite(engine, path, busy_timeout_ms=int(INLINE_BUSY_TIMEOUT * 1000))
        else:
            engine = create_async_engine(url, hide_parameters=True, connect_args={"timeout": 30})
            _configure_sqlite(engine, path, busy_timeout_ms=30000)
        return engine
    return create_async_engine(
        url, hide_parameters=True, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
    )


def _write_turn(path: str) -> asyncio.Lock:
    return _turns.setdefault(asyncio.get_running_loop(), {}).setdefault(path, asyncio.Lock())


async def _take_turn(lock: asyncio.Lock) -> None:
    # asyncio.timeout, not wait_for: on Python 3.11 a wait_for cancelled just as the lock is
    # granted loses the grant, and the lock stays taken by nobody.
    try:
        async with asyncio.timeout(WRITE_TURN_TIMEOUT):
            await lock.acquire()
    except TimeoutError:
        raise OperationalError(
            "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")
        ) from None


def _configure_sqlite(engine: AsyncEngine, path: str, *, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        # Let us issue BEGIN ourselves (the driver's implicit BEGIN is always DEFERRED).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA foreign_keys=ON",
            f"PRAGMA busy_timeout={busy_timeout_ms}",
            "PRAGMA synchronous=FULL",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if not connection.get_execution_options().get(WRITE_OPTION, False):
            connection.exec_driver_sql("BEGIN")
            return
        held = connection.connection.info  # the pooled connection's: it outlives this transaction
        if _TURN not in held and path not in ("", ":memory:"):
            lock = _write_turn(path)
            await_(_take_turn(lock))  # runs inside SQLAlchemy's greenlet, on the event loop
            held[_TURN] = lock
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _give_turn(connection.connection.info)
            raise

    @event.listens_for(engine.sync_engine, "checkin")
    def _on_checkin(_: Any, record: Any) -> None:
        # Back in the pool: the COMMIT (or ROLLBACK) has finished, so the next writer gets in at once.
        if record is not None:
            _give_turn(record.info)


def _give_turn(info: dict[str, Any]) -> None:
    lock = info.pop(_TURN, None)
    if lock is not None:
        lock.release()


class Database:
    """The engines and the two kinds of session the services use. On SQLite, write sessions
    have an engine of their own whose statements run inline (common/sqlite_inline.py); reads,
    which may be long (a year's report), stay on aiosqlite's thread."""

    def __init__(self, url: str, *, pool_size: int = 10):
        self.url = url
        self.engine = create_engine(url, pool_size=pool_size)
        self.sqlite = is_sqlite(url)
        self.write_engine = (
            create_engine(url, pool_size=pool_size, inline=True) if self.sqlite else self.engine
        )
        self.read_sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.write_sessions = async_sessionmaker(
            self.write_engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.write_engine is not self.engine:
            await self.write_engine.dispose()


def is_retryable(exc: BaseException) -> bool:
    """A failure that a fresh attempt of the same transaction may not hit again."""
    if isinstance(exc, DBAPIError):
        sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        if sqlstate in RETRYABLE_SQLSTATES:
            return True
        message = str(exc.orig).lower()
        if isinstance(exc, OperationalError) and ("locked" in message or "busy" in message):
            return True
        if isinstance(exc, IntegrityError) and "unique constraint failed" in message:
            return True
    return False


def is_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached now (refused, reset, a connection lost mid-call, the pool
    waiting too long): the request changed nothing and may be sent again in a moment."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, SATimeoutError):  # no connection free in the pool in time
        return True
    # refused or reset while connecting (asyncpg raises the socket's own error); not TimeoutError,
    # which any await may raise
    return isinstance(exc, OSError) and not isinstance(exc, TimeoutError)


async def ensure_postgres_database(url: str) -> bool:
    """Creates the service's database on the server if it is missing. Returns True if created."""
    target = make_url(url)
    if target.get_backend_name() != "postgresql" or not target.database:
        return False
    admin = create_async_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            exists = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            )
            if exists:
                return False
            quoted = target.database.replace('"', '""')
            try:
                await conn.execute(text(f'CREATE DATABASE "{quoted}"'))
            except DBAPIError as exc:  # another replica created it first
                if "already exists" not in str(exc.orig):
                    raise
                return False
            return True
    finally:
        await admin.dispose()


async def drop_postgres_database(url: str) -> None:
    target = make_url(url)
    if not target.database:
        raise ValueError("no database named in the URL")
    admin = create_async_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            quoted = target.database.replace('"', '""')
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{quoted}" WITH (FORCE)'))
    finally:
        await admin.dispose()


__all__ = [
    "AsyncSession",
    "Database",
    "UTCDateTime",
    "drop_postgres_database",
    "ensure_postgres_database",
    "is_retryable",
]
