"""The beds unit of work: the common one plus beds' repositories."""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa

from common.uow import UnitOfWork
from services.beds.adapters.availability_index import AvailabilityIndex
from services.beds.adapters.extension_requests import ExtensionRequestRepository
from services.beds.adapters.orm import start_mappers
from services.beds.adapters.placements import PlacementRepository
from services.beds.adapters.queries import BedsReads
from services.beds.adapters.reports import ReportReads
from services.beds.adapters.repositories import (
    CardRepository,
    HoldRepository,
    LedgerRepository,
    RestrictionRepository,
    SiteRepository,
    StayRepository,
)
from services.beds.domain.sites import Site

start_mappers()


class BedsUnitOfWork(UnitOfWork):
    sites: SiteRepository
    holds: HoldRepository
    stays: StayRepository
    ledger: LedgerRepository
    reads: BedsReads
    placements: PlacementRepository
    reports: ReportReads
    restrictions: RestrictionRepository
    cards: CardRepository
    extension_requests: ExtensionRequestRepository
    # The process's nearest-search index (the app sets it on its own subclass): every commit
    # names the sites it may have changed, so that no write path can forget to.
    availability: ClassVar[AvailabilityIndex | None] = None

    def _start(self) -> None:
        self._flushed_sites: set[str] = set()
        if self.write and self.availability is not None:
            sa.event.listen(self.session.sync_session, "before_flush", self._flushing)
        self.sites = SiteRepository(self.session, self)
        self.holds = HoldRepository(self.session, self)
        self.stays = StayRepository(self.session, self)
        self.ledger = LedgerRepository(self.session)
        self.reads = BedsReads(self.session)
        self.placements = PlacementRepository(self.session, self)
        self.reports = ReportReads(self.session)
        self.restrictions = RestrictionRepository(self.session)
        self.cards = CardRepository(self.session)
        self.extension_requests = ExtensionRequestRepository(self.session)

    async def _before_commit(self) -> None:
        await self.sites.persist_new()
        await self.placements.persist()

    def _flushing(self, session: Any, *_: Any) -> None:
        """Every row the session writes that belongs to a site (its places, rooms, claims, stays,
        holds, the site itself), on every flush, the autoflushes inside a handler included."""
        for obj in (*session.new, *session.dirty, *session.deleted):
            site_id = obj.id if isinstance(obj, Site) else getattr(obj, "site_id", None)
            if isinstance(site_id, str):
                self._flushed_sites.add(site_id)

    async def commit(self) -> None:
        # The floors loaded for writing (their new rows go in as Core INSERTs, unseen by a flush)
        # and whatever was flushed: marked once the commit is done, before it returns.
        floors = {floor.site.id for floor in self.sites.floors}
        await super().commit()
        if self.availability is not None:
            self.availability.changed(floors | self._flushed_sites)
