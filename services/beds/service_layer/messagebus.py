"""The composition of beds' use cases: every command and query with its one handler, the access
table as the bus's door, and confidential reads leaving their audit entry behind. HTTP
controllers and the placement consumer dispatch through the same bus."""

from __future__ import annotations

from typing import Any

from common.bus import Handler, MessageBus, UnitsOfWork
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.domain import commands as c
from services.beds.domain.access import Actor, may_call
from services.beds.service_layer import booking, extensions, reads, reports, sites
from services.beds.service_layer.nearest import find_availability

BedsBus = MessageBus[BedsUnitOfWork, Actor]

COMMANDS: dict[type, Handler[Actor, Any]] = {
    c.OpenSite: sites.open_site,
    c.UpdateSite: sites.update_site,
    c.RetireSite: sites.retire_site,
    c.AddRoom: sites.add_room,
    c.UpdateRoom: sites.update_room,
    c.RetireRoom: sites.retire_room,
    c.RetirePlace: sites.retire_place,
    c.DeletePlace: sites.delete_place,
    c.SwitchColdWeather: sites.switch_cold_weather,
    c.TakeOutOfService: sites.take_out_of_service,
    c.PutBackInService: sites.put_back_in_service,
    c.CheckIn: booking.check_in,
    c.CheckOut: booking.check_out,
    c.ScanCard: booking.scan_card,
    c.ExtendStay: booking.extend_stay,
    c.MoveStay: booking.move_stay,
    c.RequestExtension: extensions.request_extension,
    c.DecideExtension: extensions.decide_extension,
    c.ConfirmPresence: booking.confirm_presence,
    c.PlaceHold: booking.place_hold,
    c.RecordTurnaway: booking.record_turnaway,
    c.ExtendHold: booking.extend_hold,
    c.CancelHold: booking.cancel_hold,
    c.CheckInFromHold: booking.check_in_from_hold,
    c.RecordRead: reads.record_read,
}

QUERIES: dict[type, Handler[Actor, Any]] = {
    c.ListSites: reads.list_sites,
    c.GetSite: reads.get_site,
    c.GetBoard: reads.get_board,
    c.GetStay: reads.get_stay,
    c.GetHold: reads.get_hold,
    c.GetLedger: reads.get_ledger,
    c.ListPlacements: reads.list_placements,
    c.ListExtensionRequests: extensions.list_extension_requests,
    c.FindAvailability: find_availability,
    c.GetReportSummary: reports.get_report_summary,
    c.GetBedNights: reports.get_bed_nights,
    c.GetOpenCapacity: reports.get_open_capacity,
    c.CountUnmetDemand: reads.count_unmet_demand,
}


def beds_bus(unit_of_work: UnitsOfWork[BedsUnitOfWork]) -> BedsBus:
    return MessageBus(
        unit_of_work,
        commands=COMMANDS,
        queries=QUERIES,
        authorize=may_call,
        follow_up=reads.audit_trail,
    )
