"""Teams, channels, alerts, deliveries and every delivery attempt.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Boolean, Float, Integer, String, Text

from common.db import UTCDateTime
from common.tables import ID, SERIAL

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", ID, primary_key=True),
        sa.Column("kind", String(20), nullable=False),
        sa.Column("name", String(200), nullable=False),
        sa.Column("language", String(2), nullable=False),
        sa.Column("status", String(10), nullable=False),
        sa.Column("lat", Float, nullable=True),
        sa.Column("lon", Float, nullable=True),
        sa.Column("status_at", UTCDateTime, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_teams"),
    )
    op.create_index("ix_teams_kind", "teams", ["kind"])
    op.create_table(
        "team_sites",
        sa.Column("team_id", ID, nullable=False),
        sa.Column("site_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("team_id", "site_id", name="pk_team_sites"),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name="fk_team_sites_team_id_teams", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_team_sites_site_id", "team_sites", ["site_id"])
    op.create_table(
        "channels",
        sa.Column("id", ID, nullable=False),
        sa.Column("team_id", ID, nullable=False),
        sa.Column("kind", String(10), nullable=False),
        sa.Column("target", String(500), nullable=False),
        sa.Column("secret", String(200), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("removed_at", UTCDateTime, nullable=True),
        sa.Column("failing_since", UTCDateTime, nullable=True),
        sa.Column("broken", Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_channels"),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name="fk_channels_team_id_teams", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_channels_team_id", "channels", ["team_id"])
    op.create_table(
        "alerts",
        sa.Column("seq", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("id", ID, nullable=False),
        sa.Column("team_id", ID, nullable=False),
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
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name="fk_alerts_team_id_teams", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("id", name="uq_alerts_id"),
        sa.UniqueConstraint("event_id", "team_id", name="uq_alerts_event_id_team_id"),
    )
    op.create_index("ix_alerts_team_id_created_at", "alerts", ["team_id", "created_at"])
    op.create_table(
        "deliveries",
        sa.Column("id", ID, nullable=False),
        sa.Column("alert_id", ID, nullable=False),
        sa.Column("channel_id", ID, nullable=False),
        sa.Column("channel_kind", String(10), nullable=False),
        sa.Column("status", String(10), nullable=False),
        sa.Column("attempts", Integer, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime, nullable=False),
        sa.Column("claimed_until", UTCDateTime, nullable=True),
        sa.Column("last_error", String(200), nullable=True),
        sa.Column("last_latency_ms", Float, nullable=True),
        sa.Column("delivered_at", UTCDateTime, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name="fk_deliveries_alert_id_alerts", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name="fk_deliveries_channel_id_channels", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("alert_id", "channel_id", name="uq_deliveries_alert_id_channel_id"),
    )
    op.create_index("ix_deliveries_status_next_attempt_at", "deliveries", ["status", "next_attempt_at"])
    op.create_table(
        "delivery_attempts",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("delivery_id", ID, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("ok", Boolean, nullable=False),
        sa.Column("status_code", Integer, nullable=True),
        sa.Column("error", Text, nullable=True),
        sa.Column("latency_ms", Float, nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name="fk_delivery_attempts_delivery_id_deliveries",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_delivery_attempts_delivery_id", "delivery_attempts", ["delivery_id"])


def downgrade() -> None:
    for table in ("delivery_attempts", "deliveries", "alerts", "channels", "team_sites", "teams"):
        op.drop_table(table)
