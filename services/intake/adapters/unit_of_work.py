"""The intake unit of work: the common one plus intake's repositories."""

from __future__ import annotations

from common.uow import UnitOfWork
from services.intake.adapters.repositories import (
    CardRepository,
    PeopleRepository,
    ReferralRepository,
    RestrictionRepository,
    TripRepository,
)


class IntakeUnitOfWork(UnitOfWork):
    referrals: ReferralRepository
    people: PeopleRepository
    trips: TripRepository
    restrictions: RestrictionRepository
    cards: CardRepository

    def _start(self) -> None:
        self.referrals = ReferralRepository(self.session, self)
        self.people = PeopleRepository(self.session)
        self.trips = TripRepository(self.session)
        self.restrictions = RestrictionRepository(self.session, self)
        self.cards = CardRepository(self.session, self)

    async def _before_commit(self) -> None:
        await self.referrals.persist()
