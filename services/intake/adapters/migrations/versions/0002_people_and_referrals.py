"""People, referrals, the audit of reads of DV people's records, and trips.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from common.db import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(36)
SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", ID, primary_key=True),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("birth_year", sa.Integer, nullable=True),
        sa.Column("gender", sa.String(10), nullable=True),
        sa.Column("phone", sa.String(40), nullable=True),
        sa.Column("notes", sa.Text, nullable=True),
        sa.Column("dv", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("anonymised_at", UTCDateTime, nullable=True),
    )
    op.create_table(
        "referrals",
        sa.Column("id", ID, primary_key=True),
        sa.Column(
            "person_id", ID, sa.ForeignKey("people.id", name="fk_referrals_person_id_people"), nullable=True
        ),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("adults", sa.Integer, nullable=False),
        sa.Column("children", sa.Integer, nullable=False),
        sa.Column("gender", sa.String(10), nullable=False),
        sa.Column("youth", sa.Boolean, nullable=False),
        sa.Column("accessible", sa.Boolean, nullable=False),
        sa.Column("pet", sa.Boolean, nullable=False),
        sa.Column("dv", sa.Boolean, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("urgency", sa.String(10), nullable=False),
        sa.Column("team_id", sa.String(64), nullable=True),
        sa.Column("referrer_subject", sa.String(200), nullable=False),
        sa.Column("referrer_role", sa.String(20), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("hold_id", ID, nullable=True),
        sa.Column("site_id", ID, nullable=True),
        sa.Column("site_confidential", sa.Boolean, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=True),
        sa.Column("was_waitlisted", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_referrals_person_id", "referrals", ["person_id"])
    op.create_index("ix_referrals_hold_id", "referrals", ["hold_id"])
    op.create_index(
        "ix_referrals_team_id_status_created_at", "referrals", ["team_id", "status", "created_at"]
    )
    op.create_index("ix_referrals_status_created_at", "referrals", ["status", "created_at"])
    op.create_table(
        "person_reads",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("actor_role", sa.String(20), nullable=False),
        sa.Column("person_id", ID, nullable=False),
        sa.Column("referral_id", ID, nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
    )
    op.create_index("ix_person_reads_at", "person_reads", ["at"])
    op.create_index("ix_person_reads_person_id", "person_reads", ["person_id"])
    op.create_table(
        "trips",
        sa.Column("id", ID, primary_key=True),
        sa.Column("team_id", sa.String(64), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime, nullable=True),
        sa.Column("area", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("referral_id", ID, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_trips_team_id_started_at", "trips", ["team_id", "started_at"])


def downgrade() -> None:
    for table in ("trips", "person_reads", "referrals", "people"):
        op.drop_table(table)
