"""The figures a centre publishes, computed from beds' own records and the read models intake's
events feed. Pure: every input is a plain record or a sum the database took.

- **People served** are stays: a stay counted for a night in the range (it began then, or was
  there at a midnight census); nights in a row at a crisis room count once. The sum is taken
  from the ledger alone (`LedgerTotals.people_served`) — no scan of stays. **Distinct people**
  count a stay that names intake's person id (a referral's hold, a card, a check-in that gave
  it) once per person, from the ids each closed night kept (`ledger_people`); a stay that names
  nobody counts once. beds holds ids, never names: anonymising a person in intake changes
  nothing here.
- **Bed-nights, mat-nights, over capacity and arrivals** add up the nightly ledger.
- **Crisis placements** are the stays that began in the range at crisis rooms: how long they
  stayed (days, to their end or to the range's last morning), how many were extended.
- **Referrals** are those made in the range (nights of the city's default zone): their outcome
  now and time from referral to check-in, tallied by the database.
- **Unmet demand**, per night: referrals that ended without a place (expired, cancelled) by the
  night they were made, and the people turned away at full sites; both, and their total.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
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
    # the same count over the stays that named their person (the ledger's `ledger_people`), and
    # how many distinct people those were
    named_stays: int = 0
    named_people: int = 0

    @property
    def people_served(self) -> int:
        """A stay counts on the night it arrived and then on every night in a row while it
        stays: the stays of a range are each site's first night's people plus every later
        night's arrivals."""
        return self.first_nights_people + sum(self.arrivals_by_source.values()) - self.first_nights_arrivals

    @property
    def distinct_people(self) -> int:
        """Each stay that names nobody is someone; the stays that name a person are as many
        people as distinct ids."""
        return self.people_served - self.named_stays + self.named_people


@dataclass(frozen=True)
class CrisisTotals:
    """Crisis-room stays begun on a night of the range, added up by the database. Each stay is
    measured to its check-out or, while it lasts, to the range's last morning at its site (or to
    now, if that morning has not come): a past range's figures never change."""

    placements: int = 0
    parties: int = 0
    still_staying: int = 0
    stay_seconds: float = 0.0
    longest_seconds: float | None = None
    extended: int = 0
    extension_days: int = 0


@dataclass(frozen=True)
class ReferralTally:
    """How many referrals made in the range stand where they do: the placement read model's
    status, its hold's (if it had one), and whether they waited. `night`: the night they were
    made, when tallied by night."""

    placement_status: str
    hold_status: str | None
    waited: bool
    count: int
    night: date | None = None

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


@dataclass(frozen=True)
class PlacementWaits:
    """Seconds from referral to check-in over the placed referrals (their hold fulfilled):
    how many, their sum, and the one or two in the middle of them in order."""

    placed: int = 0
    total_seconds: float = 0.0
    middle: tuple[float, ...] = ()


@dataclass(frozen=True)
class TurnawayNight:
    night: date
    people: int


# -- what comes out (the public answer; documented in the OpenAPI document) ----------------------


class PeopleServed(msgspec.Struct, kw_only=True):
    """`served`: stays counted for a night of the range (a person who returns another night
    counts again; nights in a row in one stay count once). `distinct_people`: people, where a
    stay names one (intake's person id: from the referral's hold, an express check-in card or
    the check-in) each counted once however often they came back or moved on; a stay that names
    nobody (an anonymous walk-in, who came with the person named) counts once per stay.
    `named_people`: of those, the people known by id. Ids only — anonymising a person in intake
    erases their name, never the id, so these figures do not change. `person_nights`: the
    ledger's people, summed. `peak_people`: the most people one site had in one night."""

    served: Annotated[int, msgspec.Meta(description="stays counted for a night of the range")]
    distinct_people: Annotated[
        int,
        msgspec.Meta(
            description="people: each person a stay names (intake's id) once; each stay that names "
            "nobody (an anonymous walk-in) once"
        ),
    ]
    named_people: Annotated[int, msgspec.Meta(description="of those, the people known by id")]
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


UnplacedReferrals = Annotated[
    int, msgspec.Meta(description="referrals that ended without a place (expired or cancelled)")
]
TurnedAway = Annotated[
    int, msgspec.Meta(description="people (adults and children) turned away at full sites")
]
UnmetTotal = Annotated[int, msgspec.Meta(description="`referrals` + `turned_away`")]


class UnmetNight(msgspec.Struct, kw_only=True):
    night: date
    referrals: UnplacedReferrals
    turned_away: TurnedAway
    total: UnmetTotal


class UnmetDemand(msgspec.Struct, kw_only=True):
    """People who asked for a place and got none, by night: `referrals` that ended without a
    place (expired or cancelled; the night they were made, in the city's default zone) and the
    people `turned_away` at full sites (`POST /sites/{id}/turnaways`: adults and children, on the
    site's own night); `total` adds both. Every night of the range is listed, zeros too."""

    referrals: UnplacedReferrals
    turned_away: TurnedAway
    total: UnmetTotal
    by_night: list[UnmetNight]


class ReportSummary(msgspec.Struct, kw_only=True):
    """The figures a centre publishes for the nights `from`..`to` (both included), for one site
    (`site_id`) or every site. Referrals made at one site's request are not a site's: with
    `site_id`, `referrals` and `unmet_demand.referrals` count those whose hold was at the site
    (`unmet_demand.turned_away`: the people that site turned away), and `trips` (a team's, not a
    site's) is null."""

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
            distinct_people=totals.distinct_people,
            named_people=totals.named_people,
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


def _days(seconds: float) -> float:
    return round(seconds / 86400, 1)


def crisis_figures(totals: CrisisTotals) -> CrisisFigures:
    placed = totals.placements
    return CrisisFigures(
        placements=placed,
        parties=totals.parties,
        still_staying=totals.still_staying,
        average_stay_days=_days(totals.stay_seconds / placed) if placed else None,
        max_stay_days=None if not placed or totals.longest_seconds is None else _days(totals.longest_seconds),
        extended=totals.extended,
        extension_days=totals.extension_days,
    )


def crisis_sum(parts: Sequence[CrisisTotals]) -> CrisisTotals:
    """The sums of rooms that keep different clocks, put together."""
    longest = [part.longest_seconds for part in parts if part.longest_seconds is not None]
    return CrisisTotals(
        placements=sum(part.placements for part in parts),
        parties=sum(part.parties for part in parts),  # a party is at one room: no overlap
        still_staying=sum(part.still_staying for part in parts),
        stay_seconds=sum(part.stay_seconds for part in parts),
        longest_seconds=max(longest) if longest else None,
        extended=sum(part.extended for part in parts),
        extension_days=sum(part.extension_days for part in parts),
    )


def median(middle: Sequence[float]) -> float | None:
    """The median from the middle one (an odd count) or two (an even count) values."""
    return sum(middle) / len(middle) if middle else None


def referral_figures(tallies: Sequence[ReferralTally], waits: PlacementWaits) -> ReferralFigures:
    outcomes: Counter[str] = Counter()
    for tally in tallies:
        outcomes[tally.outcome] += tally.count
    p50 = median(waits.middle)
    return ReferralFigures(
        made=sum(t.count for t in tallies),
        by_outcome={outcome: outcomes.get(outcome, 0) for outcome in get_args(ReferralOutcome)},
        waited=sum(t.count for t in tallies if t.waited),
        time_to_placement=TimeToPlacement(
            placed=waits.placed,
            p50_minutes=None if p50 is None else round(p50 / 60, 1),
            average_minutes=round(waits.total_seconds / waits.placed / 60, 1) if waits.placed else None,
        ),
    )


def unmet_demand(
    by_night: Iterable[ReferralTally], turned_away: Iterable[TurnawayNight], start: date, end: date
) -> UnmetDemand:
    referrals: Counter[date] = Counter()
    for tally in by_night:
        if tally.outcome in UNMET and tally.night is not None:
            referrals[tally.night] += tally.count
    people: Counter[date] = Counter()
    for night in turned_away:
        people[night.night] += night.people
    nights = [
        UnmetNight(
            night=n,
            referrals=referrals.get(n, 0),
            turned_away=people.get(n, 0),
            total=referrals.get(n, 0) + people.get(n, 0),
        )
        for n in nights_between(start, end)
    ]
    unplaced, away = sum(n.referrals for n in nights), sum(n.turned_away for n in nights)
    return UnmetDemand(referrals=unplaced, turned_away=away, total=unplaced + away, by_night=nights)


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
    crisis: CrisisTotals
    referrals: Sequence[ReferralTally]
    waits: PlacementWaits
    unmet_referrals: Sequence[ReferralTally]  # by night
    turned_away: Sequence[TurnawayNight]
    trip_outcomes: Sequence[str] | None


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
        crisis=crisis_figures(given.crisis),
        referrals=referral_figures(given.referrals, given.waits),
        trips=None if given.trip_outcomes is None else trip_figures(given.trip_outcomes),
        unmet_demand=unmet_demand(given.unmet_referrals, given.turned_away, given.start, given.end),
    )


def check_range(start: date, end: date) -> None:
    """Raises ValueError with what is wrong: the API answers it as a 400."""
    if start > end:
        raise ValueError("`from` must not be after `to`.")
    if (end - start).days + 1 > MAX_REPORT_NIGHTS:
        raise ValueError(f"Ask for at most {MAX_REPORT_NIGHTS} nights at a time.")
