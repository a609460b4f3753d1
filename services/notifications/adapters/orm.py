"""The notifications database: plumbing, the read model of beds' sites, and teams, their
channels, the alerts they must hear and the deliveries of each alert to each channel.

An alert is unique per (event, team) and a delivery per (alert, channel): the database itself
refuses a second one, so a redelivered event or a second consumer replica cannot double them."""

import sqlalchemy as sa
from sqlalchemy import Boolean, Float, Integer, String, Table, Text

from common.db import UTCDateTime
from common.site_directory import SiteDirectory, site_directory_table
from common.tables import ID, SERIAL, add_plumbing_tables, new_metadata

metadata = new_metadata()
plumbing = add_plumbing_tables(metadata)
known_sites = site_directory_table(metadata)
site_directory = SiteDirectory(known_sites)

teams = Table(
    "teams",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("kind", String(20), nullable=False, index=True),
    sa.Column("name", String(200), nullable=False),
    sa.Column("language", String(2), nullable=False),
    sa.Column("status", String(10), nullable=False),
    sa.Column("lat", Float, nullable=True),
    sa.Column("lon", Float, nullable=True),
    sa.Column("status_at", UTCDateTime, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

team_sites = Table(
    "team_sites",
    metadata,
    sa.Column("team_id", ID, sa.ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("site_id", ID, primary_key=True),
    sa.Index("ix_team_sites_site_id", "site_id"),
)

channels = Table(
    "channels",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("team_id", ID, sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("kind", String(10), nullable=False),
    sa.Column("target", String(500), nullable=False),
    sa.Column("secret", String(200), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("removed_at", UTCDateTime, nullable=True),
    sa.Column("failing_since", UTCDateTime, nullable=True),
    sa.Column("broken", Boolean, nullable=False),
)

alerts = Table(
    "alerts",
    metadata,
    # The feed's position (SSE id): increasing in commit-ish order; the public id is `id`.
    sa.Column("seq", SERIAL, primary_key=True, autoincrement=True),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("team_id", ID, sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False),
    sa.Column("kind", String(40), nullable=False),
    sa.Column("event_id", String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("site_id", ID, nullable=True),
    sa.Column("confidential", Boolean, nullable=False),
    sa.Column("subject_id", ID, nullable=True),
    sa.Column("party_size", Integer, nullable=True),
    sa.Column("due_at", UTCDateTime, nullable=True),
    sa.Column("count", Integer, nullable=True),
    sa.Column("holder_team_id", ID, nullable=True),
    sa.Column("acked_at", UTCDateTime, nullable=True),
    sa.Column("acked_by", String(200), nullable=True),
    sa.Column("escalated_at", UTCDateTime, nullable=True),
    sa.UniqueConstraint("event_id", "team_id"),
    sa.Index("ix_alerts_team_id_created_at", "team_id", "created_at"),
)

deliveries = Table(
    "deliveries",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("alert_id", ID, sa.ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("channel_id", ID, sa.ForeignKey("channels.id", ondelete="CASCADE"), nullable=False),
    sa.Column("channel_kind", String(10), nullable=False),
    sa.Column("status", String(10), nullable=False),
    sa.Column("attempts", Integer, nullable=False),
    sa.Column("next_attempt_at", UTCDateTime, nullable=False),
    # Taken by a worker until then: a worker killed mid-delivery lets it go when this passes.
    sa.Column("claimed_until", UTCDateTime, nullable=True),
    sa.Column("last_error", String(200), nullable=True),
    sa.Column("last_latency_ms", Float, nullable=True),
    sa.Column("delivered_at", UTCDateTime, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("alert_id", "channel_id"),
    sa.Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
    sa.Column(
        "delivery_id", ID, sa.ForeignKey("deliveries.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("ok", Boolean, nullable=False),
    sa.Column("status_code", Integer, nullable=True),
    sa.Column("error", Text, nullable=True),
    sa.Column("latency_ms", Float, nullable=False),
)
