"""A trip: one call-out or patrol round of a team, so a centre can say how many trips its teams
made and how many people they placed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from common.errors import RuleViolation
from contracts.events.intake import TripOutcome, TripRecorded

Outcome = TripOutcome


@dataclass(frozen=True)
class Trip:
    id: str
    team_id: str | None
    recorded_by: str
    started_at: datetime
    ended_at: datetime | None
    area: str
    outcome: Outcome
    referral_id: str | None
    created_at: datetime

    def __post_init__(self) -> None:
        if self.ended_at is not None and self.ended_at < self.started_at:
            raise RuleViolation("A trip ends after it starts.", code="invalid-trip")
        if self.started_at > self.created_at:
            raise RuleViolation("A trip is recorded once it has started.", code="invalid-trip")

    def recorded(self) -> TripRecorded:
        return TripRecorded(
            trip_id=self.id,
            team_id=self.team_id,
            started_at=self.started_at,
            ended_at=self.ended_at,
            outcome=self.outcome,
            referral_id=self.referral_id,
        )
