"""Handlers of the reports: the summary a centre publishes, the bed-nights export page by page,
open data (non-confidential sites' capacity tonight), the occupancy gauges, and the consumer that
keeps the trips read model from intake's `trip.recorded` events.

Referrals are read from beds' own placements (the read model intake's `referral.*` events feed)
and the holds beds made for them; nothing is read from another service's database. Every part of
the summary is added up by the database: a year of a city comes back as a few hundred rows."""

from __future__ import annotations

import time as monotonic_time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, get_args

from prometheus_client import CollectorRegistry, Gauge

from common.logging import get_logger
from contracts import CloudEvent, Event
from contracts.events import intake as iv
from contracts.events.base import SiteKind
from services.beds.adapters.queries import SiteCounts
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.domain import commands as c
from services.beds.domain.access import Actor, absent, verdict
from services.beds.domain.nights import NightCalendar
from services.beds.domain.reports import CrisisTotals, LedgerNight, ReportInputs, crisis_sum, summary
from services.beds.domain.sites import DEFAULT_ROLLOVER, DEFAULT_TIMEZONE, zone
from services.beds.service_layer.results import OpenCapacityState, Report

log = get_logger(__name__)
# Referrals and trips belong to no site until placed: their nights are the city's default ones.
CITY_ZONE = zone(DEFAULT_TIMEZONE)


def city_nights(start: date, end: date) -> NightCalendar:
    return NightCalendar(start, end, CITY_ZONE, DEFAULT_ROLLOVER)


async def _crisis(
    uow: BedsUnitOfWork, start: date, end: date, site_id: str | None, now: datetime
) -> CrisisTotals:
    """Crisis-room stays begun on a night of the range, by each room's own nights: one sum per
    clock the rooms keep (usually one)."""
    parts = []
    for clock in await uow.reports.crisis_clocks(site_id):
        nights = NightCalendar(start, end, zone(clock.timezone), clock.rollover)
        until = min(now, nights.ends)
        parts.append(await uow.reports.crisis_totals(clock, nights.begins, nights.ends, until, site_id))
    return crisis_sum(parts)


async def get_report_summary(query: c.GetReportSummary, actor: Actor, uow: BedsUnitOfWork) -> Report:
    sites = []
    if query.site_id is not None:
        site = await uow.reads.site(query.site_id)
        if site is None:
            raise absent(query)
        verdict(query, actor, site)
        sites = [site]
    start, end, site_id = query.start, query.end, query.site_id
    city = city_nights(start, end)
    reports = uow.reports
    trips = None if site_id is not None else await reports.trip_outcomes(city.begins, city.ends)
    figures = summary(
        ReportInputs(
            start=start,
            end=end,
            site_id=site_id,
            ledger=await reports.ledger_totals(start, end, site_id),
            crisis=await _crisis(uow, start, end, site_id, uow.clock.now()),
            referrals=await reports.referral_tallies(city.begins, city.ends, site_id),
            waits=await reports.placement_waits(city.begins, city.ends, site_id),
            unmet_referrals=await reports.unplaced_by_night(city, site_id),
            turned_away=await reports.turned_away(start, end, site_id),
            trip_outcomes=trips,
        )
    )
    return Report(figures, sites)


async def get_bed_nights(
    query: c.GetBedNights, actor: Actor, uow: BedsUnitOfWork
) -> tuple[list[LedgerNight], str | None]:
    return await uow.reports.bed_nights(query.start, query.end, query.after_site, query.sites_per_page)


async def get_open_capacity(query: c.GetOpenCapacity, actor: Actor, uow: BedsUnitOfWork) -> OpenCapacityState:
    """Confidential sites are left out before anything is counted: they appear in no total."""
    public = [site for site in await uow.reads.sites() if not site.confidential]
    counts = await uow.reads.site_counts([site.id for site in public])
    return OpenCapacityState(public, counts, uow.clock.now())


class TripFeed:
    """The durable consumer `beds-reports`: intake's trips into the reports' read model."""

    def handlers(self) -> dict[type[Event], Any]:
        return {iv.TripRecorded: self.on_trip_recorded}

    async def on_trip_recorded(self, event: iv.TripRecorded, _: CloudEvent, uow: BedsUnitOfWork) -> None:
        await uow.reports.record_trip(event)


KINDS: tuple[str, ...] = get_args(SiteKind)


@dataclass
class KindTonight:
    sites: int = 0
    beds_total: int = 0
    beds_free: int = 0
    mats_total: int = 0
    mats_free: int = 0
    over_capacity: int = 0

    def add(self, counts: SiteCounts | None) -> None:
        self.sites += 1
        if counts is not None:
            self.beds_total += counts.beds_total
            self.beds_free += counts.beds_free
            self.mats_total += counts.mats_total
            self.mats_free += counts.mats_free
            self.over_capacity += counts.over_capacity


class OccupancyGauges:
    """Tonight across a city, by site kind only: never a label per site or per person, so a
    confidential site is never a series of its own. Refreshed when Prometheus scrapes, at most
    every `min_interval` seconds."""

    def __init__(
        self, registry: CollectorRegistry, read: Callable[[], BedsUnitOfWork], min_interval: float = 5.0
    ):
        self.read = read
        self.min_interval = min_interval
        self._last = float("-inf")
        self.places = Gauge(
            "shelterbeds_places",
            "Usable places tonight by site kind, place (bed, mat) and state (total, free)",
            ["kind", "place", "state"],
            registry=registry,
        )
        self.over_capacity = Gauge(
            "shelterbeds_over_capacity_people",
            "People checked in past the last mat, now, by site kind",
            ["kind"],
            registry=registry,
        )
        self.sites = Gauge("shelterbeds_sites", "Open sites by kind", ["kind"], registry=registry)

    async def refresh(self) -> None:
        if monotonic_time.monotonic() - self._last < self.min_interval:
            return
        try:
            async with self.read() as uow:
                sites = [(site.id, site.kind) for site in await uow.reads.sites()]
                counts = await uow.reads.site_counts([site_id for site_id, _ in sites])
        except Exception as exc:  # a scrape still answers, with what it had
            log.warning("occupancy_not_refreshed", error=type(exc).__name__)
            return
        tonight: dict[str, KindTonight] = {kind: KindTonight() for kind in KINDS}
        for site_id, site_kind in sites:
            tonight.setdefault(site_kind, KindTonight()).add(counts.get(site_id))
        for kind, figures in tonight.items():
            self.places.labels(kind, "bed", "total").set(figures.beds_total)
            self.places.labels(kind, "bed", "free").set(figures.beds_free)
            self.places.labels(kind, "mat", "total").set(figures.mats_total)
            self.places.labels(kind, "mat", "free").set(figures.mats_free)
            self.over_capacity.labels(kind).set(figures.over_capacity)
            self.sites.labels(kind).set(figures.sites)
        self._last = monotonic_time.monotonic()
