"""Field realities: places out of service, turn-aways.

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
    with op.batch_alter_table("places") as batch:
        batch.add_column(sa.Column("out_of_service_since", UTCDateTime, nullable=True))
        batch.add_column(sa.Column("out_of_service_reason", sa.String(20), nullable=True))
        batch.add_column(sa.Column("out_of_service_until", UTCDateTime, nullable=True))
        batch.create_index("ix_places_out_of_service_until", ["out_of_service_until"])
    op.create_table(
        "turnaways",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "site_id",
            sa.String(36),
            sa.ForeignKey("sites.id", name="fk_turnaways_site_id_sites"),
            nullable=False,
        ),
        sa.Column("night", sa.Date, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("adults", sa.Integer, nullable=False),
        sa.Column("children", sa.Integer, nullable=False),
        sa.Column("gender", sa.String(6), nullable=False),
        sa.Column("youth", sa.Boolean, nullable=False),
        sa.Column("accessible", sa.Boolean, nullable=False),
        sa.Column("pet", sa.Boolean, nullable=False),
        sa.Column("dv", sa.Boolean, nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("team_id", sa.String(64), nullable=True),
    )
    op.create_index("ix_turnaways_site_id_night", "turnaways", ["site_id", "night"])
    op.create_index("ix_turnaways_night", "turnaways", ["night"])


def downgrade() -> None:
    op.drop_index("ix_turnaways_night", "turnaways")
    op.drop_index("ix_turnaways_site_id_night", "turnaways")
    op.drop_table("turnaways")
    with op.batch_alter_table("places") as batch:
        batch.drop_index("ix_places_out_of_service_until")
        batch.drop_column("out_of_service_until")
        batch.drop_column("out_of_service_reason")
        batch.drop_column("out_of_service_since")
