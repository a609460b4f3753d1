"""A person as intake knows them: the little a referrer needs to find and help them again. This
record never leaves intake — every other service knows a person only by id — and a supervisor
can erase its personal fields for good while the ids and coded facts keep reports right."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contracts.events.base import Gender


@dataclass
class Person:
    id: str
    created_at: datetime
    name: str | None = None
    birth_year: int | None = None
    gender: Gender | None = None
    phone: str | None = None
    notes: str | None = None
    # A survivor of violence: every read of this record is audited.
    dv: bool = False
    anonymised_at: datetime | None = None

    @property
    def anonymised(self) -> bool:
        return self.anonymised_at is not None

    def anonymise(self, now: datetime) -> bool:
        """Erases what identifies the person; gender and the DV flag are coded facts reports
        count, and stay. Returns False when there was nothing left to erase."""
        if self.anonymised:
            return False
        self.name = self.phone = self.notes = None
        self.birth_year = None
        self.anonymised_at = now
        return True
