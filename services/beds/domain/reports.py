"""The figures a centre publishes, computed from beds' own records and the read models intake's
events feed. Pure: every input is a plain record, `now` is given.

- **People served** are stays: a stay counted for a night in the range (it began then, or was
  there at a midnight census). beds knows nobody by name, so a person who comes back on another
  night, or moves to another site, counts again; nights in a row at a crisis room count once.
  The sum is taken from the ledger alone (`LedgerTotals.people_served`) — no scan of stays, and
  anonymising a person in intake changes nothing here (beds never had their name).
- **Bed-nights, mat-nights, over capacity and arrivals** add up the nightly ledger.
- **Crisis placements** are the stays that began in the range at crisis rooms: how long they
  stayed (days, to their end or to now), how many were extended.
- **Referrals** are those made in the range (nights of the city's default zone): their outcome
  now, time from referral to check-in, and unmet demand — those that ended without a place
  (expired, cancelled) — per night they were made.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated, Literal, get_args

import msgspec

from contracts.events.base import Source
from contracts.events.intake import TripOutcome

MAX_REPORT_NIGHTS = 366
ReferralOutcome = Literal["placed", "held", "waitlisted", "expired", "cancelled"]
UNMET: frozenset[str] = frozenset({"expired", "cancelled"})
Night = Annotated[
    date, msgspec.Meta(description="a night: from the morning rollover of this date to the next")
]


# -- what goes in -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerNight:
    site_id: str
    site_kind: str
    night: date
    people: int
    beds_used: int
    mats_used: int
    over_capacity: int
    arrivals_by_source: dict[str, int]


@dataclass(frozen=True)
class LedgerTotals:
    """The nightly ledger of a range added up (by the database: a year of a city is ~36,500 rows).
    `first_nights_*`: over the sites, the people and the arrivals of each site's first night in
    the range. Peaks: the most in one night at one site, the first such night."""

    nights_closed: int = 0
    person_nights: int = 0
    bed_nights: int = 0
    mat_nights: int = 0
    over_capacity_nights: int = 0
    over_capacity_people: int = 0
    peak_people: int = 0
    peak_people_night: date | None = None
    peak_over_capacity: int = 0
    peak_over_capacity_night: date | None = None
    arrivals_by_source: Mapping[str, int] = field(default_factory=dict)
    first_nights_people: int = 0
    first_nights_arrivals: int = 0

    @property
    def people_served(self) -> int:
        """A stay counts on the night it arrived and then on every night in a row while it
        stays: the stays of a range are each site's first night's people plus every later
        night's arrivals."""
        return self.first_nights_people + sum(self.arrivals_by_source.values()) - self.first_nights_arrivals


@dataclass(frozen=True)
class CrisisStay:
    group_id: str
    started_at: datetime
    ended_at: datetime | None
    extension_days: int
    # the last morning of the range at the stay's site: a past range's figures never change
    range_ends_at: datetime

    def counted_until(self, now: datetime) -> datetime:
        until = min(now, self.range_ends_at)
        return until if self.ended_at is None else min(self.ended_at, until)

    def staying_at(self, now: datetime) -> bool:
        return self.ended_at is None or self.ended_at > min(now, self.range_ends_at)


@dataclass(frozen=True)
class ReferralRecord:
    """A referral as beds' placement read model knows it, with its hold's outcome if it had one."""

    night: date  # the night it was made
    placement_status: str
    waited: bool
    referred_at: datetime
    hold_status: str | None = None
    checked_in_at: datetime | None = None

    @property
    def outcome(self) -> ReferralOutcome:
        if self.hold_status == "fulfilled":
            return "placed"
        if self.placement_status == "cancelled" or self.hold_status == "cancelled":
            return "cancelled"
        if self.placement_status == "expired" or self.hold_status == "expired":
            return "expired"
        if self.placement_status == "waitlisted":
            return "waitlisted"
        return "held"


# -- what comes out (the public answer; documented in the OpenAPI document) ----------------------


class PeopleServed(msgspec.Struct, kw_only=True):
    """`served`: stays counted for a night of the range (a person who returns another night
    counts again: beds knows no one by name). `person_nights`: the ledger's people, summed.
    `peak_people`: the most people one site had in one night, and that night."""

    served: int
    person_nights: int
    peak_people: int
    peak_night: date | None


class OverCapacityFigures(msgspec.Struct, kw_only=True):
    """`nights`: nights at a site with anyone over capacity (past the last mat).
    `person_nights`: people over capacity, summed. `peak`: the most over capacity in one night
    at one site, and that night."""

    nights: int
    person_nights: int
    peak: int
    peak_night: date | None


class CrisisFigures(msgspec.Struct, kw_only=True):
    """Stays begun in the range at crisis rooms. `placements`: people; `parties`: families or
    people placed together. Stays in days, one decimal: to the check-out, or — for those
    `still_staying` at the range's last morning — to that morning (or to now, if it has not come
    yet). `extended`: stays a supervisor extended; `extension_days`: the days added."""

    placements: int
    parties: int
    still_staying: int
    average_stay_days: float | None
    max_stay_days: float | None
    extended: int
    extension_days: int


class TimeToPlacement(msgspec.Struct, kw_only=True):
    """Minutes from the referral to the check-in, over the placed referrals (null if none)."""

    placed: int
    p50_minutes: float | None
    average_minutes: float | None


class ReferralFigures(msgspec.Struct, kw_only=True):
    """Referrals made in the range, by where they stand now: `placed` (checked in), `held` (a
    place is held, they are on the way), `waitlisted` (waiting now), `expired` (a hold lapsed or
    the wait ran out), `cancelled`. `waited`: those that were on the waitlist at some point."""

    made: int
    by_outcome: dict[ReferralOutcome, int]
    waited: int
    time_to_placement: TimeToPlacement


class TripFigures(msgspec.Struct, kw_only=True):
    """Mobile-team and patrol trips begun in the range, by outcome."""

    total: int
    by_outcome: dict[TripOutcome, int]


class UnmetNight(msgspec.Struct, kw_only=True):
    night: date
    referrals: int


class UnmetDemand(msgspec.Struct, kw_only=True):
    """Referrals that ended without a place (expired or cancelled), by the night they were made;
    every night of the range is listed, zeros too."""

    total: int
    by_night: list[UnmetNight]


class ReportSummary(msgspec.Struct, kw_only=True):
    """The figures a centre publishes for the nights `from`..`to` (both included), for one site
    (`site_id`) or every site. Referrals made at one site's request are not a site's: with
    `site_id`, `referrals` and `unmet_demand` count those whose hold was at the site, and `trips`
    (a team's, not a site's) is null."""

    start: date = msgspec.field(name="from")
    end: date = msgspec.field(name="to")
    site_id: str | None
    nights: int
    nights_closed: int
    people: PeopleServed
    bed_nights: int
    mat_nights: int
    over_capacity: OverCapacityFigures
    arrivals_by_source: dict[Source, int]
    crisis: CrisisFigures
    referrals: ReferralFigures
    trips: TripFigures | None
    unmet_demand: UnmetDemand


# -- how ---------------------------------------------------------------------------------------


def nights_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def ledger_figures(totals: LedgerTotals) -> tuple[PeopleServed, OverCapacityFigures, dict[Source, int]]:
    return (
        PeopleServed(
            served=totals.people_served,
            person_nights=totals.person_nights,
            peak_people=totals.peak_people,
            peak_night=totals.peak_people_night,
        ),
        OverCapacityFigures(
            nights=totals.over_capacity_nights,
            person_nights=totals.over_capacity_people,
            peak=totals.peak_over_capacity,
            peak_night=totals.peak_over_capacity_night,
        ),
        {source: totals.arrivals_by_source.get(source, 0) for source in get_args(Source)},
    )


def _days(span: timedelta) -> float:
    return round(span.total_seconds() / 86400, 1)


def crisis_figures(stays: Sequence[CrisisStay], now: datetime) -> CrisisFigures:
    lengths = [_days(s.counted_until(now) - s.started_at) for s in stays]
    return CrisisFigures(
        placements=len(stays),
        parties=len({s.group_id for s in stays}),
        still_staying=sum(1 for s in stays if s.staying_at(now)),
        average_stay_days=round(sum(lengths) / len(lengths), 1) if lengths else None,
        max_stay_days=max(lengths) if lengths else None,
        extended=sum(1 for s in stays if s.extension_days > 0),
        extension_days=sum(s.extension_days for s in stays),
    )


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def referral_figures(referrals: Sequence[ReferralRecord]) -> ReferralFigures:
    outcomes = Counter(r.outcome for r in referrals)
    waits = [
        (r.checked_in_at - r.referred_at).total_seconds() / 60
        for r in referrals
        if r.outcome == "placed" and r.checked_in_at is not None
    ]
    p50 = median(waits)
    return ReferralFigures(
        made=len(referrals),
        by_outcome={outcome: outcomes.get(outcome, 0) for outcome in get_args(ReferralOutcome)},
        waited=sum(1 for r in referrals if r.waited),
        time_to_placement=TimeToPlacement(
            placed=len(waits),
            p50_minutes=None if p50 is None else round(p50, 1),
            average_minutes=round(sum(waits) / len(waits), 1) if waits else None,
        ),
    )


def unmet_demand(referrals: Iterable[ReferralRecord], start: date, end: date) -> UnmetDemand:
    per_night = Counter(r.night for r in referrals if r.outcome in UNMET)
    by_night = [UnmetNight(night=n, referrals=per_night.get(n, 0)) for n in nights_between(start, end)]
    return UnmetDemand(total=sum(n.referrals for n in by_night), by_night=by_night)


def trip_figures(outcomes: Iterable[str]) -> TripFigures:
    counted = Counter(outcomes)
    by_outcome = {outcome: counted.get(outcome, 0) for outcome in get_args(TripOutcome)}
    return TripFigures(total=sum(by_outcome.values()), by_outcome=by_outcome)


@dataclass(frozen=True)
class ReportInputs:
    start: date
    end: date
    site_id: str | None
    ledger: LedgerTotals
    crisis_stays: Sequence[CrisisStay]
    referrals: Sequence[ReferralRecord]
    trip_outcomes: Sequence[str] | None
    now: datetime


def summary(given: ReportInputs) -> ReportSummary:
    people, over_capacity, arrivals = ledger_figures(given.ledger)
    return ReportSummary(
        start=given.start,
        end=given.end,
        site_id=given.site_id,
        nights=(given.end - given.start).days + 1,
        nights_closed=given.ledger.nights_closed,
        people=people,
        bed_nights=given.ledger.bed_nights,
        mat_nights=given.ledger.mat_nights,
        over_capacity=over_capacity,
        arrivals_by_source=arrivals,
        crisis=crisis_figures(given.crisis_stays, given.now),
        referrals=referral_figures(given.referrals),
        trips=None if given.trip_outcomes is None else trip_figures(given.trip_outcomes),
        unmet_demand=unmet_demand(given.referrals, given.start, given.end),
    )


def check_range(start: date, end: date) -> None:
    """Raises ValueError with what is wrong: the API answers it as a 400."""
    if start > end:
        raise ValueError("`from` must not be after `to`.")
    if (end - start).days + 1 > MAX_REPORT_NIGHTS:
        raise ValueError(f"Ask for at most {MAX_REPORT_NIGHTS} nights at a time.")
