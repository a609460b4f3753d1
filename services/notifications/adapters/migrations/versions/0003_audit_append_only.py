"""The audit log is append-only: the database refuses UPDATE and DELETE on it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

from common.audit import make_append_only_v1, undo_append_only_v1

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    make_append_only_v1(op)


def downgrade() -> None:
    undo_append_only_v1(op)
