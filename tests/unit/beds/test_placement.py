"""The placement order and the waitlist's rules, without a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from contracts.events import beds as ev
from services.beds.domain.party import Party
from services.beds.domain.placement import Placement, in_order_of_trial

NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Found:
    name: str
    kind: str
    on_beds: bool


def test_a_fitting_bed_anywhere_comes_before_a_mat_and_mats_only_at_night_shelters() -> None:
    nearest_first = [
        Found("mats near", "night_shelter", False),
        Found("shelter, no bed", "shelter", False),
        Found("bed further", "shelter", True),
        Found("mats far", "night_shelter", False),
    ]
    assert [f.name for f in in_order_of_trial(nearest_first)] == ["bed further", "mats near", "mats far"]


def test_the_waitlist_serves_urgency_first() -> None:
    ranks = [
        Placement(f"r-{u}", "waitlisted", NOW, NOW, urgency=u).urgency_rank
        for u in ("emergency", "urgent", "routine")
    ]
    assert ranks == sorted(ranks) and len(set(ranks)) == 3


def test_a_wait_lapses_only_after_its_hours() -> None:
    p = Placement("r-1", "waitlisted", NOW, NOW, party=Party(1, 0, "male"))
    p.wait(NOW, position=3, hours=12)
    assert isinstance(p.events[-1], ev.ReferralWaitlisted) and p.events[-1].position == 3
    assert not p.lapse(NOW + timedelta(hours=11))
    assert p.lapse(NOW + timedelta(hours=12))
    assert p.status == "expired" and isinstance(p.events[-1], ev.ReferralWaitlistExpired)
    assert not p.lapse(NOW + timedelta(hours=13))


def test_the_waitlist_is_woken_by_what_frees_a_place_and_not_by_what_takes_one() -> None:
    from contracts.events.base import NeedsFacts, PartyFacts
    from services.beds.domain.placement import may_free_a_place

    hold = dict(hold_id="h", site_id="s", confidential=False, holder_team_id=None, referral_id=None)
    facts = dict(place_ids=[], party=PartyFacts(1, 0, "male"), needs=NeedsFacts())
    capacity = ev.CapacityChanged(
        site_id="s", confidential=False, free_beds=1, free_mats=0, beds_total=2,
        beds_occupied=1, beds_held=0, mats_total=0, mats_used=0, over_capacity=0,
    )  # fmt: skip
    placed = ev.HoldPlaced(**hold, **facts, expires_at=NOW)  # type: ignore[arg-type]
    expired = ev.HoldExpired(**hold)  # type: ignore[arg-type]
    cold = ev.ColdWeatherSwitchedOn(site_id="s", confidential=False, mats_total=5)
    assert may_free_a_place([expired, capacity])
    assert may_free_a_place([cold, capacity])
    assert may_free_a_place([capacity])  # mats set by hand: nothing was taken
    assert not may_free_a_place([placed, capacity])
    assert not may_free_a_place([ev.ReferralWaitlisted(referral_id="r", team_id=None, position=1)])
    assert not may_free_a_place([])
