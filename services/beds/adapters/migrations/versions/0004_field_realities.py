"""Field realities: places out of service.

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


def downgrade() -> None:
    with op.batch_alter_table("places") as batch:
        batch.drop_index("ix_places_out_of_service_until")
        batch.drop_column("out_of_service_until")
        batch.drop_column("out_of_service_reason")
        batch.drop_column("out_of_service_since")
