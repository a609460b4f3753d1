"""Holds: places kept for a person or family on the way, until they arrive or the hold lapses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

from common.errors import Conflict, RuleViolation
from contracts.events import beds as ev
from contracts.events.base import Event, NeedsFacts, PartyFacts
from services.beds.domain.party import Needs, Party
from services.beds.domain.sites import Site

E = TypeVar("E", bound=ev.HoldFacts)
HoldStatus = Literal["active", "fulfilled", "expired", "cancelled"]
DEFAULT_HOLD_MINUTES = 90
WARNING_LEAD = timedelta(minutes=15)
MAX_HOLD_MINUTES = 12 * 60
# One token (a lost phone, or a patrol "reserving" a whole site) must not keep a site's beds
# from everyone else: open holds are capped per caller and per team, across all sites.
MAX_OPEN_HOLDS_PER_CALLER = 5
MAX_OPEN_HOLDS_PER_TEAM = 15


@dataclass(frozen=True)
class OpenHolds:
    by_caller: int
    by_team: int


def require_room_for_another_hold(open_holds: OpenHolds) -> None:
    if open_holds.by_caller >= MAX_OPEN_HOLDS_PER_CALLER:
        raise Conflict(
            f"You already keep {open_holds.by_caller} open holds (at most {MAX_OPEN_HOLDS_PER_CALLER}); "
            "check in, cancel or let one lapse first.",
            code="too-many-holds",
        )
    if open_holds.by_team >= MAX_OPEN_HOLDS_PER_TEAM:
        raise Conflict(
            f"Your team already keeps {open_holds.by_team} open holds (at most {MAX_OPEN_HOLDS_PER_TEAM}); "
            "check in, cancel or let one lapse first.",
            code="too-many-team-holds",
        )


def warning_time(placed_at: datetime, expires_at: datetime) -> datetime:
    """15 minutes before expiry; for a short hold, halfway, so the warning is never instant."""
    return expires_at - min(WARNING_LEAD, (expires_at - placed_at) / 2)


def hold_minutes(eta_minutes: int | None) -> int:
    minutes = DEFAULT_HOLD_MINUTES if eta_minutes is None else eta_minutes
    if not 1 <= minutes <= MAX_HOLD_MINUTES:
        raise RuleViolation(f"A hold lasts 1 to {MAX_HOLD_MINUTES} minutes.", code="invalid-hold-time")
    return minutes


@dataclass(eq=False)
class Hold:
    id: str
    site_id: str
    party: Party
    needs: Needs
    status: HoldStatus
    placed_at: datetime
    expires_at: datetime
    warn_at: datetime
    holder_subject: str
    holder_role: str
    source: str
    holder_team_id: str | None = None
    referral_id: str | None = None
    warned_at: datetime | None = None
    ended_at: datetime | None = None
    person_id: str | None = None  # intake's id, when the hold names the person: a card scan finds it
    events: list[Event] = field(default_factory=list, repr=False)

    @property
    def active(self) -> bool:
        return self.status == "active"

    def require_active(self) -> None:
        if not self.active:
            raise Conflict(f"This hold is {self.status}, no longer active.", code="hold-not-active")

    def extend(self, site: Site, minutes: int, now: datetime) -> None:
        self.require_active()
        if not 1 <= minutes <= MAX_HOLD_MINUTES:
            raise RuleViolation(
                f"Extend a hold by 1 to {MAX_HOLD_MINUTES} minutes.", code="invalid-hold-time"
            )
        new_expiry = max(self.expires_at, now) + timedelta(minutes=minutes)
        # Measured from when it was placed, not from now: extending again and again cannot keep
        # a place from everyone else for ever.
        if new_expiry - self.placed_at > timedelta(minutes=MAX_HOLD_MINUTES):
            raise RuleViolation(
                f"A hold lasts at most {MAX_HOLD_MINUTES // 60} hours from when it was placed.",
                code="invalid-hold-time",
            )
        self.expires_at = new_expiry
        self.warn_at = warning_time(now, new_expiry)
        self.warned_at = None
        self.events.append(self._event(site, ev.HoldExtended, expires_at=new_expiry))

    def warn_if_due(self, site: Site, now: datetime) -> bool:
        if not self.active or self.warned_at is not None or self.warn_at > now or self.expires_at <= now:
            return False
        self.warned_at = now
        self.events.append(self._event(site, ev.HoldExpiring, expires_at=self.expires_at))
        return True

    def finish(self, site: Site, status: HoldStatus, at: datetime, stay_ids: list[str] | None = None) -> None:
        self.require_active()
        self.status = status
        self.ended_at = at
        match status:
            case "expired":
                self.events.append(self._event(site, ev.HoldExpired))
            case "cancelled":
                self.events.append(self._event(site, ev.HoldCancelled))
            case "fulfilled":
                self.events.append(self._event(site, ev.HoldFulfilled, stay_ids=stay_ids or []))

    def placed_event(self, site: Site, place_ids: list[str]) -> ev.HoldPlaced:
        return self._event(
            site,
            ev.HoldPlaced,
            place_ids=place_ids,
            party=PartyFacts(self.party.adults, self.party.children, self.party.gender, self.party.youth),
            needs=NeedsFacts(accessible=self.needs.accessible, pet=self.needs.pet, dv=self.needs.dv),
            expires_at=self.expires_at,
        )

    def _event(self, site: Site, event_type: type[E], **facts: Any) -> E:
        return event_type(
            hold_id=self.id,
            site_id=self.site_id,
            confidential=site.confidential,
            holder_team_id=self.holder_team_id,
            referral_id=self.referral_id,
            **facts,
        )
