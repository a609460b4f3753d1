"""An alert: one thing one team must hear, made from one event. What it carries is what its
text needs — ids, counts and times, never a name — so that no channel can leak more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

AlertKind = Literal[
    "on_the_way",
    "on_the_way_unacknowledged",
    "on_the_way_acknowledged",
    "hold_expiring",
    "hold_expired",
    "overflow",
    "over_capacity",
    "stay_limit_approaching",
    "stay_limit_reached",
    "cold_weather",
    "beds_free_again",
    "referral_received",
    "referral_placed",
    "referral_waitlisted",
    "referral_offered",
    "referral_expiring",
    "referral_expired",
    "referral_arrived",
    "referral_released",
    "referral_cancelled",
]
ALERT_KINDS: tuple[str, ...] = get_args(AlertKind)


@dataclass(frozen=True)
class AlertFacts:
    """What the event said that the text needs."""

    site_id: str | None = None
    confidential: bool = False  # a confidential site, or a DV referral (then site_id is None)
    subject_id: str | None = None  # the hold, stay or referral the alert is about
    party_size: int | None = None
    due_at: datetime | None = None  # a hold's expiry, a stay's limit
    count: int | None = None  # free beds, mats in use, people over capacity, waitlist position
    holder_team_id: str | None = None  # whose hold it is: told when the site acknowledges


@dataclass
class Alert:
    id: str
    team_id: str
    kind: AlertKind
    event_id: str
    created_at: datetime
    facts: AlertFacts
    acked_at: datetime | None = None
    acked_by: str | None = None
    escalated_at: datetime | None = None
    seq: int | None = None  # the feed position, given by the database

    def acknowledge(self, now: datetime, by: str) -> bool:
        """True when this call acknowledged it (a second ack changes nothing)."""
        if self.acked_at is not None:
            return False
        self.acked_at, self.acked_by = now, by
        return True
