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
        self._created: list[str] = []
        self._lock = asyncio.Lock()

    async def fresh(self, service: str, backend: str) -> str:
        """A new database for `service`, already migrated."""
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
        self._created.append(url)
        return name

    async def _admin(self, sql: str) -> None:
        url = make_url(POSTGRES).set(drivername="postgresql", database="postgres")
        conn = await asyncpg.connect(url.render_as_string(hide_password=False))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def drop_all(self) -> None:
        """Every database this worker made, dropped over a few admin connections at once: a
        session makes hundreds, and one engine per drop made the last test's teardown run into
        the per-test timeout on a loaded machine."""
        names = [make_url(url).database for url in reversed(self._created)]
        self._created.clear()
        pending = [name for name in names if name]

        async def dropper() -> None:
            url = make_url(POSTGRES).set(drivername="postgresql", database="postgres")
            conn = await asyncpg.connect(url.render_as_string(hide_password=False))
            try:
                while pending:
                    name = pending.pop().replace('"', '""')
                    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()

        if pending:
            await asyncio.gather(*(dropper() for _ in range(min(4, len(pending)))))
