"""Restrictions ("bans") as beds knows them: from intake's `restriction.imposed`, ids and a date
only — a person kept from one site, or from all, until then. Placement and check-in skip a site
that restricts the person, with a clear 409; in cold-weather mode the site takes them anyway
(nobody is left outside on a frost night), and the handler audits every such override."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from common.errors import Conflict
from services.beds.domain.sites import Site


@dataclass(eq=False)
class Restriction:
    id: str
    person_id: str
    site_id: str | None  # None: every site
    until: datetime

    def applies(self, site: Site, now: datetime) -> bool:
        return now < self.until and self.site_id in (None, site.id)


def admit(restrictions: Iterable[Restriction], site: Site, now: datetime) -> Restriction | None:
    """Raises 409 when the person is restricted from this site now; at a site in cold-weather
    mode answers the restriction it overrides (to be audited), else None."""
    found = next((r for r in restrictions if r.applies(site, now)), None)
    if found is None:
        return None
    if site.cold_weather:
        return found
    raise Conflict(
        f"This person is restricted from this site until {found.until.isoformat()}; "
        "search /api/v1/availability for another site (cold-weather mode admits them anyway).",
        code="person-restricted",
    )
