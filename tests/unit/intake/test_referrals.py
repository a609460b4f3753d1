"""The referral's rules without a database: what it announces, how its status follows beds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from common.errors import Conflict, RuleViolation
from contracts.events import intake as iv
from contracts.events.base import NeedsFacts, PartyFacts
from contracts.events.intake import ReferralCancelled, ReferralCreated
from services.intake.domain.access import Actor
from services.intake.domain.cards import Card, token_digest
from services.intake.domain.people import Person
from services.intake.domain.referrals import Referral
from services.intake.domain.restrictions import Restriction

NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)


def referral(**kw: object) -> Referral:
    facts: dict[str, object] = {
        "id": "r-1",
        "source": "patrol",
        "party": PartyFacts(1, 2, "female"),
        "needs": NeedsFacts(dv=True),
        "lat": 49.841234,
        "lon": 24.031987,
        "urgency": "urgent",
        "team_id": "team-1",
        "referrer_subject": "phone-1",
        "referrer_role": "patrol",
        "created_at": NOW,
        "updated_at": NOW,
        **kw,
    }
    return Referral.create(**facts)


def test_a_new_referral_announces_its_location_rounded_to_about_a_kilometre() -> None:
    [created] = referral().events
    assert isinstance(created, ReferralCreated)
    assert (created.location.lat, created.location.lon) == (49.84, 24.03)
    assert created.needs.dv and created.party.children == 2


def test_a_referral_is_cancelled_once_and_a_placed_one_not_at_all() -> None:
    r = referral()
    r.cancel(LATER)
    assert r.status == "cancelled" and isinstance(r.events[-1], ReferralCancelled)
    with pytest.raises(Conflict):
        r.cancel(LATER)
    placed = referral()
    placed.held("h-1", "s-1", True, LATER + timedelta(hours=1), LATER)
    placed.hold_ended("h-1", "placed", LATER)
    with pytest.raises(Conflict):
        placed.cancel(LATER)


def test_late_or_foreign_hold_events_change_nothing() -> None:
    r = referral()
    r.held("h-1", "s-1", False, LATER + timedelta(hours=1), LATER)
    r.hold_ended("h-other", "expired", LATER)
    assert r.status == "held"
    r.hold_ended("h-1", "placed", LATER)
    r.hold_ended("h-1", "expired", LATER)
    r.waitlisted(LATER)
    assert r.status == "placed"


def test_a_hold_after_a_wait_is_an_offer_whichever_event_comes_first() -> None:
    hold_first = referral()
    hold_first.waitlisted(NOW)
    hold_first.held("h-1", "s-1", False, LATER + timedelta(hours=1), LATER)
    hold_first.offered("h-1", "s-1", False, LATER)
    offer_first = referral()
    offer_first.waitlisted(NOW)
    offer_first.offered("h-1", "s-1", False, LATER)
    offer_first.held("h-1", "s-1", False, LATER + timedelta(hours=1), LATER)
    assert hold_first.status == offer_first.status == "offered"


def test_a_patrol_never_learns_where_a_dv_referral_went_and_a_crisis_team_does() -> None:
    r = referral()
    r.held("h-1", "s-1", True, LATER + timedelta(hours=1), LATER)
    assert not Actor("phone-1", "patrol", "team-1").may_see_site_of(r)
    assert not Actor("x", "shelter_staff", None, frozenset({"s-2"})).may_see_site_of(r)
    assert Actor("x", "shelter_staff", None, frozenset({"s-1"})).may_see_site_of(r)
    assert Actor("c", "crisis_team", "team-1").may_see_site_of(r)


def test_anonymising_erases_the_personal_fields_for_good_and_keeps_coded_facts() -> None:
    person = Person("p-1", NOW, "Olena", 1991, "female", "+380501234567", "notes", dv=True)
    assert person.anonymise(LATER)
    assert (person.name, person.birth_year, person.phone, person.notes) == (None, None, None, None)
    assert person.gender == "female" and person.dv and person.anonymised_at == LATER
    assert not person.anonymise(LATER + timedelta(days=1))


def test_a_restriction_lies_ahead_has_a_coded_reason_and_announces_ids_only() -> None:
    now = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    made = Restriction.impose(
        id="r-1",
        person_id="p-1",
        site_id=None,
        until=now + timedelta(days=3),
        reason="theft",
        imposed_by="supervisor-1",
        now=now,
    )
    [event] = made.events
    assert isinstance(event, iv.RestrictionImposed)
    assert (event.person_id, event.site_id, event.until) == ("p-1", None, now + timedelta(days=3))
    for until, reason in (
        (now, "theft"),
        (now + timedelta(days=400), "theft"),
        (now + timedelta(days=1), "rude"),
    ):
        with pytest.raises(RuleViolation):
            Restriction.impose(
                id="r-2",
                person_id="p-1",
                site_id=None,
                until=until,
                reason=reason,
                imposed_by="supervisor-1",
                now=now,
            )


def test_a_card_carries_an_opaque_token_and_announces_only_its_digest() -> None:
    now = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    card = Card.issue(id="c-1", person_id="p-1", issued_by="staff-1", now=now)
    other = Card.issue(id="c-2", person_id="p-1", issued_by="staff-1", now=now)

    assert card.token.startswith("sbc1.") and card.token != other.token
    [issued] = card.events
    assert isinstance(issued, iv.CardIssued)
    assert issued.token_digest == token_digest(card.token) and card.token not in repr(issued)
    assert card.png().startswith(b"\x89PNG")
    assert card.revoke(now) and not card.revoke(now)
    assert isinstance(card.events[-1], iv.CardRevoked)
