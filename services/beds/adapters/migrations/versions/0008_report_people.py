"""Reports: a stay remembers intake's person id when the check-in, the card or the referral's hold
named one; each closed night keeps the ids of the people it counted (`ledger_people`), so the
summary counts distinct people; the city's ledger is kept added up per night
(`ledger_city_nights`, filled here from the ledger so far); referrals are found by when they were
made (an index).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# the arrival sources of contracts' `Source` when this was written: a migration does not move
SOURCES = ("patrol", "mobile_team", "police", "phone", "walk_in", "contact_centre")

revision: str = "0008"
down_revision: str | None = "0007"
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
    op.create_index("ix_ledger_people_night", "ledger_people", ["night", "person_id", "arrived"])
    op.create_index("ix_placements_referred_at", "placements", ["referred_at"])
    city = op.create_table(
        "ledger_city_nights",
        sa.Column("night", sa.Date, primary_key=True),
        sa.Column("sites", sa.Integer, nullable=False),
        sa.Column("people", sa.Integer, nullable=False),
        sa.Column("beds_used", sa.Integer, nullable=False),
        sa.Column("mats_used", sa.Integer, nullable=False),
        sa.Column("over_capacity", sa.Integer, nullable=False),
        sa.Column("over_capacity_sites", sa.Integer, nullable=False),
        sa.Column("peak_people", sa.Integer, nullable=False),
        sa.Column("peak_over_capacity", sa.Integer, nullable=False),
        *(sa.Column(f"arrivals_{source}", sa.Integer, nullable=False) for source in SOURCES),
    )
    assert city is not None
    ledger = sa.table(
        "nightly_ledger",
        sa.column("night", sa.Date),
        sa.column("people", sa.Integer),
        sa.column("beds_used", sa.Integer),
        sa.column("mats_used", sa.Integer),
        sa.column("over_capacity", sa.Integer),
        sa.column("arrivals_by_source", sa.JSON),
    )
    n = ledger.c
    sums = sa.select(
        n.night,
        sa.func.count(),
        sa.func.sum(n.people),
        sa.func.sum(n.beds_used),
        sa.func.sum(n.mats_used),
        sa.func.sum(n.over_capacity),
        sa.func.sum(sa.case((n.over_capacity > 0, 1), else_=0)),
        sa.func.max(n.people),
        sa.func.max(n.over_capacity),
        *(sa.func.sum(sa.func.coalesce(n.arrivals_by_source[s].as_integer(), 0)) for s in SOURCES),
    ).group_by(n.night)
    op.execute(sa.insert(city).from_select([c.name for c in city.columns], sums))


def downgrade() -> None:
    op.drop_table("ledger_city_nights")
    op.drop_index("ix_placements_referred_at", "placements")
    op.drop_index("ix_ledger_people_night", "ledger_people")
    op.drop_table("ledger_people")
    with op.batch_alter_table("stays") as batch:
        batch.drop_column("person_id")
