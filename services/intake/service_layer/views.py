"""Pure mapping from handler results to the API's Structs. Where a referral went is shown only to
callers who may know that site exists (`Actor.may_see_site_of`)."""

from __future__ import annotations

from services.intake.domain.cards import Card
from services.intake.domain.people import Person
from services.intake.domain.referrals import Referral
from services.intake.domain.restrictions import Restriction
from services.intake.domain.trips import Trip
from services.intake.service_layer import read_models as rm
from services.intake.service_layer.results import ReferralSeen, ReferralsSeen, TripsSeen


def accepted(referral: Referral) -> rm.Accepted:
    return rm.Accepted(referral.id, referral.status)


def person(p: Person) -> rm.PersonView:
    return rm.PersonView(
        id=p.id,
        anonymised=p.anonymised,
        name=p.name,
        birth_year=p.birth_year,
        gender=p.gender,
        phone=p.phone,
        notes=p.notes,
    )


def referral(seen: ReferralSeen) -> rm.ReferralView:
    r = seen.referral
    where = seen.actor.may_see_site_of(r)
    return rm.ReferralView(
        id=r.id,
        status=r.status,
        source=r.source,
        party=r.party,
        needs=r.needs,
        location=rm.Location(r.lat, r.lon),
        urgency=r.urgency,
        created_at=r.created_at,
        updated_at=r.updated_at,
        team_id=r.team_id,
        hold_id=r.hold_id if where else None,
        site_id=r.site_id if where else None,
        expires_at=r.expires_at if where and r.status in ("held", "offered") else None,
        person=person(seen.person) if seen.person is not None else None,
    )


def referral_page(page: ReferralsSeen) -> rm.ReferralPage:
    return rm.ReferralPage([referral(s) for s in page.referrals], page.total, page.limit, page.offset)


def cancelled(seen: ReferralSeen) -> rm.Done:
    return rm.Done(seen.referral.id, seen.referral.status)


def anonymised(p: Person) -> rm.Done:
    return rm.Done(p.id, "anonymised")


def trip(t: Trip) -> rm.TripView:
    return rm.TripView(
        id=t.id,
        started_at=t.started_at,
        area=t.area,
        outcome=t.outcome,
        team_id=t.team_id,
        ended_at=t.ended_at,
        referral_id=t.referral_id,
    )


def trip_page(page: TripsSeen) -> rm.TripPage:
    return rm.TripPage([trip(t) for t in page.trips], page.total, page.limit, page.offset)


def restriction(r: Restriction) -> rm.RestrictionView:
    return rm.RestrictionView(r.id, r.person_id, r.site_id, r.until, r.reason, r.imposed_at)


def card(c: Card) -> rm.CardView:
    return rm.CardView(c.id, c.person_id, c.issued_at, "active" if c.active else "revoked")


def card_png(c: Card) -> bytes:
    return c.png()
