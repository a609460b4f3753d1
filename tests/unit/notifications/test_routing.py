"""The routing table: who hears what (SPEC 5), without a database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from contracts.events import beds as ev
from contracts.events import intake as iv
from contracts.events.base import NeedsFacts, PartyFacts
from services.notifications.domain.alerts import ALERT_KINDS, Alert, AlertFacts
from services.notifications.domain.routing import route
from services.notifications.domain.teams import Team
from services.notifications.domain.texts import text

NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
SITE, OTHER_SITE = str(uuid.uuid4()), str(uuid.uuid4())


def team(kind: str, *sites: str) -> Team:
    return Team(str(uuid.uuid4()), kind, f"{kind} team", "uk", frozenset(sites))  # type: ignore[arg-type]


STAFF, OTHER_STAFF = team("shelter_staff", SITE), team("shelter_staff", OTHER_SITE)
PATROL, CRISIS, SUPERVISORS = team("patrol"), team("mobile_crisis"), team("supervisors")
TEAMS = [STAFF, OTHER_STAFF, PATROL, CRISIS, SUPERVISORS]


def heard(event: ev.Event) -> set[tuple[str, str]]:
    return {(r.kind, r.team.id) for r in route(event, TEAMS)}


def hold_placed(*, confidential: bool = False, referral: str | None = None) -> ev.HoldPlaced:
    return ev.HoldPlaced(
        hold_id=str(uuid.uuid4()),
        site_id=SITE,
        confidential=confidential,
        holder_team_id=PATROL.id,
        referral_id=referral,
        place_ids=[],
        party=PartyFacts(2, 1, "female"),
        needs=NeedsFacts(dv=confidential),
        expires_at=NOW + timedelta(minutes=90),
    )


def test_a_sites_staff_hear_that_people_are_on_the_way_and_nobody_else_does() -> None:
    assert heard(hold_placed()) == {("on_the_way", STAFF.id)}


def test_the_referring_team_hears_that_its_referral_has_a_place() -> None:
    assert heard(hold_placed(referral=str(uuid.uuid4()))) == {
        ("on_the_way", STAFF.id),
        ("referral_placed", PATROL.id),
    }


def test_the_holder_team_hears_its_hold_expiring_and_expired() -> None:
    facts = {
        "hold_id": str(uuid.uuid4()),
        "site_id": SITE,
        "confidential": False,
        "holder_team_id": CRISIS.id,
        "referral_id": None,
    }
    assert heard(ev.HoldExpiring(**facts, expires_at=NOW)) == {("hold_expiring", CRISIS.id)}
    assert heard(ev.HoldExpired(**facts)) == {("hold_expired", CRISIS.id)}


def test_a_sites_staff_hear_overflow_and_over_capacity() -> None:
    assert heard(ev.OverflowStarted(site_id=SITE, confidential=False, mats_used=1, mats_total=5)) == {
        ("overflow", STAFF.id)
    }
    over = ev.OverCapacity(site_id=OTHER_SITE, confidential=False, stay_id=str(uuid.uuid4()), over_capacity=1)
    assert heard(over) == {("over_capacity", OTHER_STAFF.id)}


def test_crisis_teams_and_supervisors_hear_stay_limits() -> None:
    stay = {
        "stay_id": str(uuid.uuid4()),
        "site_id": SITE,
        "confidential": True,
        "group_id": str(uuid.uuid4()),
    }
    both = {CRISIS.id, SUPERVISORS.id}
    assert {t for _, t in heard(ev.StayLimitApproaching(**stay, limit_at=NOW))} == both
    assert {k for k, _ in heard(ev.StayLimitReached(**stay, limit_at=NOW))} == {"stay_limit_reached"}


def test_every_patrol_hears_cold_weather_and_beds_free_again_but_never_of_a_confidential_site() -> None:
    assert heard(ev.ColdWeatherSwitchedOn(site_id=SITE, confidential=False, mats_total=10)) == {
        ("cold_weather", PATROL.id)
    }
    assert heard(ev.BedsFreeAgain(site_id=SITE, confidential=False, free_beds=3)) == {
        ("beds_free_again", PATROL.id)
    }
    assert heard(ev.BedsFreeAgain(site_id=SITE, confidential=True, free_beds=3)) == set()
    assert heard(ev.ColdWeatherSwitchedOn(site_id=SITE, confidential=True, mats_total=10)) == set()


def test_the_referring_team_hears_its_referral_waitlisted_and_offered() -> None:
    referral = str(uuid.uuid4())
    assert heard(ev.ReferralWaitlisted(referral_id=referral, team_id=CRISIS.id, position=3)) == {
        ("referral_waitlisted", CRISIS.id)
    }
    offered = ev.ReferralOffered(
        referral_id=referral,
        team_id=CRISIS.id,
        hold_id=str(uuid.uuid4()),
        site_id=SITE,
        confidential=True,
        party=PartyFacts(1, 0, "female"),
        needs=NeedsFacts(dv=True),
    )
    assert heard(offered) == {("referral_offered", CRISIS.id)}


def test_a_dv_alert_says_crisis_room_and_an_id_and_never_the_sites_name() -> None:
    alert = Alert(
        str(uuid.uuid4()),
        STAFF.id,
        "on_the_way",
        "e",
        NOW,
        AlertFacts(SITE, True, None, 3, NOW + timedelta(minutes=42)),
    )
    uk = text(alert, language="uk", public_name="Secret house", now=NOW)
    en = text(alert, language="en", public_name="Secret house", now=NOW)
    assert "Secret" not in uk + en
    assert uk.startswith(f"кризова кімната #{SITE[:8]}") and "42 хв" in uk and "3" in uk
    assert en.startswith(f"crisis room #{SITE[:8]}") and "42 min" in en


def test_an_alert_text_is_short_enough_for_a_lock_screen() -> None:
    facts = AlertFacts(SITE, False, None, 12, NOW + timedelta(hours=30), 99)
    for kind in (
        "on_the_way",
        "on_the_way_unacknowledged",
        "overflow",
        "referral_placed",
        "stay_limit_approaching",
    ):
        alert = Alert(str(uuid.uuid4()), STAFF.id, kind, "e", NOW, facts)  # type: ignore[arg-type]
        for language in ("uk", "en"):
            assert len(text(alert, language=language, public_name="Нічліжка на Городоцькій", now=NOW)) <= 100  # type: ignore[arg-type]


def referral_hold_facts(referral: str, *, confidential: bool = False) -> dict[str, object]:
    return {
        "hold_id": str(uuid.uuid4()),
        "site_id": SITE,
        "confidential": confidential,
        "holder_team_id": PATROL.id,
        "referral_id": referral,
    }


def test_the_referring_team_hears_every_step_of_its_referral_from_intake_and_beds() -> None:
    referral = str(uuid.uuid4())
    created = iv.ReferralCreated(
        referral_id=referral,
        source="patrol",
        team_id=PATROL.id,
        party=PartyFacts(2, 0, "male"),
        needs=NeedsFacts(),
        location=iv.ApproxLocation(49.84, 24.03),
        urgency="urgent",
    )
    hold = referral_hold_facts(referral)
    steps = [
        (created, "referral_received"),
        (ev.HoldExpiring(**hold, expires_at=NOW), "referral_expiring"),
        (ev.HoldExpired(**hold), "referral_expired"),
        (ev.HoldFulfilled(**hold, stay_ids=[str(uuid.uuid4())]), "referral_arrived"),
        (ev.HoldCancelled(**hold), "referral_released"),
        (ev.ReferralWaitlistExpired(referral_id=referral, team_id=PATROL.id), "referral_expired"),
        (iv.ReferralCancelled(referral_id=referral, team_id=PATROL.id), "referral_cancelled"),
    ]
    for event, kind in steps:
        assert heard(event) == {(kind, PATROL.id)}, type(event).__name__
        [routed] = route(event, TEAMS)
        assert routed.facts.subject_id == referral


def test_a_referral_without_a_team_is_heard_by_nobody() -> None:
    assert heard(iv.ReferralCancelled(referral_id=str(uuid.uuid4()), team_id=None)) == set()


def test_a_dv_referrals_alerts_say_crisis_room_and_its_id_only() -> None:
    referral = str(uuid.uuid4())
    placed = hold_placed(confidential=True, referral=referral)
    assert {r.kind for r in route(placed, TEAMS)} == {"on_the_way", "referral_placed"}
    [for_referrer] = [r for r in route(placed, TEAMS) if r.kind == "referral_placed"]
    assert for_referrer.facts.site_id is None and for_referrer.facts.confidential
    created = iv.ReferralCreated(
        referral_id=referral,
        source="mobile_team",
        team_id=CRISIS.id,
        party=PartyFacts(1, 2, "female"),
        needs=NeedsFacts(dv=True),
        location=iv.ApproxLocation(48.46, 35.04),
        urgency="emergency",
    )
    events = [placed, created, ev.HoldExpired(**referral_hold_facts(referral, confidential=True))]
    for event in events:
        for r in (r for r in route(event, TEAMS) if r.kind.startswith("referral_")):
            alert = Alert(str(uuid.uuid4()), r.team.id, r.kind, "e", NOW, r.facts)
            for language, room in (("uk", "кризова кімната"), ("en", "crisis room")):
                said = text(alert, language=language, public_name="Secret house", now=NOW)  # type: ignore[arg-type]
                assert said.startswith(f"{room} · #{referral[:8]}: "), said
                assert (
                    SITE[:8] not in said
                    and "Secret" not in said
                    and not any(ch.isdigit() for ch in said.split(":")[1])
                )


def test_every_alert_kind_has_a_text_in_both_languages_short_enough_for_a_lock_screen() -> None:
    facts = AlertFacts(SITE, False, str(uuid.uuid4()), 12, NOW + timedelta(hours=30), 99)
    for kind in ALERT_KINDS:
        alert = Alert(str(uuid.uuid4()), STAFF.id, kind, "e", NOW, facts)  # type: ignore[arg-type]
        for language in ("uk", "en"):
            said = text(alert, language=language, public_name="Нічліжка на Городоцькій", now=NOW)  # type: ignore[arg-type]
            assert 0 < len(said) <= 100 and "{" not in said


def test_the_holder_of_a_hold_at_a_crisis_room_hears_it_acknowledged_without_the_sites_id() -> None:
    hold = str(uuid.uuid4())
    facts = AlertFacts(None, True, hold, 3, NOW + timedelta(minutes=40))
    alert = Alert(str(uuid.uuid4()), PATROL.id, "on_the_way_acknowledged", "e", NOW, facts)
    assert (
        text(alert, language="en", public_name=None, now=NOW)
        == f"crisis room · #{hold[:8]}: they know you are coming"
    )
