"""A lease in the database, so that work which must happen once (the clocks) runs on one replica
at a time. Real (wall) time, never the scaled clock: a lease is about processes, not the domain.

A holder renews only once half its term has passed: until then the lease it wrote is certainly
still its own (nobody may take a lease before it expires), so asking again would only cost a
write transaction — on SQLite one that every other writer of the file waits for, on every relay
batch and every clock tick."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError

from common.clock import real_now
from common.db import Database
from common.tables import PlumbingTables


class Lease:
    def __init__(self, db: Database, tables: PlumbingTables, name: str, holder: str, ttl: timedelta):
        self.db = db
        self.leases = tables.leases
        self.name = name
        self.holder = holder
        self.ttl = ttl
        self._sure_until = 0.0  # monotonic: until then this holder's lease needs no renewal

    async def acquire(self) -> bool:
        """Takes or renews the lease; False while another holder's lease is still valid."""
        asked = time.monotonic()
        if asked < self._sure_until:
            return True
        self._sure_until = 0.0
        held = await self._acquire()
        if held:
            # measured before the write that set expires_at = now + ttl: on the safe side
            self._sure_until = asked + self.ttl.total_seconds() / 2
        return held

    async def _acquire(self) -> bool:
        now = real_now()
        leases = self.leases
        try:
            async with self.db.write_sessions() as session, session.begin():
                renewed = await session.execute(
                    sa.update(leases)
                    .where(
                        leases.c.name == self.name,
                        sa.or_(leases.c.holder == self.holder, leases.c.expires_at < now),
                    )
                    .values(holder=self.holder, expires_at=now + self.ttl)
                )
                if cast(CursorResult[Any], renewed).rowcount == 1:
                    return True
                # read committed: a row committed since our update (perhaps by this replica's own
                # other tick) is visible now, so ask who holds it rather than whether it exists
                holder = await session.scalar(sa.select(leases.c.holder).where(leases.c.name == self.name))
                if holder is not None:
                    return bool(holder == self.holder)
                await session.execute(
                    sa.insert(leases).values(name=self.name, holder=self.holder, expires_at=now + self.ttl)
                )
                return True
        except IntegrityError:  # someone inserted it first: maybe another replica, maybe our own loop
            async with self.db.read_sessions() as session:
                holder = await session.scalar(sa.select(leases.c.holder).where(leases.c.name == self.name))
            return holder == self.holder

    async def release(self) -> None:
        self._sure_until = 0.0
        async with self.db.write_sessions() as session, session.begin():
            await session.execute(
                sa.delete(self.leases).where(
                    self.leases.c.name == self.name, self.leases.c.holder == self.holder
                )
            )
