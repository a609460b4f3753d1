"""The supervisor's figures, from one place: today the nightly ledger (`GetLedger`), summed over
the sites the caller may see. When `GET /api/v1/reports/summary` lands, only this module changes."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from services.beds.domain import commands as c
from services.beds.domain.access import Actor
from services.beds.service_layer import read_models as rm
from services.beds.service_layer import views
from services.beds.service_layer.messagebus import BedsBus


@dataclass
class Night:
    night: date
    people: int = 0
    beds_used: int = 0
    mats_used: int = 0
    over_capacity: int = 0


@dataclass
class Figures:
    start: date
    end: date
    nights: list[Night]
    rows: list[rm.LedgerNight]
    arrivals_by_source: dict[str, int] = field(default_factory=dict)

    @property
    def bed_nights(self) -> int:
        return sum(n.beds_used for n in self.nights)

    @property
    def mat_nights(self) -> int:
        return sum(n.mats_used for n in self.nights)

    @property
    def over_capacity_nights(self) -> int:
        return sum(1 for n in self.nights if n.over_capacity)

    @property
    def people_nights(self) -> int:
        return sum(n.people for n in self.nights)

    @property
    def busiest(self) -> int:
        return max(
            (max(n.people, n.beds_used + n.mats_used + n.over_capacity) for n in self.nights), default=0
        )


async def figures(bus: BedsBus, actor: Actor, start: date, end: date, site_id: str | None = None) -> Figures:
    rows = await bus.ask(c.GetLedger(start=start, end=end, site_id=site_id), actor, views.ledger)
    nights: defaultdict[date, Night] = defaultdict(lambda: Night(date.min))
    arrivals: Counter[str] = Counter()
    for row in rows:
        night = nights[row.night]
        night.night = row.night
        night.people += row.people
        night.beds_used += row.beds_used
        night.mats_used += row.mats_used
        night.over_capacity += row.over_capacity
        arrivals.update(row.arrivals_by_source)
    ordered = [nights[d] for d in sorted(nights)]
    return Figures(start, end, ordered, rows, dict(arrivals.most_common()))


def ledger_csv(found: Figures) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["site_id", "night", "people", "beds_used", "mats_used", "over_capacity"])
    for row in sorted(found.rows, key=lambda r: (r.night, r.site_id)):
        writer.writerow(
            [row.site_id, row.night.isoformat(), row.people, row.beds_used, row.mats_used, row.over_capacity]
        )
    return out.getvalue()
