"""Turn-aways: someone asked for a place at a full site and left without one. With the referrals
nobody could place, they are the unmet demand a city lacks the figure of. A night shelter never
refuses (past its last mat a person is over capacity), so it records none; and a site with a
place that fits the party checks them in instead — a turn-away there would be a wrong figure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from common.errors import Conflict, RuleViolation
from contracts.events import beds as ev
from contracts.events.base import NeedsFacts, PartyFacts
from services.beds.domain.floor_base import FloorBase
from services.beds.domain.nights import night_of
from services.beds.domain.party import Needs, Party
from services.beds.domain.sites import new_id

# Why nobody could take them (contracts' `TurnawayReason`): all full, free places but none that
# fits (a women's bed for a man, no family room), a need the site cannot meet (accessibility, a
# pet), or something else.
TURNAWAY_REASONS = frozenset({"full", "no_fitting_room", "needs_not_met", "other"})


@dataclass(eq=False)
class Turnaway:
    id: str
    site_id: str
    night: date
    recorded_at: datetime
    adults: int
    children: int
    gender: str
    youth: bool
    accessible: bool
    pet: bool
    dv: bool
    reason: str
    team_id: str | None = None


class TurnawayDesk(FloorBase):
    """The floor's part that records turn-aways: it knows whether a place fits the party now."""

    def record_turnaway(
        self, party: Party, needs: Needs, reason: str, *, now: datetime, team_id: str | None
    ) -> Turnaway:
        """Someone this full site could not take. Refused (409) at a night shelter, which never
        refuses anyone, and where a place fits the party now: check them in instead."""
        self.site.require_active()
        if reason not in TURNAWAY_REASONS:
            choices = ", ".join(sorted(TURNAWAY_REASONS))
            raise RuleViolation(f"reason is one of {choices}.", code="invalid-reason")
        if self.site.kind == "night_shelter":
            raise Conflict(
                "A night shelter never turns anyone away: check them in (over capacity if need be).",
                code="night-shelter-never-refuses",
            )
        if self.takes_now(party, needs, now):
            raise Conflict("A place here fits this party: check them in instead.", code="place-free")
        with self.change(now):
            turnaway = Turnaway(
                id=new_id(),
                site_id=self.site.id,
                night=night_of(now, self.site.tz, self.site.rollover),
                recorded_at=now,
                adults=party.adults,
                children=party.children,
                gender=party.gender,
                youth=party.youth,
                accessible=needs.accessible,
                pet=needs.pet,
                dv=needs.dv,
                reason=reason,
                team_id=team_id,
            )
            self.added.append(turnaway)
            self.events.append(
                ev.TurnawayRecorded(
                    turnaway_id=turnaway.id,
                    site_id=self.site.id,
                    confidential=self.site.confidential,
                    night=turnaway.night,
                    party=PartyFacts(party.adults, party.children, party.gender, party.youth),
                    needs=NeedsFacts(accessible=needs.accessible, pet=needs.pet, dv=needs.dv),
                    reason=reason,  # type: ignore[arg-type]
                    team_id=team_id,
                )
            )
        return turnaway

    def takes_now(self, party: Party, needs: Needs, now: datetime) -> bool:
        """Would a check-in place this party now, on a bed or a mat (not over capacity)?"""
        if needs.dv and not self.site.confidential:
            return False
        if self.beds_in_one_room(party, needs, now, None) is not None:
            return True
        return len(self.free_mats(now, None)) >= party.size
