"""A site's capacity at a moment, and the events a change to it raises: capacity changed,
overflow started (the first mat in use), beds free again (a full site frees a bed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from contracts.events import beds as ev
from contracts.events.base import Event
from services.beds.domain.sites import Site

F = TypeVar("F", bound=ev.SiteFacts)


@dataclass(frozen=True)
class Capacity:
    beds_total: int = 0
    beds_occupied: int = 0
    beds_held: int = 0
    mats_total: int = 0
    mats_used: int = 0
    mats_held: int = 0
    over_capacity: int = 0
    # In the site's places but out of service: counted apart, never in `*_total` nor free.
    beds_out_of_service: int = 0
    mats_out_of_service: int = 0

    @property
    def free_beds(self) -> int:
        return max(0, self.beds_total - self.beds_occupied - self.beds_held)

    @property
    def free_mats(self) -> int:
        return max(0, self.mats_total - self.mats_used - self.mats_held)


def capacity_events(site: Site, before: Capacity, after: Capacity) -> list[Event]:
    events: list[Event] = []
    if after != before:
        events.append(
            ev.CapacityChanged(
                site_id=site.id,
                confidential=site.confidential,
                free_beds=after.free_beds,
                free_mats=after.free_mats,
                beds_total=after.beds_total,
                beds_occupied=after.beds_occupied,
                beds_held=after.beds_held,
                mats_total=after.mats_total,
                mats_used=after.mats_used,
                over_capacity=after.over_capacity,
                beds_out_of_service=after.beds_out_of_service,
                mats_out_of_service=after.mats_out_of_service,
            )
        )
    if before.mats_used == 0 and after.mats_used > 0:
        events.append(
            ev.OverflowStarted(
                site_id=site.id,
                confidential=site.confidential,
                mats_used=after.mats_used,
                mats_total=after.mats_total,
            )
        )
    if before.beds_total > 0 and before.free_beds == 0 and after.free_beds > 0:
        events.append(
            ev.BedsFreeAgain(site_id=site.id, confidential=site.confidential, free_beds=after.free_beds)
        )
    return events


def site_event(event_type: type[F], site: Site, capacity: Capacity) -> F:
    """site.created / site.updated. A confidential site's name and coordinates never leave."""
    public = not site.confidential
    return event_type(
        site_id=site.id,
        kind=site.kind,
        confidential=site.confidential,
        timezone=site.timezone,
        max_stay_days=site.max_stay_days,
        beds_total=capacity.beds_total,
        mats_total=capacity.mats_total,
        public_name=site.name if public else None,
        lat=site.lat if public else None,
        lon=site.lon if public else None,
    )
