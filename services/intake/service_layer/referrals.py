"""Handlers of referrals and people: each runs in the unit of work it is given (HTTP `Writes`, a
test) and whoever dispatched it commits. Who may do it is the access table's answer."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from services.intake.adapters.unit_of_work import IntakeUnitOfWork
from services.intake.domain import commands as c
from services.intake.domain.access import Actor, absent, team_scope, verdict
from services.intake.domain.cards import Card
from services.intake.domain.people import Person
from services.intake.domain.referrals import Referral
from services.intake.domain.restrictions import Restriction
from services.intake.service_layer.results import ReferralSeen, ReferralsSeen

MAX_PAGE = 200
READ_REASON = "the referral was opened"


def new_id() -> str:
    return str(uuid.uuid4())


async def create_referral(command: c.CreateReferral, actor: Actor, uow: IntakeUnitOfWork) -> Referral:
    now = uow.clock.now()
    person_id = None
    if command.person is not None:
        facts = command.person
        person = Person(
            id=new_id(),
            created_at=now,
            name=facts.name,
            birth_year=facts.birth_year,
            gender=facts.gender,
            phone=facts.phone,
            notes=facts.notes,
            dv=command.needs.dv,
        )
        await uow.people.add(person)
        person_id = person.id
    referral = Referral.create(
        id=new_id(),
        source=command.source,
        party=command.party,
        needs=command.needs,
        lat=command.lat,
        lon=command.lon,
        urgency=command.urgency,
        team_id=actor.team_id,
        referrer_subject=actor.subject,
        referrer_role=actor.role,
        created_at=now,
        updated_at=now,
        person_id=person_id,
    )
    uow.referrals.add(referral)
    return referral


async def _referral(
    uow: IntakeUnitOfWork, command: c.GetReferral | c.CancelReferral, actor: Actor, *, for_update: bool
) -> Referral:
    referral = await uow.referrals.get(command.referral_id, for_update=for_update)
    if referral is None:
        raise absent(command)
    verdict(command, actor, referral)
    return referral


async def cancel_referral(command: c.CancelReferral, actor: Actor, uow: IntakeUnitOfWork) -> ReferralSeen:
    referral = await _referral(uow, command, actor, for_update=True)
    referral.cancel(uow.clock.now())
    return ReferralSeen(referral, actor)


async def get_referral(query: c.GetReferral, actor: Actor, uow: IntakeUnitOfWork) -> ReferralSeen:
    referral = await _referral(uow, query, actor, for_update=False)
    person = await uow.people.get(referral.person_id) if referral.person_id else None
    return ReferralSeen(referral, actor, person)


async def list_referrals(query: c.ListReferrals, actor: Actor, uow: IntakeUnitOfWork) -> ReferralsSeen:
    team_id = team_scope(actor, query.team_id)
    limit = min(query.limit, MAX_PAGE)
    found, total = await uow.referrals.listed(
        team_id=team_id, status=query.status, limit=limit, offset=query.offset
    )
    return ReferralsSeen([ReferralSeen(r, actor) for r in found], total, limit, query.offset)


async def anonymise_person(command: c.AnonymisePerson, actor: Actor, uow: IntakeUnitOfWork) -> Person:
    person = await uow.people.get(command.person_id, for_update=True)
    if person is None:
        raise absent(command)
    if person.anonymise(uow.clock.now()):
        await uow.people.save(person)
        await uow.audit(
            actor=actor.subject,
            actor_role=actor.role,
            action="person.anonymised",
            object_type="person",
            object_id=person.id,
        )
    return person


async def restrict_person(command: c.RestrictPerson, actor: Actor, uow: IntakeUnitOfWork) -> Restriction:
    """Audited with its reason code; the event carries ids and the date only."""
    person = await uow.people.get(command.person_id)
    if person is None:
        raise absent(command)
    restriction = Restriction.impose(
        id=new_id(),
        person_id=person.id,
        site_id=command.site_id,
        until=command.until,
        reason=command.reason,
        imposed_by=actor.subject,
        now=uow.clock.now(),
    )
    await uow.restrictions.add(restriction)
    await uow.audit(
        actor=actor.subject,
        actor_role=actor.role,
        action="person.restricted",
        object_type="person",
        object_id=person.id,
        reason=restriction.reason,
        detail={
            "restriction_id": restriction.id,
            "site_id": restriction.site_id,
            "until": restriction.until.isoformat(),
        },
    )
    return restriction


async def issue_card(command: c.IssueCard, actor: Actor, uow: IntakeUnitOfWork) -> Card:
    person = await uow.people.get(command.person_id)
    if person is None:
        raise absent(command)
    now = uow.clock.now()
    earlier = await uow.cards.active_of(person.id, for_update=True)
    if earlier is not None and earlier.revoke(now):
        await uow.cards.save_revoked(earlier)
    card = Card.issue(id=new_id(), person_id=person.id, issued_by=actor.subject, now=now)
    await uow.cards.add(card)
    await uow.audit(
        actor=actor.subject,
        actor_role=actor.role,
        action="card.issued",
        object_type="person",
        object_id=person.id,
    )
    return card


async def revoke_card(command: c.RevokeCard, actor: Actor, uow: IntakeUnitOfWork) -> Card:
    card = await uow.cards.active_of(command.person_id, for_update=True)
    if card is None:
        raise absent(c.GetCard(person_id=command.person_id))
    card.revoke(uow.clock.now())
    await uow.cards.save_revoked(card)
    await uow.audit(
        actor=actor.subject,
        actor_role=actor.role,
        action="card.revoked",
        object_type="person",
        object_id=card.person_id,
    )
    return card


async def get_card(query: c.GetCard, actor: Actor, uow: IntakeUnitOfWork) -> Card:
    card = await uow.cards.active_of(query.person_id)
    if card is None:
        raise absent(query)
    return card


async def record_person_read(command: c.RecordPersonRead, actor: Actor, uow: IntakeUnitOfWork) -> None:
    await uow.audit(
        actor=actor.subject,
        actor_role=actor.role,
        action="person.read",
        object_type="person",
        object_id=command.person_id,
        reason=command.reason,
        detail={"referral_id": command.referral_id},
    )


def audit_trail(query: object, _: Actor, result: object) -> Iterator[object]:
    """Every read of a DV person's record leaves an entry: who, when (the handler's clock), why."""
    if isinstance(query, c.GetReferral) and isinstance(result, ReferralSeen):
        person = result.person
        if person is not None and person.dv:
            yield c.RecordPersonRead(
                person_id=person.id, referral_id=result.referral.id, reason=query.reason or READ_REASON
            )
