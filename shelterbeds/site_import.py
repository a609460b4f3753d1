"""`shelterbeds import sites.csv`: a city's or a country's sites in seconds.

Each chunk of sites is one transaction through the ordinary `OpenSite` handler, so every
site's events go to the outbox exactly as for `POST /api/v1/sites` and the other services learn
of them when beds relays its outbox. A chunk with any refused row, or a rule the domain refuses,
writes nothing; the other chunks go in. Sites whose id exists already are left alone, so a file
with ids can be imported again after fixing what was refused.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from common.clock import Clock
from common.db import Database, is_retryable
from common.errors import DomainError
from services.beds.adapters.orm import plumbing
from services.beds.adapters.orm import sites as sites_table
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.domain.access import Actor
from services.beds.domain.commands import OpenSite
from services.beds.service_layer import sites
from shelterbeds.site_csv import Chunk, Parsed, Problem

IMPORTER = Actor("shelterbeds-import", "admin")  # an import sets sites up as an admin would

MAX_ATTEMPTS = 8


@dataclass
class ImportReport:
    created: int = 0
    rooms: int = 0
    already_present: int = 0
    refused_sites: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _ChunkRefused(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


async def import_sites(
    database_url: str,
    clock: Clock,
    parsed: Parsed,
    *,
    chunk_size: int = 500,
    progress: Callable[[int], None] = lambda _: None,
) -> ImportReport:
    """Writes the parsed sites chunk by chunk; `progress` hears how many sites each chunk settled."""
    report = ImportReport(problems=[p for p in parsed.problems if p.line == 1])
    if report.problems:
        return report
    db = Database(database_url)
    try:
        for chunk in parsed.chunks(chunk_size):
            refused = parsed.problems_in(chunk)
            if not refused:
                try:
                    created, present, rooms = await _write(db, clock, chunk)
                except _ChunkRefused as error:
                    refused = [error.problem]
                else:
                    report.created += created
                    report.already_present += present
                    report.rooms += rooms
            if refused:
                report.refused_sites += len(chunk.sites)
                report.problems += refused
            progress(len(chunk.sites))
    finally:
        await db.dispose()
    return report


async def _write(db: Database, clock: Clock, chunk: Chunk) -> tuple[int, int, int]:
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return await _write_once(db, clock, chunk)
        except Exception as exc:
            # a service writing to the same database at the same moment: take the chunk again
            if not is_retryable(exc) or attempt == MAX_ATTEMPTS:
                raise
            await asyncio.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")


async def _write_once(db: Database, clock: Clock, chunk: Chunk) -> tuple[int, int, int]:
    async with BedsUnitOfWork(db, plumbing, clock) as uow:
        ids = [s.site_id for s in chunk.sites if s.site_id]
        present: set[str] = set()
        if ids:
            known = sa.select(sites_table.c.id).where(sites_table.c.id.in_(ids))
            present = set((await uow.session.scalars(known)).all())
        created = rooms = 0
        for site in chunk.sites:
            if site.site_id in present:
                continue
            try:
                await sites.open_site(OpenSite(**site.create_arguments()), IMPORTER, uow)
            except DomainError as refused:
                raise _ChunkRefused(Problem(site.first_line, refused.detail)) from refused
            created += 1
            rooms += len(site.rooms)
        await uow.commit()
    return created, len(present), rooms
