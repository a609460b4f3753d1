"""The intake database: plumbing, the read model of beds' sites, and what only intake keeps —
people, referrals, the audit of reads of DV people's records, and teams' trips."""

import sqlalchemy as sa
from sqlalchemy import Boolean, Float, Integer, String, Table, Text

from common.db import UTCDateTime
from common.site_directory import SiteDirectory, site_directory_table
from common.tables import ID, add_plumbing_tables, new_metadata

metadata = new_metadata()
plumbing = add_plumbing_tables(metadata)
known_sites = site_directory_table(metadata)
site_directory = SiteDirectory(known_sites)

people = Table(
    "people",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", String(200), nullable=True),
    sa.Column("birth_year", Integer, nullable=True),
    sa.Column("gender", String(10), nullable=True),
    sa.Column("phone", String(40), nullable=True),
    sa.Column("notes", Text, nullable=True),
    sa.Column("dv", Boolean, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("anonymised_at", UTCDateTime, nullable=True),
)

referrals = Table(
    "referrals",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("person_id", ID, sa.ForeignKey("people.id"), nullable=True, index=True),
    sa.Column("source", String(20), nullable=False),
    sa.Column("adults", Integer, nullable=False),
    sa.Column("children", Integer, nullable=False),
    sa.Column("gender", String(10), nullable=False),
    sa.Column("youth", Boolean, nullable=False),
    sa.Column("accessible", Boolean, nullable=False),
    sa.Column("pet", Boolean, nullable=False),
    sa.Column("dv", Boolean, nullable=False),
    sa.Column("lat", Float, nullable=False),
    sa.Column("lon", Float, nullable=False),
    sa.Column("urgency", String(10), nullable=False),
    sa.Column("team_id", String(64), nullable=True),
    sa.Column("referrer_subject", String(200), nullable=False),
    sa.Column("referrer_role", String(20), nullable=False),
    sa.Column("status", String(12), nullable=False),
    sa.Column("hold_id", ID, nullable=True, index=True),
    sa.Column("site_id", ID, nullable=True),
    sa.Column("site_confidential", Boolean, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=True),
    sa.Column("was_waitlisted", Boolean, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_referrals_team_id_status_created_at", "team_id", "status", "created_at"),
    sa.Index("ix_referrals_status_created_at", "status", "created_at"),
)

# Who may not come where, until when, and why (a code); beds learns the ids and the date only.
restrictions = Table(
    "restrictions",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("person_id", ID, sa.ForeignKey("people.id"), nullable=False, index=True),
    sa.Column("site_id", ID, nullable=True),
    sa.Column("until", UTCDateTime, nullable=False),
    sa.Column("reason", String(20), nullable=False),
    sa.Column("imposed_by", String(200), nullable=False),
    sa.Column("imposed_at", UTCDateTime, nullable=False),
)

# Express check-in cards: the token (opaque, no name) is printed as a QR code; beds knows a digest.
cards = Table(
    "cards",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("person_id", ID, sa.ForeignKey("people.id"), nullable=False, index=True),
    sa.Column("token", String(64), nullable=False, unique=True),
    sa.Column("issued_at", UTCDateTime, nullable=False),
    sa.Column("issued_by", String(200), nullable=False),
    sa.Column("revoked_at", UTCDateTime, nullable=True),
)

trips = Table(
    "trips",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("team_id", String(64), nullable=True),
    sa.Column("recorded_by", String(200), nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("ended_at", UTCDateTime, nullable=True),
    sa.Column("area", String(200), nullable=False),
    sa.Column("outcome", String(12), nullable=False),
    sa.Column("referral_id", ID, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_trips_team_id_started_at", "team_id", "started_at"),
)
