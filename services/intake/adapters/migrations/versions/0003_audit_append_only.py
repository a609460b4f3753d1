"""The audit log is append-only: the database refuses UPDATE and DELETE on it; the reads of DV
people's records move into it (one shape of audit entry in every service).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from common.audit import make_append_only_v1, undo_append_only_v1
from common.db import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ID = sa.String(36)
SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    as_json = "json_build_object" if op.get_bind().dialect.name == "postgresql" else "json_object"
    copy = (
        "INSERT INTO audit_log (at, actor, actor_role, action, object_type, object_id, reason, detail) "
        "SELECT at, substr(actor, 1, 100), actor_role, 'person.read', 'person', person_id, reason, "
        "AS_JSON('referral_id', referral_id) FROM person_reads ORDER BY id"
    )
    op.execute(copy.replace("AS_JSON", as_json))
    op.drop_index("ix_person_reads_person_id", "person_reads")
    op.drop_index("ix_person_reads_at", "person_reads")
    op.drop_table("person_reads")
    make_append_only_v1(op)


def downgrade() -> None:
    undo_append_only_v1(op)
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
