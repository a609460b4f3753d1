"""Stays: a person on a place (or over capacity) from check-in to check-out or the rollover,
with the stay limit of sites that have one (crisis rooms: 10 days)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

from common.errors import Conflict, RuleViolation
from contracts.events import beds as ev
from contracts.events.base import Event
from services.beds.domain.sites import Site

E = TypeVar("E", bound=ev.StayFacts)
StayPlaceKind = Literal["bed", "mat", "over_capacity"]
# `left`: no presence confirmed for N nights, and the site was told a night before (no check-out).
EndReason = Literal["checkout", "rollover", "left"]
LIMIT_WARNING_LEAD = timedelta(days=2)
DEFAULT_ABSENT_NIGHTS = 3
MAX_EXTENSION_DAYS = 30
MAX_BACKDATE = timedelta(days=14)


@dataclass(eq=False)
class Stay:
    id: str
    site_id: str
    place_id: str | None
    place_kind: StayPlaceKind
    group_id: str
    started_at: datetime
    recorded_at: datetime
    source: str
    is_child: bool = False
    scheduled_end: datetime | None = None
    limit_at: datetime | None = None
    extension_days: int = 0
    limit_warned_at: datetime | None = None
    limit_reached_at: datetime | None = None
    ended_at: datetime | None = None
    end_reason: EndReason | None = None
    hold_id: str | None = None
    referral_id: str | None = None
    team_id: str | None = None
    # When staff last confirmed the person is here (a roll call; check-in counts): at sites that
    # keep people for days (not night shelters), a stay unseen for N nights ends as `left`.
    last_seen_at: datetime | None = None
    # Set when the site is warned: the stay ends as `left` then, unless someone sees them first.
    leaves_at: datetime | None = None
    # intake's person id, when someone named them (check-in, card, the referral's hold): the
    # reports count distinct people by it; anonymous otherwise
    person_id: str | None = None
    events: list[Event] = field(default_factory=list, repr=False)

    @property
    def open(self) -> bool:
        return self.ended_at is None

    @property
    def backdated(self) -> bool:
        return self.recorded_at - self.started_at > timedelta(minutes=5)

    def present_at(self, moment: datetime) -> bool:
        return self.started_at <= moment and (self.ended_at is None or self.ended_at > moment)

    def days_left(self, now: datetime) -> float | None:
        if self.limit_at is None:
            return None
        return round((self.limit_at - now).total_seconds() / 86400, 2)

    def _event(self, site: Site, event_type: type[E], **facts: Any) -> E:
        return event_type(
            stay_id=self.id,
            site_id=self.site_id,
            confidential=site.confidential,
            group_id=self.group_id,
            **facts,
        )

    def started_event(self, site: Site) -> ev.StayStarted:
        return self._event(
            site,
            ev.StayStarted,
            place_id=self.place_id,
            place_kind=self.place_kind,
            started_at=self.started_at,
            source=self.source,
            hold_id=self.hold_id,
            referral_id=self.referral_id,
            team_id=self.team_id,
            limit_at=self.limit_at,
            backdated=self.backdated,
        )

    def end(self, site: Site, at: datetime, reason: EndReason) -> None:
        if not self.open:
            raise Conflict("This stay has already ended.", code="stay-ended")
        self.ended_at = max(at, self.started_at)
        self.end_reason = reason
        self.events.append(self._event(site, ev.StayEnded, ended_at=self.ended_at, reason=reason))

    def move_to(self, site: Site, place_id: str, place_kind: StayPlaceKind, left: str | None) -> None:
        """Another place on the same site: the stay goes on, its start and limit unchanged."""
        if not self.open:
            raise Conflict("This stay has already ended.", code="stay-ended")
        self.place_id = place_id
        self.place_kind = place_kind
        self.events.append(
            self._event(site, ev.StayMoved, from_place_id=left, place_id=place_id, place_kind=place_kind)
        )

    def extend(self, site: Site, days: int, reason: str, now: datetime) -> None:
        """Past the limit nobody is evicted by software; a supervisor may extend, with a reason
        (kept in the audit log, never in the event)."""
        if not reason.strip():
            raise RuleViolation("An extension needs a reason.", code="reason-required")
        if not self.open:
            raise Conflict("This stay has already ended.", code="stay-ended")
        if self.limit_at is None:
            raise RuleViolation("This stay has no limit to extend.", code="no-stay-limit")
        if not 1 <= days <= MAX_EXTENSION_DAYS:
            raise RuleViolation(f"Extend a stay by 1 to {MAX_EXTENSION_DAYS} days.", code="invalid-extension")
        self.limit_at += timedelta(days=days)
        self.extension_days += days
        # The alerts apply again to the new limit.
        if self.limit_at - LIMIT_WARNING_LEAD > now:
            self.limit_warned_at = None
        if self.limit_at > now:
            self.limit_reached_at = None
        self.events.append(self._event(site, ev.StayExtended, days=days, limit_at=self.limit_at))

    def confirm_presence(self, now: datetime) -> None:
        """Seen tonight: the count of nights without a sign of them starts again."""
        if not self.open:
            raise Conflict("This stay has already ended.", code="stay-ended")
        if self.last_seen_at is None:
            return  # a night-shelter stay ends every morning anyway
        self.last_seen_at = max(self.last_seen_at, now)
        self.leaves_at = None

    def warn_absent(self, site: Site, absent_nights: int, now: datetime) -> bool:
        """Unseen for all but the last of `absent_nights`: the site hears that the stay ends as
        `left` at `leaves_at` — never sooner than the warning's lead from now, even if the clocks
        were down when it was due."""
        if not self.open or self.last_seen_at is None or self.leaves_at is not None:
            return False
        lead = absence_warning_lead(absent_nights)
        ends = self.last_seen_at + timedelta(days=absent_nights)
        if ends - lead > now:
            return False
        self.leaves_at = max(ends, now + lead)
        self.events.append(
            self._event(site, ev.StayAbsent, last_seen_at=self.last_seen_at, ends_at=self.leaves_at)
        )
        return True

    def limit_alerts_due(self, site: Site, now: datetime) -> int:
        """Raises `limit_approaching` (2 days before) and `limit_reached`; nobody is evicted by software."""
        if not self.open or self.limit_at is None:
            return 0
        raised = 0
        if self.limit_warned_at is None and self.limit_at - LIMIT_WARNING_LEAD <= now < self.limit_at:
            self.limit_warned_at = now
            self.events.append(
                self._event(site, ev.StayLimitApproaching, limit_at=self.limit_at, team_id=self.team_id)
            )
            raised += 1
        if self.limit_reached_at is None and self.limit_at <= now:
            self.limit_reached_at = now
            self.limit_warned_at = self.limit_warned_at or now
            self.events.append(
                self._event(site, ev.StayLimitReached, limit_at=self.limit_at, team_id=self.team_id)
            )
            raised += 1
        return raised


def absence_warning_lead(absent_nights: int) -> timedelta:
    """The site hears a night before the stay ends (half the time for a one-night setting)."""
    return timedelta(days=1) if absent_nights > 1 else timedelta(hours=12)


def check_started_at(started_at: datetime | None, now: datetime) -> datetime:
    """A check-in may be recorded late (up to 14 days back), never in the future."""
    if started_at is None:
        return now
    if started_at.tzinfo is None:
        raise RuleViolation("started_at needs a UTC offset (RFC 3339).", code="invalid-started-at")
    if started_at > now + timedelta(seconds=5):
        raise RuleViolation("started_at is in the future.", code="invalid-started-at")
    if now - started_at > MAX_BACKDATE:
        raise RuleViolation("started_at may be at most 14 days back.", code="invalid-started-at")
    return min(started_at, now)
