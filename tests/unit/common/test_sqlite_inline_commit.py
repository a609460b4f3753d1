"""The COMMIT of an inline SQLite write transaction waits for the disk on a thread: the event loop
serves others meanwhile, and nothing touches the connection before the COMMIT has finished, even
when its caller is cancelled."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from common.sqlite_inline import InlineConnection

SLOW_FSYNC = 0.2


class SlowDisk:
    """A connection whose COMMIT takes as long as a slow fsync, and says where it ran."""

    def __init__(self, path: Path):
        self.real = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.committed_on: int | None = None
        self.finished = False

    def commit(self) -> None:
        self.committed_on = threading.get_ident()
        time.sleep(SLOW_FSYNC)
        self.real.commit()
        self.finished = True

    def close(self) -> None:
        self.real.close()


def inline(disk: SlowDisk) -> InlineConnection:
    connection = InlineConnection(disk.real)
    connection._conn = disk  # type: ignore[assignment]
    return connection


async def test_the_event_loop_serves_others_while_a_commit_waits_for_the_disk(tmp_path: Path) -> None:
    disk = SlowDisk(tmp_path / "db.sqlite")
    ticks = 0

    async def others() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    other = asyncio.create_task(others())
    try:
        await inline(disk).commit()
    finally:
        other.cancel()
        disk.close()
    assert disk.committed_on != threading.get_ident()
    assert ticks >= 5  # ~20 in 0.2 s; inline, the loop would not have run at all


async def test_a_cancelled_commit_is_waited_for_before_the_cancellation_goes_on(tmp_path: Path) -> None:
    disk = SlowDisk(tmp_path / "db.sqlite")
    committing = asyncio.create_task(inline(disk).commit())
    await asyncio.sleep(SLOW_FSYNC / 4)
    committing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await committing
    try:
        assert disk.finished  # the connection was not handed back while its COMMIT ran
    finally:
        disk.close()


async def test_a_failed_commit_raises_in_its_caller(tmp_path: Path) -> None:
    disk = SlowDisk(tmp_path / "db.sqlite")
    disk.close()
    with pytest.raises(sqlite3.ProgrammingError):
        await inline(disk).commit()
