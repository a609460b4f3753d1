"""The reports' read model of intake's trips.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from common.db import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_trips",
        sa.Column("trip_id", sa.String(36), primary_key=True),
        sa.Column("team_id", sa.String(64), nullable=True),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime, nullable=True),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("referral_id", sa.String(36), nullable=True),
    )
    op.create_index("ix_report_trips_started_at", "report_trips", ["started_at"])


def downgrade() -> None:
    op.drop_table("report_trips")
