"""A lease in the database, so that work which must happen once (the clocks) runs on one replica
at a time. Real (wall) time, never the scaled clock: a lease is about processes, not the domain."""

from __future__ import annotations

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

    async def acquire(self) -> bool:
        """Takes or renews the lease; False while another holder's lease is still valid."""
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
        async with self.db.write_sessions() as session, session.begin():
            await session.execute(
                sa.delete(self.leases).where(
                    self.leases.c.name == self.name, self.leases.c.holder == self.holder
                )
            )
