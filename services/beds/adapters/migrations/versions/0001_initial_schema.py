"""Initial schema: sites, rooms, places, claims, holds, stays, the nightly ledger.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from common.db import UTCDateTime
from common.tables import create_plumbing_tables_v1, drop_plumbing_tables_v1

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=36)
OPEN_CLAIM = sa.text("ends_at IS NULL")
OPEN_STAY = sa.text("ended_at IS NULL")


def upgrade() -> None:
    create_plumbing_tables_v1(op)
    op.create_table(
        "sites",
        sa.Column("id", ID, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("timezone", sa.String(60), nullable=False),
        sa.Column("max_stay_days", sa.Integer(), nullable=True),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("rollover", sa.Time(), nullable=False),
        sa.Column("cold_weather", sa.Boolean(), nullable=False),
        sa.Column("cold_weather_mats", sa.Integer(), nullable=True),
        sa.Column("retired_at", UTCDateTime(), nullable=True),
        sa.Column("ledger_closed_through", sa.Date(), nullable=True),
        sa.Column("ledger_due_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_sites_kind", "sites", ["kind"])
    op.create_index("ix_sites_lat_lon", "sites", ["lat", "lon"])
    op.create_index("ix_sites_ledger_due_at", "sites", ["ledger_due_at"])

    op.create_table(
        "rooms",
        sa.Column("id", ID, primary_key=True),
        sa.Column("site_id", ID, sa.ForeignKey("sites.id", name="fk_rooms_site_id_sites"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("restriction", sa.String(10), nullable=False),
        sa.Column("accessible", sa.Boolean(), nullable=False),
        sa.Column("pets_allowed", sa.Boolean(), nullable=False),
        sa.Column("retired_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_rooms_site_id", "rooms", ["site_id"])

    op.create_table(
        "places",
        sa.Column("id", ID, primary_key=True),
        sa.Column("site_id", ID, sa.ForeignKey("sites.id", name="fk_places_site_id_sites"), nullable=False),
        sa.Column("room_id", ID, sa.ForeignKey("rooms.id", name="fk_places_room_id_rooms"), nullable=True),
        sa.Column("kind", sa.String(5), nullable=False),
        sa.Column("label", sa.String(220), nullable=False),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("retired_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_places_site_id", "places", ["site_id"])
    op.create_index("ix_places_room_id", "places", ["room_id"])

    op.create_table(
        "place_claims",
        sa.Column("id", ID, primary_key=True),
        sa.Column(
            "place_id", ID, sa.ForeignKey("places.id", name="fk_place_claims_place_id_places"), nullable=False
        ),
        sa.Column(
            "site_id", ID, sa.ForeignKey("sites.id", name="fk_place_claims_site_id_sites"), nullable=False
        ),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.Column("hold_id", ID, nullable=True),
        sa.Column("stay_id", ID, nullable=True),
    )
    op.create_index("ix_place_claims_hold_id", "place_claims", ["hold_id"])
    op.create_index("ix_place_claims_stay_id", "place_claims", ["stay_id"])
    op.create_index("ix_place_claims_site_id_ends_at", "place_claims", ["site_id", "ends_at"])
    op.create_index("ix_place_claims_place_id_starts_at", "place_claims", ["place_id", "starts_at"])
    # At most one open claim per place: no place is held or occupied twice at once.
    op.create_index(
        "uq_place_claims_open",
        "place_claims",
        ["place_id"],
        unique=True,
        sqlite_where=OPEN_CLAIM,
        postgresql_where=OPEN_CLAIM,
    )
    if op.get_bind().dialect.name == "postgresql":
        # ...and no two spans on one place overlap, back-dated ones included.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE place_claims ADD CONSTRAINT ex_place_claims_no_overlap "
            "EXCLUDE USING gist (place_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)"
        )

    op.create_table(
        "holds",
        sa.Column("id", ID, primary_key=True),
        sa.Column("site_id", ID, sa.ForeignKey("sites.id", name="fk_holds_site_id_sites"), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("adults", sa.Integer(), nullable=False),
        sa.Column("children", sa.Integer(), nullable=False),
        sa.Column("gender", sa.String(6), nullable=False),
        sa.Column("accessible", sa.Boolean(), nullable=False),
        sa.Column("pet", sa.Boolean(), nullable=False),
        sa.Column("placed_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("warn_at", UTCDateTime(), nullable=False),
        sa.Column("warned_at", UTCDateTime(), nullable=True),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("holder_subject", sa.String(100), nullable=False),
        sa.Column("holder_role", sa.String(20), nullable=False),
        sa.Column("holder_team_id", sa.String(64), nullable=True),
        sa.Column("referral_id", sa.String(64), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
    )
    op.create_index("ix_holds_site_id", "holds", ["site_id"])
    op.create_index("ix_holds_referral_id", "holds", ["referral_id"])
    op.create_index("ix_holds_status_expires_at", "holds", ["status", "expires_at"])
    op.create_index("ix_holds_status_warn_at", "holds", ["status", "warn_at"])

    op.create_table(
        "stays",
        sa.Column("id", ID, primary_key=True),
        sa.Column("site_id", ID, sa.ForeignKey("sites.id", name="fk_stays_site_id_sites"), nullable=False),
        sa.Column("place_id", ID, sa.ForeignKey("places.id", name="fk_stays_place_id_places"), nullable=True),
        sa.Column("place_kind", sa.String(15), nullable=False),
        sa.Column("group_id", ID, nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("is_child", sa.Boolean(), nullable=False),
        sa.Column("scheduled_end", UTCDateTime(), nullable=True),
        sa.Column("limit_at", UTCDateTime(), nullable=True),
        sa.Column("extension_days", sa.Integer(), nullable=False),
        sa.Column("limit_warned_at", UTCDateTime(), nullable=True),
        sa.Column("limit_reached_at", UTCDateTime(), nullable=True),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("end_reason", sa.String(10), nullable=True),
        sa.Column("hold_id", ID, nullable=True),
        sa.Column("referral_id", sa.String(64), nullable=True),
        sa.Column("team_id", sa.String(64), nullable=True),
    )
    op.create_index("ix_stays_group_id", "stays", ["group_id"])
    op.create_index("ix_stays_site_id_ended_at", "stays", ["site_id", "ended_at"])
    op.create_index("ix_stays_site_id_started_at", "stays", ["site_id", "started_at"])
    op.create_index(
        "ix_stays_open_scheduled_end",
        "stays",
        ["scheduled_end"],
        sqlite_where=OPEN_STAY,
        postgresql_where=OPEN_STAY,
    )
    op.create_index(
        "ix_stays_open_limit_at", "stays", ["limit_at"], sqlite_where=OPEN_STAY, postgresql_where=OPEN_STAY
    )

    op.create_table(
        "nightly_ledger",
        sa.Column(
            "site_id", ID, sa.ForeignKey("sites.id", name="fk_nightly_ledger_site_id_sites"), primary_key=True
        ),
        sa.Column("night", sa.Date(), primary_key=True),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("beds_used", sa.Integer(), nullable=False),
        sa.Column("mats_used", sa.Integer(), nullable=False),
        sa.Column("over_capacity", sa.Integer(), nullable=False),
        sa.Column("arrivals_by_source", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_nightly_ledger_night", "nightly_ledger", ["night"])


def downgrade() -> None:
    for table in ("nightly_ledger", "stays", "holds", "place_claims", "places", "rooms", "sites"):
        op.drop_table(table)
    drop_plumbing_tables_v1(op)
