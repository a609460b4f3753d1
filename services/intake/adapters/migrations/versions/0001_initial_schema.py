"""Initial schema: plumbing and the read model of beds' sites.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

from common.site_directory import create_site_directory_v1
from common.tables import create_plumbing_tables_v1, drop_plumbing_tables_v1

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_plumbing_tables_v1(op)
    create_site_directory_v1(op)


def downgrade() -> None:
    op.drop_table("known_sites")
    drop_plumbing_tables_v1(op)
