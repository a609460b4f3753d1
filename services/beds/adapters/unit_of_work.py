"""The beds unit of work: the common one plus beds' repositories."""

from __future__ import annotations

from common.uow import UnitOfWork
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

    def _start(self) -> None:
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
