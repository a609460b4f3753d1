"""Intake's repositories: rows in, domain objects out, and back at commit. A referral loaded for
a change is locked (PostgreSQL `FOR UPDATE`; SQLite writers take turns anyway), so a cancel and
an event from beds on the same referral cannot overwrite each other."""

from __future__ import annotations

from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from common.uow import HasEvents
from contracts.events.base import NeedsFacts, PartyFacts
from services.intake.adapters.orm import cards, people, referrals, restrictions, trips
from services.intake.domain.cards import Card
from services.intake.domain.people import Person
from services.intake.domain.referrals import Referral
from services.intake.domain.restrictions import Restriction
from services.intake.domain.trips import Trip


class Tracker(Protocol):
    def track(self, aggregate: HasEvents) -> None: ...


def _referral_row(r: Referral) -> dict[str, Any]:
    return {
        "id": r.id,
        "person_id": r.person_id,
        "source": r.source,
        "adults": r.party.adults,
        "children": r.party.children,
        "gender": r.party.gender,
        "youth": r.party.youth,
        "accessible": r.needs.accessible,
        "pet": r.needs.pet,
        "dv": r.needs.dv,
        "lat": r.lat,
        "lon": r.lon,
        "urgency": r.urgency,
        "team_id": r.team_id,
        "referrer_subject": r.referrer_subject,
        "referrer_role": r.referrer_role,
        "status": r.status,
        "hold_id": r.hold_id,
        "site_id": r.site_id,
        "site_confidential": r.site_confidential,
        "expires_at": r.expires_at,
        "was_waitlisted": r.was_waitlisted,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    }


def _referral(row: Any) -> Referral:
    return Referral(
        id=row.id,
        source=row.source,
        party=PartyFacts(row.adults, row.children, row.gender, row.youth),
        needs=NeedsFacts(accessible=row.accessible, pet=row.pet, dv=row.dv),
        lat=row.lat,
        lon=row.lon,
        urgency=row.urgency,
        team_id=row.team_id,
        referrer_subject=row.referrer_subject,
        referrer_role=row.referrer_role,
        created_at=row.created_at,
        updated_at=row.updated_at,
        status=row.status,
        person_id=row.person_id,
        hold_id=row.hold_id,
        site_id=row.site_id,
        site_confidential=row.site_confidential,
        expires_at=row.expires_at,
        was_waitlisted=row.was_waitlisted,
    )


def _person_row(p: Person) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "birth_year": p.birth_year,
        "gender": p.gender,
        "phone": p.phone,
        "notes": p.notes,
        "dv": p.dv,
        "created_at": p.created_at,
        "anonymised_at": p.anonymised_at,
    }


class ReferralRepository:
    def __init__(self, session: AsyncSession, uow: Tracker):
        self.session = session
        self.uow = uow
        self._new: list[Referral] = []
        self._loaded: dict[str, Referral] = {}

    def add(self, referral: Referral) -> None:
        self._new.append(referral)
        self.uow.track(referral)

    async def get(self, referral_id: str, *, for_update: bool = False) -> Referral | None:
        if referral_id in self._loaded:
            return self._loaded[referral_id]
        query = sa.select(referrals).where(referrals.c.id == referral_id)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        if row is None:
            return None
        referral = _referral(row)
        if for_update:
            self._loaded[referral_id] = referral
            self.uow.track(referral)
        return referral

    async def listed(
        self, *, team_id: str | None, status: str | None, limit: int, offset: int
    ) -> tuple[list[Referral], int]:
        where = []
        if team_id is not None:
            where.append(referrals.c.team_id == team_id)
        if status is not None:
            where.append(referrals.c.status == status)
        total = await self.session.scalar(sa.select(sa.func.count()).select_from(referrals).where(*where))
        rows = await self.session.execute(
            sa.select(referrals)
            .where(*where)
            .order_by(referrals.c.created_at.desc(), referrals.c.id)
            .limit(limit)
            .offset(offset)
        )
        return [_referral(r) for r in rows], int(total or 0)

    async def persist(self) -> None:
        if self._new:
            await self.session.execute(sa.insert(referrals), [_referral_row(r) for r in self._new])
            self._new.clear()
        for referral in self._loaded.values():
            row = _referral_row(referral)
            del row["id"]
            await self.session.execute(
                sa.update(referrals).where(referrals.c.id == referral.id).values(**row)
            )


class PeopleRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def add(self, person: Person) -> None:
        await self.session.execute(sa.insert(people).values(**_person_row(person)))

    async def get(self, person_id: str, *, for_update: bool = False) -> Person | None:
        query = sa.select(people).where(people.c.id == person_id)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        if row is None:
            return None
        return Person(
            id=row.id,
            created_at=row.created_at,
            name=row.name,
            birth_year=row.birth_year,
            gender=row.gender,
            phone=row.phone,
            notes=row.notes,
            dv=row.dv,
            anonymised_at=row.anonymised_at,
        )

    async def save(self, person: Person) -> None:
        row = _person_row(person)
        del row["id"]
        await self.session.execute(sa.update(people).where(people.c.id == person.id).values(**row))


class RestrictionRepository:
    def __init__(self, session: AsyncSession, uow: Tracker):
        self.session = session
        self.uow = uow

    async def add(self, restriction: Restriction) -> None:
        await self.session.execute(
            sa.insert(restrictions).values(
                id=restriction.id,
                person_id=restriction.person_id,
                site_id=restriction.site_id,
                until=restriction.until,
                reason=restriction.reason,
                imposed_by=restriction.imposed_by,
                imposed_at=restriction.imposed_at,
            )
        )
        self.uow.track(restriction)


class CardRepository:
    def __init__(self, session: AsyncSession, uow: Tracker):
        self.session = session
        self.uow = uow

    async def add(self, card: Card) -> None:
        await self.session.execute(
            sa.insert(cards).values(
                id=card.id,
                person_id=card.person_id,
                token=card.token,
                issued_at=card.issued_at,
                issued_by=card.issued_by,
            )
        )
        self.uow.track(card)

    async def active_of(self, person_id: str, *, for_update: bool = False) -> Card | None:
        query = (
            sa.select(cards)
            .where(cards.c.person_id == person_id, cards.c.revoked_at.is_(None))
            .order_by(cards.c.issued_at.desc())
            .limit(1)
        )
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        if row is None:
            return None
        card = Card(row.id, row.person_id, row.token, row.issued_at, row.issued_by, row.revoked_at)
        if for_update:
            self.uow.track(card)
        return card

    async def save_revoked(self, card: Card) -> None:
        await self.session.execute(
            sa.update(cards).where(cards.c.id == card.id).values(revoked_at=card.revoked_at)
        )


class TripRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def add(self, trip: Trip) -> None:
        await self.session.execute(
            sa.insert(trips).values(
                id=trip.id,
                team_id=trip.team_id,
                recorded_by=trip.recorded_by,
                started_at=trip.started_at,
                ended_at=trip.ended_at,
                area=trip.area,
                outcome=trip.outcome,
                referral_id=trip.referral_id,
                created_at=trip.created_at,
            )
        )

    async def listed(self, *, team_id: str | None, limit: int, offset: int) -> tuple[list[Trip], int]:
        where = [trips.c.team_id == team_id] if team_id is not None else []
        total = await self.session.scalar(sa.select(sa.func.count()).select_from(trips).where(*where))
        rows = await self.session.execute(
            sa.select(trips)
            .where(*where)
            .order_by(trips.c.started_at.desc(), trips.c.id)
            .limit(limit)
            .offset(offset)
        )
        return [
            Trip(
                id=r.id,
                team_id=r.team_id,
                recorded_by=r.recorded_by,
                started_at=r.started_at,
                ended_at=r.ended_at,
                area=r.area,
                outcome=r.outcome,
                referral_id=r.referral_id,
                created_at=r.created_at,
            )
            for r in rows
        ], int(total or 0)
