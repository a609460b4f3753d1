"""SQLite connections for write transactions that run their statements on the event loop's own
thread, behind the same asyncio interface aiosqlite offers SQLAlchemy.

Why: aiosqlite runs every cursor operation (cursor, execute, fetchall, close, BEGIN, COMMIT) on a
connection thread and wakes the event loop back for each one. A write transaction of ~25
statements made ~200 such hops; on two shared cores each hop waits for the other thread to be
scheduled. Measured in one run (9 statements per transaction, SQLite WAL, synchronous=FULL):
4.3 ms and 3.7 ms of CPU per transaction through aiosqlite, 0.9 ms and 0.7 ms inline.

Why only writes: a statement here blocks the event loop while it runs. Write transactions are
short (a booking, an inbox row, an outbox row), and the writers of
one process already take turns on an asyncio lock before BEGIN IMMEDIATE (common/db.py), so an
inline writer never waits for another writer of its own process. Long reads (a year's report,
a CSV) stay on aiosqlite's thread, where they cannot stall the door. Another *process* holding
the write lock is the one wait that would block the loop: the busy timeout of these connections
is therefore short, and the "database is locked" that follows is retried like any other race
(`common.db.is_retryable`), sleeping on the event loop instead of in SQLite's busy handler.

The COMMIT is the exception: it waits for the disk (fsync with synchronous=FULL, several ms on a
busy machine, 40 % of a booking's time in the event loop when it ran inline), so it runs on a
thread of its own and the loop serves other requests meanwhile — one hop per transaction instead
of ~200.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

# The COMMITs' thread: a process's writers take turns per database file, so one thread per
# file at a time is busy; a few cover the files one process writes.
_COMMITS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sqlite-commit")

# Long enough for another process's commit to finish, short enough not to be felt at the door.
BUSY_TIMEOUT_SECONDS = 0.2


class InlineCursor:
    """The coroutine-shaped cursor SQLAlchemy's aiosqlite adapter drives."""

    def __init__(self, cursor: sqlite3.Cursor):
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, operation: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        if parameters is None:
            self._cursor.execute(operation)
        else:
            self._cursor.execute(operation, parameters)
        return self

    async def executemany(self, operation: str, seq_of_parameters: Iterable[Sequence[Any]]) -> InlineCursor:
        self._cursor.executemany(operation, seq_of_parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class _Inline:
    """Stands in for aiosqlite's request queue, which SQLAlchemy's isolation-level setter uses
    directly: the function runs at once and its future is resolved."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:
            if future is not None:
                future.set_exception(exc)
            return
        if future is not None:
            future.set_result(result)


class InlineConnection:
    """The subset of `aiosqlite.Connection` that SQLAlchemy's aiosqlite dialect uses."""

    def __init__(self, connection: sqlite3.Connection):
        self._conn = connection
        self._connection: sqlite3.Connection | None = connection  # the dialect checks it is open
        self._tx = _Inline()

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def commit(self) -> None:
        # The COMMIT is the one statement that waits for the disk (fsync, synchronous=FULL): it
        # runs on a thread, so the event loop serves other requests meanwhile. Nothing else
        # touches this connection until it has finished, even if the caller is cancelled.
        done = asyncio.get_running_loop().run_in_executor(_COMMITS, self._conn.commit)
        cancelled = False
        while True:
            try:
                await asyncio.shield(done)
                break
            except asyncio.CancelledError:
                cancelled = True
                if done.done():
                    break
        if cancelled:
            raise asyncio.CancelledError

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, *args: Any, **kw: Any) -> None:
        self._conn.create_function(*args, **kw)

    async def close(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()


def inline_connector(path: str) -> Callable[[], Awaitable[InlineConnection]]:
    """`async_creator` for `create_async_engine("sqlite+aiosqlite://...")`."""

    async def connect() -> InlineConnection:
        # check_same_thread off: the pool may hand a connection to a test's second event loop.
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False)
        return InlineConnection(connection)

    return connect
