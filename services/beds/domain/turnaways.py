"""Turn-aways: someone asked for a place at a full site and left without one. With the referrals
nobody could place, they are the unmet demand a city lacks the figure of. A night shelter never
refuses (past its last mat a person is over capacity), so it records none; and a site with a
place that fits the party checks them in instead — a turn-away there would be a wrong figure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

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
