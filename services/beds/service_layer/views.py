"""From what a handler answers to what the API answers: pure mapping, no queries (the read side's
SQL is in `adapters/queries.py`), so a view can never disagree with the handler it shows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from services.beds.adapters.queries import SiteCounts
from services.beds.domain.extensions import ExtensionRequest
from services.beds.domain.floor import SiteFloor
from services.beds.domain.holds import Hold
from services.beds.domain.nights import night_of
from services.beds.domain.reports import ReportSummary
from services.beds.domain.sites import Place, label_key
from services.beds.domain.stays import Stay
from services.beds.service_layer import read_models as rm
from services.beds.service_layer import results as r


def _site_view(floor: SiteFloor, now: datetime, public: bool) -> rm.SiteView:
    site = floor.site
    capacity = floor.capacity(now)
    free_by_room = floor.free_beds_by_room(now, None)
    room_views = [
        rm.RoomView(
            id=room.id,
            name=room.name,
            restriction=room.restriction,
            accessible=room.accessible,
            pets_allowed=room.pets_allowed,
            beds_total=sum(1 for p in floor.places.values() if p.room_id == room.id and floor.usable(p)),
            free_beds=len(free_by_room.get(room.id, ())),
            retired=not room.active,
            beds_out_of_service=sum(
                1 for p in floor.places.values() if p.room_id == room.id and floor.out_of_service(p)
            ),
            beds=sorted(
                (place_view(p) for p in floor.places.values() if p.room_id == room.id and p.active),
                key=lambda v: label_key(v.label),
            ),
        )
        for room in sorted(floor.rooms.values(), key=lambda r: (not r.active, r.name))
    ]
    mats = [place_view(p) for p in floor.places.values() if p.kind == "mat" and p.active]
    return rm.SiteView(
        id=site.id,
        name=site.name,
        kind=site.kind,
        lat=site.lat,
        lon=site.lon,
        address=site.address,
        timezone=site.timezone,
        max_stay_days=site.max_stay_days,
        confidential=site.confidential,
        rollover=site.rollover.strftime("%H:%M"),
        cold_weather=site.cold_weather,
        cold_weather_mats=site.cold_weather_mats,
        beds_total=capacity.beds_total,
        mats_total=capacity.mats_total,
        free_beds=capacity.free_beds,
        free_mats=capacity.free_mats,
        over_capacity=capacity.over_capacity,
        beds_out_of_service=capacity.beds_out_of_service,
        mats_out_of_service=capacity.mats_out_of_service,
        retired=not site.active,
        created_at=site.created_at,
        rooms=[] if public else room_views,
        mats=[] if public else sorted(mats, key=lambda m: m.label),
        scope="public" if public else "full",
    )


def place_view(place: Place) -> rm.PlaceView:
    return rm.PlaceView(
        id=place.id,
        kind=place.kind,
        label=place.label,
        room_id=place.room_id,
        emergency=place.emergency,
        retired=not place.active,
        out_of_service=not place.in_service,
        out_of_service_reason=place.out_of_service_reason,  # type: ignore[arg-type]
        out_of_service_until=place.out_of_service_until,
    )


def stay_view(stay: Stay, place: Place | None, now: datetime) -> rm.StayView:
    return rm.StayView(
        id=stay.id,
        site_id=stay.site_id,
        place_id=stay.place_id,
        place_kind=stay.place_kind,
        place_label=place.label if place else None,
        room_id=place.room_id if place else None,
        group_id=stay.group_id,
        started_at=stay.started_at,
        source=stay.source,  # type: ignore[arg-type]
        is_child=stay.is_child,
        ends_at=stay.scheduled_end,
        limit_at=stay.limit_at,
        days_left=stay.days_left(now) if stay.open else None,
        extension_days=stay.extension_days,
        ended_at=stay.ended_at,
        end_reason=stay.end_reason,
        hold_id=stay.hold_id,
        referral_id=stay.referral_id,
        team_id=stay.team_id,
        last_seen_at=stay.last_seen_at,
    )


def hold_view(hold: Hold, held: Iterable[Place]) -> rm.HoldView:
    return rm.HoldView(
        id=hold.id,
        site_id=hold.site_id,
        status=hold.status,
        placed_at=hold.placed_at,
        expires_at=hold.expires_at,
        party=rm.PartyView(hold.party.adults, hold.party.children, hold.party.gender, hold.party.youth),
        needs=rm.NeedsView(hold.needs.accessible, hold.needs.pet, hold.needs.dv),
        places=sorted((place_view(p) for p in held), key=lambda v: v.label),
        source=hold.source,  # type: ignore[arg-type]
        holder_team_id=hold.holder_team_id,
        referral_id=hold.referral_id,
        warned=hold.warned_at is not None,
        ended_at=hold.ended_at,
    )


def site(state: r.SiteState) -> rm.SiteView:
    return _site_view(state.floor, state.now, public=state.scope == "public")


def deleted(done: r.Deleted) -> rm.Done:
    return rm.Done(id=done.id, status="deleted")


def placed(result: r.Placed) -> rm.CheckIn:
    floor = result.floor
    return rm.CheckIn(
        stays=[stay_view(s, floor.places.get(s.place_id or ""), result.now) for s in result.stays]
    )


def stay(state: r.StayState) -> rm.StayView:
    return stay_view(state.stay, state.place, state.now)


def extended_stay(state: r.StayState) -> rm.ExtendedStay:
    shown = stay_view(state.stay, state.place, state.now)
    return rm.ExtendedStay(
        **{f: getattr(shown, f) for f in shown.__struct_fields__},
        extended_stay_ids=[s.id for s in state.extended],
    )


def hold(state: r.HoldState) -> rm.HoldView:
    return hold_view(state.hold, state.places)


def board(state: r.BoardState) -> rm.Board:
    floor, now, site = state.floor, state.now, state.site
    capacity = floor.capacity(now)
    return rm.Board(
        site_id=site.id,
        confidential=site.confidential,
        night=night_of(now, site.tz, site.rollover),
        beds_total=capacity.beds_total,
        beds_occupied=capacity.beds_occupied,
        beds_held=capacity.beds_held,
        mats_total=capacity.mats_total,
        mats_used=capacity.mats_used,
        over_capacity=capacity.over_capacity,
        free_beds=capacity.free_beds,
        free_mats=capacity.free_mats,
        cold_weather=site.cold_weather,
        stays=[stay_view(s, floor.places.get(s.place_id or ""), now) for s in state.stays],
        holds=[hold_view(h, floor.hold_places(h)) for h in state.holds],
        beds_out_of_service=capacity.beds_out_of_service,
        mats_out_of_service=capacity.mats_out_of_service,
        out_of_service=sorted(
            (place_view(p) for p in floor.places.values() if floor.out_of_service(p)),
            key=lambda v: (v.kind, label_key(v.label)),
        ),
    )


def site_list(found: r.SiteList) -> list[rm.SiteSummary]:
    summaries = []
    for s in found.sites:
        counts = found.counts.get(s.id)
        summaries.append(
            rm.SiteSummary(
                id=s.id,
                name=s.name,
                kind=s.kind,
                confidential=s.confidential,
                free_beds=counts.beds_free if counts else 0,
                free_mats=counts.mats_free if counts else 0,
                beds_total=counts.beds_total if counts else 0,
                mats_total=counts.mats_total if counts else 0,
                cold_weather=s.cold_weather,
                lat=s.lat,
                lon=s.lon,
                address=s.address,
                beds_out_of_service=counts.beds_out_of_service if counts else 0,
                mats_out_of_service=counts.mats_out_of_service if counts else 0,
            )
        )
    return summaries


def ledger(found: r.Ledger) -> list[rm.LedgerNight]:
    return [
        rm.LedgerNight(
            site_id=n.site_id,
            night=n.night,
            people=n.people,
            beds_used=n.beds_used,
            mats_used=n.mats_used,
            over_capacity=n.over_capacity,
            arrivals_by_source=dict(n.arrivals_by_source),
            revision=n.revision,
        )
        for n in found.nights
    ]


def offers(found: list[r.Offer]) -> list[rm.Availability]:
    return [
        rm.Availability(
            site_id=o.site_id,
            name=o.name,
            kind=o.kind,  # type: ignore[arg-type]
            distance_km=round(o.distance_km, 2),
            free_beds=o.free_beds,
            free_mats=o.free_mats,
            confidential=o.confidential,
        )
        for o in found
    ]


def _capacity(unit: Literal["bed", "mat"], available: int, maximum: int, now: datetime) -> rm.ServiceCapacity:
    return rm.ServiceCapacity(
        unit=rm.CapacityUnit(name="Bed" if unit == "bed" else "Mat", identifier=unit),
        available=available,
        maximum=maximum,
        description="beds" if unit == "bed" else "overflow mats (laid out when the beds are full)",
        updated=now,
    )


def open_capacity(found: r.OpenCapacityState) -> rm.OpenCapacity:
    services = []
    for site in found.sites:
        counts = found.counts.get(site.id) or SiteCounts()
        services.append(
            rm.OpenService(
                id=site.id,
                name=site.name,
                kind=site.kind,
                location=rm.OpenLocation(latitude=site.lat, longitude=site.lon, address=site.address),
                cold_weather=site.cold_weather,
                service_capacity=[
                    _capacity("bed", counts.beds_free, counts.beds_total, found.now),
                    _capacity("mat", counts.mats_free, counts.mats_total, found.now),
                ],
            )
        )
    totals = rm.OpenTotals(
        services=len(services),
        beds_maximum=sum(s.service_capacity[0].maximum for s in services),
        beds_available=sum(s.service_capacity[0].available for s in services),
        mats_maximum=sum(s.service_capacity[1].maximum for s in services),
        mats_available=sum(s.service_capacity[1].available for s in services),
    )
    return rm.OpenCapacity(generated_at=found.now, totals=totals, services=services)


def report(found: r.Report) -> ReportSummary:
    return found.summary


def place(state: r.PlaceState) -> rm.PlaceView:
    return place_view(state.place)


def turnaway(state: r.TurnawayState) -> rm.TurnawayView:
    t = state.turnaway
    return rm.TurnawayView(
        id=t.id,
        site_id=t.site_id,
        night=t.night,
        recorded_at=t.recorded_at,
        reason=t.reason,  # type: ignore[arg-type]
        party=rm.PartyView(t.adults, t.children, t.gender, t.youth),  # type: ignore[arg-type]
        needs=rm.NeedsView(t.accessible, t.pet, t.dv),
        team_id=t.team_id,
    )


def unmet_demand(found: r.UnmetDemand) -> rm.UnmetDemandView:
    counts = found.counts
    return rm.UnmetDemandView(
        start=found.start,
        end=found.end,
        turnaways=counts.turnaways,
        turnaway_people=counts.turnaway_people,
        turnaways_by_site=dict(counts.turnaways_by_site),
        turnaways_by_reason=dict(counts.turnaways_by_reason),
        no_shows=counts.no_shows,
        no_shows_of_referrals=counts.no_shows_of_referrals,
        no_shows_by_site=dict(counts.no_shows_by_site),
        no_shows_by_team=dict(counts.no_shows_by_team),
    )


def extension_request(request: ExtensionRequest, limit_at: datetime | None = None) -> rm.ExtensionRequestView:
    return rm.ExtensionRequestView(
        id=request.id,
        stay_id=request.stay_id,
        group_id=request.group_id,
        site_id=request.site_id,
        days=request.days,
        reason=request.reason,
        status=request.status,
        requested_at=request.requested_at,
        team_id=request.team_id,
        decided_at=request.decided_at,
        note=request.note,
        limit_at=limit_at,
    )


def extension_state(state: r.ExtensionState) -> rm.ExtensionRequestView:
    return extension_request(state.request, state.limit_at)
