"""The beds database: tables, and the classical mapping of the domain's own classes onto them
(the domain stays free of SQLAlchemy; cosmicpython's `start_mappers`)."""

from __future__ import annotations

from typing import Any, get_args

import sqlalchemy as sa
from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Table, Time, event
from sqlalchemy.orm import composite, registry

from common.db import UTCDateTime
from common.tables import ID, add_plumbing_tables, new_metadata
from contracts.events.base import Source
from services.beds.domain.claims import PlaceClaim
from services.beds.domain.holds import Hold
from services.beds.domain.party import Needs, Party
from services.beds.domain.sites import Place, Room, Site
from services.beds.domain.stays import Stay
from services.beds.domain.turnaways import Turnaway

metadata = new_metadata()
plumbing = add_plumbing_tables(metadata)
mapper_registry = registry(metadata=metadata)
OPEN = sa.text("ends_at IS NULL")

sites = Table(
    "sites",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", String(200), nullable=False),
    sa.Column("kind", String(20), nullable=False, index=True),
    sa.Column("lat", Float, nullable=False),
    sa.Column("lon", Float, nullable=False),
    sa.Column("address", String(300), nullable=False),
    sa.Column("timezone", String(60), nullable=False),
    sa.Column("max_stay_days", Integer, nullable=True),
    sa.Column("confidential", Boolean, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("rollover", Time, nullable=False),
    sa.Column("cold_weather", Boolean, nullable=False, default=False),
    sa.Column("cold_weather_mats", Integer, nullable=True),
    sa.Column("retired_at", UTCDateTime, nullable=True),
    sa.Column("ledger_closed_through", Date, nullable=True),
    sa.Column("ledger_due_at", UTCDateTime, nullable=True, index=True),
    sa.Index("ix_sites_lat_lon", "lat", "lon"),
)

rooms = Table(
    "rooms",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("site_id", ID, ForeignKey("sites.id"), nullable=False, index=True),
    sa.Column("name", String(200), nullable=False),
    sa.Column("restriction", String(10), nullable=False),
    sa.Column("accessible", Boolean, nullable=False),
    sa.Column("pets_allowed", Boolean, nullable=False, default=False),
    sa.Column("retired_at", UTCDateTime, nullable=True),
)

places = Table(
    "places",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("site_id", ID, ForeignKey("sites.id"), nullable=False, index=True),
    sa.Column("room_id", ID, ForeignKey("rooms.id"), nullable=True, index=True),
    sa.Column("kind", String(5), nullable=False),
    sa.Column("label", String(220), nullable=False),
    sa.Column("emergency", Boolean, nullable=False, default=False),
    sa.Column("retired_at", UTCDateTime, nullable=True),
    sa.Column("out_of_service_since", UTCDateTime, nullable=True),
    sa.Column("out_of_service_reason", String(20), nullable=True),
    sa.Column("out_of_service_until", UTCDateTime, nullable=True, index=True),
)

# One row per span of time a place is taken, by a hold or by a stay. The partial unique index
# says "at most one open claim per place"; on PostgreSQL the first migration adds an exclusion
# constraint over (place_id, [starts_at, ends_at)) so that back-dated spans cannot overlap either.
place_claims = Table(
    "place_claims",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("place_id", ID, ForeignKey("places.id"), nullable=False),
    sa.Column("site_id", ID, ForeignKey("sites.id"), nullable=False),
    sa.Column("starts_at", UTCDateTime, nullable=False),
    sa.Column("ends_at", UTCDateTime, nullable=True),
    sa.Column("hold_id", ID, nullable=True, index=True),
    sa.Column("stay_id", ID, nullable=True, index=True),
    sa.Index("ix_place_claims_site_id_ends_at", "site_id", "ends_at"),
    sa.Index("ix_place_claims_place_id_starts_at", "place_id", "starts_at"),
    sa.Index("uq_place_claims_open", "place_id", unique=True, sqlite_where=OPEN, postgresql_where=OPEN),
)

holds = Table(
    "holds",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("site_id", ID, ForeignKey("sites.id"), nullable=False, index=True),
    sa.Column("status", String(10), nullable=False),
    sa.Column("adults", Integer, nullable=False),
    sa.Column("children", Integer, nullable=False),
    sa.Column("gender", String(6), nullable=False),
    sa.Column("youth", Boolean, nullable=False, default=False),
    sa.Column("accessible", Boolean, nullable=False),
    sa.Column("pet", Boolean, nullable=False),
    sa.Column("dv", Boolean, nullable=False, default=False),
    sa.Column("placed_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("warn_at", UTCDateTime, nullable=False),
    sa.Column("warned_at", UTCDateTime, nullable=True),
    sa.Column("ended_at", UTCDateTime, nullable=True),
    sa.Column("holder_subject", String(100), nullable=False),
    sa.Column("holder_role", String(20), nullable=False),
    sa.Column("holder_team_id", String(64), nullable=True),
    sa.Column("referral_id", String(64), nullable=True, index=True),
    sa.Column("source", String(20), nullable=False),
    sa.Column("person_id", ID, nullable=True),
    sa.Index("ix_holds_status_expires_at", "status", "expires_at"),
    sa.Index("ix_holds_person_id", "person_id"),
    sa.Index("ix_holds_status_warn_at", "status", "warn_at"),
)

stays = Table(
    "stays",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("site_id", ID, ForeignKey("sites.id"), nullable=False),
    sa.Column("place_id", ID, ForeignKey("places.id"), nullable=True),
    sa.Column("place_kind", String(15), nullable=False),
    sa.Column("group_id", ID, nullable=False, index=True),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    sa.Column("source", String(20), nullable=False),
    sa.Column("is_child", Boolean, nullable=False),
    sa.Column("scheduled_end", UTCDateTime, nullable=True),
    sa.Column("limit_at", UTCDateTime, nullable=True),
    sa.Column("extension_days", Integer, nullable=False, default=0),
    sa.Column("limit_warned_at", UTCDateTime, nullable=True),
    sa.Column("limit_reached_at", UTCDateTime, nullable=True),
    sa.Column("ended_at", UTCDateTime, nullable=True),
    sa.Column("end_reason", String(10), nullable=True),
    sa.Column("hold_id", ID, nullable=True),
    sa.Column("referral_id", String(64), nullable=True),
    sa.Column("team_id", String(64), nullable=True),
    sa.Column("last_seen_at", UTCDateTime, nullable=True),
    sa.Column("leaves_at", UTCDateTime, nullable=True),
    # intake's id of the person, when the check-in, their card or the referral's hold named them
    # (a party's first stay: the others are anonymous); no name ever
    sa.Column("person_id", ID, nullable=True),
    sa.Index("ix_stays_site_id_ended_at", "site_id", "ended_at"),
    sa.Index(
        "ix_stays_open_last_seen_at",
        "last_seen_at",
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    ),
    sa.Index(
        "ix_stays_open_leaves_at",
        "leaves_at",
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    ),
    sa.Index("ix_stays_site_id_started_at", "site_id", "started_at"),
    sa.Index(
        "ix_stays_open_scheduled_end",
        "scheduled_end",
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    ),
    sa.Index(
        "ix_stays_open_limit_at",
        "limit_at",
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    ),
)

# intake's restrictions, as far as beds needs them: who, where (None: everywhere), until when.
restrictions = Table(
    "restrictions",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("person_id", ID, nullable=False, index=True),
    sa.Column("site_id", ID, nullable=True),
    sa.Column("until", UTCDateTime, nullable=False),
)

# intake's express check-in cards, as beds needs them: a token's digest resolves to a person id.
cards = Table(
    "cards",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("person_id", ID, nullable=False),
    sa.Column("token_digest", String(64), nullable=False, unique=True),
)

# Someone a full site could not take: coded facts only (the unmet demand in the reports).
turnaways = Table(
    "turnaways",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("site_id", ID, ForeignKey("sites.id"), nullable=False),
    sa.Column("night", Date, nullable=False),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    sa.Column("adults", Integer, nullable=False),
    sa.Column("children", Integer, nullable=False),
    sa.Column("gender", String(6), nullable=False),
    sa.Column("youth", Boolean, nullable=False),
    sa.Column("accessible", Boolean, nullable=False),
    sa.Column("pet", Boolean, nullable=False),
    sa.Column("dv", Boolean, nullable=False),
    sa.Column("reason", String(20), nullable=False),
    sa.Column("team_id", String(64), nullable=True),
    sa.Index("ix_turnaways_site_id_night", "site_id", "night"),
    sa.Index("ix_turnaways_night", "night"),
)

nightly_ledger = Table(
    "nightly_ledger",
    metadata,
    sa.Column("site_id", ID, ForeignKey("sites.id"), primary_key=True),
    sa.Column("night", Date, primary_key=True),
    sa.Column("people", Integer, nullable=False),
    sa.Column("beds_used", Integer, nullable=False),
    sa.Column("mats_used", Integer, nullable=False),
    sa.Column("over_capacity", Integer, nullable=False),
    sa.Column("arrivals_by_source", sa.JSON, nullable=False),
    sa.Column("revision", Integer, nullable=False, default=0),
    sa.Column("closed_at", UTCDateTime, nullable=False),
    sa.Index("ix_nightly_ledger_night", "night"),
)

# The whole city's ledger, one row per night: what every site's row of that night adds up to,
# rewritten whenever one of them is (the city's summary of a year reads 366 rows, not 36,500).
ledger_city_nights = Table(
    "ledger_city_nights",
    metadata,
    sa.Column("night", Date, primary_key=True),
    sa.Column("sites", Integer, nullable=False),
    sa.Column("people", Integer, nullable=False),
    sa.Column("beds_used", Integer, nullable=False),
    sa.Column("mats_used", Integer, nullable=False),
    sa.Column("over_capacity", Integer, nullable=False),
    sa.Column("over_capacity_sites", Integer, nullable=False),
    sa.Column("peak_people", Integer, nullable=False),
    sa.Column("peak_over_capacity", Integer, nullable=False),
    *(sa.Column(f"arrivals_{source}", Integer, nullable=False) for source in get_args(Source)),
)

# The ids of the people a closed night counted (stays that named one): distinct people over a
# range. Written with the night's ledger row, rewritten with it; `arrived`: they came that night.
ledger_people = Table(
    "ledger_people",
    metadata,
    sa.Column("site_id", ID, ForeignKey("sites.id"), primary_key=True),
    sa.Column("night", Date, primary_key=True),
    sa.Column("person_id", ID, primary_key=True),
    sa.Column("arrived", Boolean, nullable=False),
    # covering: a range's distinct people are read from the index alone, not 100,000 table rows
    sa.Index("ix_ledger_people_night", "night", "person_id", "arrived"),
)

_started = False


def start_mappers() -> None:
    """Maps the domain classes once per process (idempotent)."""
    global _started
    if _started:
        return
    _started = True
    mapper_registry.map_imperatively(Site, sites)
    mapper_registry.map_imperatively(Room, rooms)
    mapper_registry.map_imperatively(Place, places)
    mapper_registry.map_imperatively(PlaceClaim, place_claims)
    mapper_registry.map_imperatively(
        Hold,
        holds,
        properties={
            "party": composite(Party, holds.c.adults, holds.c.children, holds.c.gender, holds.c.youth),
            "needs": composite(Needs, holds.c.accessible, holds.c.pet, holds.c.dv),
        },
    )
    mapper_registry.map_imperatively(Stay, stays)
    mapper_registry.map_imperatively(Turnaway, turnaways)
    for cls in (Site, Hold, Stay):
        event.listen(cls, "load", _give_events_list)


def _give_events_list(target: Any, _: Any) -> None:
    # Loaded objects skip __init__; they still need somewhere to record new events.
    target.events = []


# One row per referral beds was asked to place (the unique key makes a repeated referral.created
# place nothing twice); the waitlist is its rows in status `waitlisted`, served by urgency, then age.
placements = Table(
    "placements",
    metadata,
    sa.Column("referral_id", ID, primary_key=True),
    sa.Column("status", String(12), nullable=False),
    sa.Column("team_id", String(64), nullable=True),
    sa.Column("source", String(20), nullable=False),
    sa.Column("adults", Integer, nullable=True),
    sa.Column("children", Integer, nullable=True),
    sa.Column("gender", String(10), nullable=True),
    sa.Column("youth", Boolean, nullable=False),
    sa.Column("accessible", Boolean, nullable=False),
    sa.Column("pet", Boolean, nullable=False),
    sa.Column("dv", Boolean, nullable=False),
    sa.Column("lat", Float, nullable=False),
    sa.Column("lon", Float, nullable=False),
    sa.Column("urgency", String(10), nullable=False),
    sa.Column("urgency_rank", Integer, nullable=False),
    sa.Column("hold_id", ID, nullable=True),
    sa.Column("referred_at", UTCDateTime, nullable=False),
    sa.Column("waitlisted_until", UTCDateTime, nullable=True),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("person_id", ID, nullable=True),
    sa.Index("ix_placements_status_urgency_rank_referred_at", "status", "urgency_rank", "referred_at"),
    sa.Index("ix_placements_referred_at", "referred_at"),
)

# The reports' read model of intake's trips (`trip.recorded`): ids, times and the outcome code.
report_trips = Table(
    "report_trips",
    metadata,
    sa.Column("trip_id", String(36), primary_key=True),
    sa.Column("team_id", String(64), nullable=True),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("ended_at", UTCDateTime, nullable=True),
    sa.Column("outcome", String(12), nullable=False),
    sa.Column("referral_id", String(36), nullable=True),
    sa.Index("ix_report_trips_started_at", "started_at"),
)

# Requests to extend a stay past its limit (a team asks, a supervisor decides): at most one
# pending per family, which the partial unique index keeps true even for two replicas at once.
extension_requests = Table(
    "extension_requests",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("stay_id", ID, ForeignKey("stays.id"), nullable=False),
    sa.Column("group_id", ID, nullable=False),
    sa.Column("site_id", ID, ForeignKey("sites.id"), nullable=False),
    sa.Column("team_id", String(64), nullable=True),
    sa.Column("days", Integer, nullable=False),
    sa.Column("reason", String(1000), nullable=False),
    sa.Column("requested_by", String(200), nullable=False),
    sa.Column("requested_at", UTCDateTime, nullable=False),
    sa.Column("status", String(10), nullable=False),
    sa.Column("decided_by", String(200), nullable=True),
    sa.Column("decided_at", UTCDateTime, nullable=True),
    sa.Column("note", String(1000), nullable=True),
    sa.Index("ix_extension_requests_status_requested_at", "status", "requested_at"),
    sa.Index(
        "ux_extension_requests_pending_group",
        "group_id",
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    ),
)
