"""The supervisor's figures, from two places: the report summary (`GetReportSummary`, what
`GET /api/v1/reports/summary` answers) for the totals, arrivals by source, crisis stays and
unmet demand; the nightly ledger (`GetLedger`) for the nights one by one, which the summary does
not list, and for the CSV.

The summary is read as its public JSON shape, decoded into the few fields drawn here: an added
field (the summary grows with the reports) is ignored, not an error, and a page never breaks
because the API answers more."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import msgspec

from services.beds.domain import commands as c
from services.beds.domain.access import Actor
from services.beds.service_layer import read_models as rm
from services.beds.service_layer import views
from services.beds.service_layer.messagebus import BedsBus


class PeopleFigures(msgspec.Struct, kw_only=True):
    served: int = 0
    person_nights: int = 0


class OverCapacityFigures(msgspec.Struct, kw_only=True):
    nights: int = 0
    person_nights: int = 0


class CrisisFigures(msgspec.Struct, kw_only=True):
    placements: int = 0
    parties: int = 0
    still_staying: int = 0
    extended: int = 0
    average_stay_days: float | None = None


class UnmetNight(msgspec.Struct, kw_only=True):
    night: date
    referrals: int = 0


class UnmetFigures(msgspec.Struct, kw_only=True):
    total: int = 0
    by_night: list[UnmetNight] = msgspec.field(default_factory=list)


class SummaryFigures(msgspec.Struct, kw_only=True):
    """What the page draws of the summary (msgspec ignores the fields it does not name)."""

    people: PeopleFigures = msgspec.field(default_factory=PeopleFigures)
    bed_nights: int = 0
    mat_nights: int = 0
    over_capacity: OverCapacityFigures = msgspec.field(default_factory=OverCapacityFigures)
    arrivals_by_source: dict[str, int] = msgspec.field(default_factory=dict)
    crisis: CrisisFigures = msgspec.field(default_factory=CrisisFigures)
    unmet_demand: UnmetFigures = msgspec.field(default_factory=UnmetFigures)


def summary_figures(public: object) -> SummaryFigures:
    """The summary as the API shows it (its JSON shape), read through the fields named above."""
    return msgspec.json.decode(msgspec.json.encode(public), type=SummaryFigures)


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
    summary: SummaryFigures

    @property
    def people_nights(self) -> int:
        return self.summary.people.person_nights

    @property
    def arrivals_by_source(self) -> dict[str, int]:
        return dict(sorted(self.summary.arrivals_by_source.items(), key=lambda kv: (-kv[1], kv[0])))


async def figures(bus: BedsBus, actor: Actor, start: date, end: date, site_id: str | None = None) -> Figures:
    rows = await bus.ask(c.GetLedger(start=start, end=end, site_id=site_id), actor, views.ledger)
    summary = await bus.ask(c.GetReportSummary(start=start, end=end, site_id=site_id), actor, views.report)
    nights: defaultdict[date, Night] = defaultdict(lambda: Night(date.min))
    for row in rows:
        night = nights[row.night]
        night.night = row.night
        night.people += row.people
        night.beds_used += row.beds_used
        night.mats_used += row.mats_used
        night.over_capacity += row.over_capacity
    ordered = [nights[d] for d in sorted(nights)]
    return Figures(start, end, ordered, rows, summary_figures(summary))


def ledger_csv(found: Figures) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["site_id", "night", "people", "beds_used", "mats_used", "over_capacity"])
    for row in sorted(found.rows, key=lambda r: (r.night, r.site_id)):
        writer.writerow(
            [row.site_id, row.night.isoformat(), row.people, row.beds_used, row.mats_used, row.over_capacity]
        )
    return out.getvalue()
