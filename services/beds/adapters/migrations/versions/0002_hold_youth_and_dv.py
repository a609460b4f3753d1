"""A hold remembers a youth party and a DV need (both were dropped before).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("holds") as batch:
        batch.add_column(sa.Column("youth", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("dv", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("holds") as batch:
        batch.drop_column("dv")
        batch.drop_column("youth")
