"""Restrictions ("bans"): a supervisor keeps a person away from one site, or from all, until a
date, for a coded reason. The reason and the person's record stay in intake; beds learns only
ids and the date (`restriction.imposed`), enough to skip that site at placement and at the door —
where cold-weather mode overrides it, because nobody is left outside on a frost night."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from common.errors import RuleViolation
from contracts.events import intake as ev
from contracts.events.base import Event

RESTRICTION_REASONS = frozenset({"violence", "threats", "theft", "drugs", "rules", "other"})
MAX_RESTRICTION = timedelta(days=366)


@dataclass(eq=False)
class Restriction:
    id: str
    person_id: str
    site_id: str | None  # None: every site
    until: datetime
    reason: str
    imposed_by: str
    imposed_at: datetime
    events: list[Event] = field(default_factory=list, repr=False)

    @classmethod
    def impose(
        cls,
        *,
        id: str,
        person_id: str,
        site_id: str | None,
        until: datetime,
        reason: str,
        imposed_by: str,
        now: datetime,
    ) -> Restriction:
        if reason not in RESTRICTION_REASONS:
            choices = ", ".join(sorted(RESTRICTION_REASONS))
            raise RuleViolation(f"reason is one of {choices}.", code="invalid-reason")
        if not now < until <= now + MAX_RESTRICTION:
            raise RuleViolation("until lies in the future, at most a year ahead.", code="invalid-until")
        restriction = cls(id, person_id, site_id, until, reason, imposed_by, now)
        restriction.events.append(
            ev.RestrictionImposed(restriction_id=id, person_id=person_id, site_id=site_id, until=until)
        )
        return restriction
