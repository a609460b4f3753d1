"""Restrictions ("bans"): who may not come where, until when, and why (a code); express
check-in cards (an opaque token printed as a QR code).

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
        "restrictions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "person_id",
            sa.String(36),
            sa.ForeignKey("people.id", name="fk_restrictions_person_id_people"),
            nullable=False,
        ),
        sa.Column("site_id", sa.String(36), nullable=True),
        sa.Column("until", UTCDateTime, nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("imposed_by", sa.String(200), nullable=False),
        sa.Column("imposed_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_restrictions_person_id", "restrictions", ["person_id"])
    op.create_table(
        "cards",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "person_id",
            sa.String(36),
            sa.ForeignKey("people.id", name="fk_cards_person_id_people"),
            nullable=False,
        ),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("issued_at", UTCDateTime, nullable=False),
        sa.Column("issued_by", sa.String(200), nullable=False),
        sa.Column("revoked_at", UTCDateTime, nullable=True),
        sa.UniqueConstraint("token", name="uq_cards_token"),
    )
    op.create_index("ix_cards_person_id", "cards", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_cards_person_id", "cards")
    op.drop_table("cards")
    op.drop_index("ix_restrictions_person_id", "restrictions")
    op.drop_table("restrictions")
