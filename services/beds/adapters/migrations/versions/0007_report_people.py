"""Reports: a stay remembers intake's person id when the check-in, the card or the referral's hold
named one; each closed night keeps the ids of the people it counted (`ledger_people`), so the
summary counts distinct people; referrals are found by when they were made (an index).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stays") as batch:
        batch.add_column(sa.Column("person_id", sa.String(36), nullable=True))
    op.create_table(
        "ledger_people",
        sa.Column(
            "site_id",
            sa.String(36),
            sa.ForeignKey("sites.id", name="fk_ledger_people_site_id_sites"),
            primary_key=True,
        ),
        sa.Column("night", sa.Date, primary_key=True),
        sa.Column("person_id", sa.String(36), primary_key=True),
        sa.Column("arrived", sa.Boolean, nullable=False),
    )
    op.create_index("ix_ledger_people_night", "ledger_people", ["night"])
    op.create_index("ix_placements_referred_at", "placements", ["referred_at"])


def downgrade() -> None:
    op.drop_index("ix_placements_referred_at", "placements")
    op.drop_index("ix_ledger_people_night", "ledger_people")
    op.drop_table("ledger_people")
    with op.batch_alter_table("stays") as batch:
        batch.drop_column("person_id")
