"""Fresh, migrated databases for each test: SQLite always, PostgreSQL where it is reachable.

Each service's schema is migrated once per session into a template (a SQLite file; a PostgreSQL
template database), and every test gets a copy — a file copy or CREATE DATABASE ... TEMPLATE —
which is much faster than migrating again.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from common.migrations import upgrade
from shelterbeds.registry import SERVICES

POSTGRES = os.environ.get("SHELTERBEDS_TEST_POSTGRES", "postgresql+asyncpg://postgres@127.0.0.1:5432/")


async def postgres_reachable() -> bool:
    url = make_url(POSTGRES).set(drivername="postgresql", database="postgres")
    try:
        conn = await asyncio.wait_for(asyncpg.connect(url.render_as_string(hide_password=False)), 3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await conn.close()
    return True


class Databases:
    def __init__(self, root: Path, worker: str):
        self.root = root
        self.prefix = f"sbt_{worker}_{uuid.uuid4().hex[:6]}"
        self._templates: dict[tuple[str, str], str] = {}
        self._templates_made: list[str] = []
        self._created: list[str] = []
        self._lock = asyncio.Lock()
        # Databases of tests that have ended, dropped in the background while later tests run: a
        # drop waits for a checkpoint (~0.1 s), and hundreds left to the session's end made the
        # last test of each worker take half a minute of teardown.
        self._to_drop: list[str] = []
        self._dropping: asyncio.Task[None] | None = None

    def mark(self) -> int:
        """Where a test begins: the databases made after this mark are that test's own."""
        return len(self._created)

    def release(self, mark: int) -> None:
        """The test that took `mark` has ended: its databases go, once a later call lets it."""
        self._to_drop.extend(self._created[mark:])
        del self._created[mark:]

    def _drop_released(self) -> None:
        if self._dropping is not None and self._dropping.done():
            self._dropping.result()  # a drop that failed says so, in the test that comes next
        if self._to_drop and (self._dropping is None or self._dropping.done()):
            self._dropping = asyncio.ensure_future(self._drop(self._to_drop, connections=1))

    async def fresh(self, service: str, backend: str) -> str:
        """A new database for `service`, already migrated."""
        self._drop_released()
        async with self._lock:
            template = self._templates.get((service, backend))
            if template is None:
                template = await self._make_template(service, backend)
                self._templates[(service, backend)] = template
            name = f"{self.prefix}_{service}_{uuid.uuid4().hex[:8]}"
            if backend == "sqlite":
                target = self.root / f"{name}.db"
                shutil.copyfile(template, target)
                return f"sqlite+aiosqlite:///{target}"
            await self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            url = make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
            self._created.append(url)
            return url

    async def _make_template(self, service: str, backend: str) -> str:
        if backend == "sqlite":
            path = self.root / f"template_{service}.db"
            await upgrade(f"sqlite+aiosqlite:///{path}", SERVICES[service].migrations)
            return str(path)
        name = f"{self.prefix}_{service}_template"
        url = make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
        await upgrade(url, SERVICES[service].migrations)
        self._templates_made.append(url)
        return name

    async def _admin(self, sql: str) -> None:
        url = make_url(POSTGRES).set(drivername="postgresql", database="postgres")
        conn = await asyncpg.connect(url.render_as_string(hide_password=False))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def drop_all(self) -> None:
        """Every database this worker made and has not dropped yet, the templates last."""
        if self._dropping is not None:
            await self._dropping
        self._to_drop.extend(self._created)
        self._created.clear()
        await self._drop(self._to_drop, connections=4)
        await self._drop(self._templates_made, connections=4)

    async def _drop(self, urls: list[str], *, connections: int) -> None:
        """Drops `urls` (taking them off the list as it goes) over a few admin connections at
        once: one engine per drop made a teardown run into the per-test timeout on a loaded machine."""

        async def dropper() -> None:
            url = make_url(POSTGRES).set(drivername="postgresql", database="postgres")
            conn = await asyncpg.connect(url.render_as_string(hide_password=False))
            try:
                while urls:
                    name = (make_url(urls.pop()).database or "").replace('"', '""')
                    if name:
                        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()

        if urls:
            await asyncio.gather(*(dropper() for _ in range(min(connections, len(urls)))))
