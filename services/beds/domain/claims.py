"""A claim says that a place is taken — by a hold or by a stay — over a span of time.

Holds and stays both claim places through this one table, so that "no place is ever held twice
or occupied twice at the same time" is one rule over one thing, which the database also enforces
(a partial unique index on open claims; on PostgreSQL an exclusion constraint over time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(eq=False)
class PlaceClaim:
    id: str
    place_id: str
    site_id: str
    starts_at: datetime
    ends_at: datetime | None = None
    hold_id: str | None = None
    stay_id: str | None = None

    @property
    def open(self) -> bool:
        return self.ends_at is None

    def overlaps(self, start: datetime, end: datetime | None) -> bool:
        """Half-open spans [starts_at, ends_at) and [start, end); None is 'until further notice'."""
        return (end is None or self.starts_at < end) and (self.ends_at is None or self.ends_at > start)

    def active_at(self, moment: datetime) -> bool:
        return self.starts_at <= moment and (self.ends_at is None or self.ends_at > moment)

    def close(self, at: datetime) -> None:
        self.ends_at = max(at, self.starts_at)
