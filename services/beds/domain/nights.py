"""Nights, the morning rollover and the nightly ledger's figures.

Night D of a site runs from D at the rollover time (default 08:00, site's timezone) to D+1 at the
rollover. A person counts for night D if they arrived during it, or were still there at its
midnight census (00:00 of D+1) — so a crisis-room resident counts every night they sleep there,
and nobody counts for the night they left in the morning.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UTC_ZONE = ZoneInfo("UTC")


def local_moment(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC_ZONE)


def night_of(moment: datetime, tz: ZoneInfo, rollover: time) -> date:
    local = moment.astimezone(tz)
    night = local.date() if local.time() >= rollover else local.date() - timedelta(days=1)
    # the wall clock repeats an hour in autumn (and skips one in spring): a rollover inside that
    # hour makes the wall-clock guess a night off, so settle it against the real window
    start, end = night_window(night, tz, rollover)
    if moment >= end:
        return night + timedelta(days=1)
    if moment < start:
        return night - timedelta(days=1)
    return night


def night_window(night: date, tz: ZoneInfo, rollover: time) -> tuple[datetime, datetime]:
    return local_moment(night, rollover, tz), local_moment(night + timedelta(days=1), rollover, tz)


def census_moment(night: date, tz: ZoneInfo) -> datetime:
    return local_moment(night + timedelta(days=1), time(0, 0), tz)


def next_rollover(after: datetime, tz: ZoneInfo, rollover: time) -> datetime:
    """The first morning rollover strictly after `after`: when a night-shelter stay ends."""
    return night_window(night_of(after, tz, rollover), tz, rollover)[1]


@dataclass(frozen=True)
class StayInterval:
    started_at: datetime
    ended_at: datetime | None
    place_kind: str
    source: str
    person_id: str | None = None


@dataclass(frozen=True)
class NightFigures:
    people: int = 0
    beds_used: int = 0
    mats_used: int = 0
    over_capacity: int = 0
    arrivals_by_source: dict[str, int] = field(default_factory=dict)
    # the people counted whose stay named them (intake's id → arrived this night): ids only, so
    # the reports can count a person who came back, or moved on, once
    named_people: dict[str, bool] = field(default_factory=dict)


def counts_for_night(stay: StayInterval, start: datetime, end: datetime, census: datetime) -> bool:
    arrived_during = start <= stay.started_at < end
    present_at_census = stay.started_at <= census and (stay.ended_at is None or stay.ended_at > census)
    return arrived_during or present_at_census


def night_figures(night: date, tz: ZoneInfo, rollover: time, stays: Iterable[StayInterval]) -> NightFigures:
    start, end = night_window(night, tz, rollover)
    census = census_moment(night, tz)
    counted = [s for s in stays if counts_for_night(s, start, end, census)]
    kinds = Counter(s.place_kind for s in counted)
    arrivals = Counter(s.source for s in counted if start <= s.started_at < end)
    named: dict[str, bool] = {}
    for s in counted:
        if s.person_id is not None:
            named[s.person_id] = named.get(s.person_id, False) or start <= s.started_at < end
    return NightFigures(
        people=len(counted),
        beds_used=kinds["bed"],
        mats_used=kinds["mat"],
        over_capacity=kinds["over_capacity"],
        arrivals_by_source=dict(sorted(arrivals.items())),
        named_people=named,
    )


@dataclass(frozen=True)
class NightSpan:
    """Moments before `ends` (and from the previous span's end) fall in the night that is the UTC
    date of `moment + shift`."""

    ends: datetime
    shift: timedelta

    def night_of(self, moment: datetime) -> date:
        return (moment.astimezone(UTC_ZONE) + self.shift).date()


class NightCalendar:
    """The nights `first`..`last` of one zone, their windows worked out once: a year of a city's
    referrals is put in its nights by bisection, not by a time-zone conversion each (the same
    answer as `night_of` for every moment inside the range)."""

    def __init__(self, first: date, last: date, tz: ZoneInfo, rollover: time):
        self.first, self.last = first, last
        count = (last - first).days + 1
        windows = [local_moment(first + timedelta(days=n), rollover, tz) for n in range(count + 1)]
        self.begins, self.ends = windows[0], windows[-1]
        # as POSIX seconds: comparing aware times of two tzinfo objects asks both for offsets
        self._starts = [moment.timestamp() for moment in windows]

    def windows(self) -> list[tuple[date, datetime, datetime]]:
        """Each night of the range with the moments it begins and ends."""
        moments = [datetime.fromtimestamp(at, UTC_ZONE) for at in self._starts]
        return [(self.first + timedelta(days=n), moments[n], moments[n + 1]) for n in range(len(moments) - 1)]

    def spans(self) -> list[NightSpan]:
        """The range cut where a moment's night stops being one shift away from it: within a span,
        the night of a moment is the UTC date of `moment + shift`. A zone without clock changes
        gives one span for any range, a year of Kyiv four (the shift changes with the clocks,
        and the autumn's 25-hour night is cut in two: no span may hold more than a day of one
        night). So a database can put a
        year of times into their nights with a few comparisons, not a table of 365 windows."""
        found: list[NightSpan] = []
        for night, begins, ends in self.windows():
            midnight = datetime.combine(night, time(0), tzinfo=UTC_ZONE)
            start, piece = begins, 0
            while start < ends:  # no piece longer than a day, or its end would fall on the next date
                piece_end = min(ends, start + timedelta(days=1))
                shift = midnight - begins - timedelta(days=piece)
                if found and found[-1].shift == shift:
                    found[-1] = NightSpan(piece_end, shift)
                else:
                    found.append(NightSpan(piece_end, shift))
                start, piece = piece_end, piece + 1
        return found

    def night_of(self, moment: datetime) -> date | None:
        """The night `moment` falls in, or None outside the range."""
        at = moment.timestamp()
        if not self._starts[0] <= at < self._starts[-1]:
            return None
        return self.first + timedelta(days=bisect_right(self._starts, at) - 1)
