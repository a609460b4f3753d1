"""Placements of referrals, and so the waitlist.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from common.db import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "placements",
        sa.Column("referral_id", sa.String(36), primary_key=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("team_id", sa.String(64), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("adults", sa.Integer, nullable=True),
        sa.Column("children", sa.Integer, nullable=True),
        sa.Column("gender", sa.String(10), nullable=True),
        sa.Column("youth", sa.Boolean, nullable=False),
        sa.Column("accessible", sa.Boolean, nullable=False),
        sa.Column("pet", sa.Boolean, nullable=False),
        sa.Column("dv", sa.Boolean, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("urgency", sa.String(10), nullable=False),
        sa.Column("urgency_rank", sa.Integer, nullable=False),
        sa.Column("hold_id", sa.String(36), nullable=True),
        sa.Column("referred_at", UTCDateTime, nullable=False),
        sa.Column("waitlisted_until", UTCDateTime, nullable=True),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index(
        "ix_placements_status_urgency_rank_referred_at",
        "placements",
        ["status", "urgency_rank", "referred_at"],
    )


def downgrade() -> None:
    op.drop_table("placements")
