"""Field realities: places out of service, turn-aways, presence of people staying, and intake's
restrictions (ids and dates), which placement and check-in respect, and their express check-in
cards (a token's digest → a person id; holds remember the person a card scan finds).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from common.db import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("places") as batch:
        batch.add_column(sa.Column("out_of_service_since", UTCDateTime, nullable=True))
        batch.add_column(sa.Column("out_of_service_reason", sa.String(20), nullable=True))
        batch.add_column(sa.Column("out_of_service_until", UTCDateTime, nullable=True))
        batch.create_index("ix_places_out_of_service_until", ["out_of_service_until"])
    with op.batch_alter_table("stays") as batch:
        batch.add_column(sa.Column("last_seen_at", UTCDateTime, nullable=True))
        batch.add_column(sa.Column("leaves_at", UTCDateTime, nullable=True))
    # Stays already open at sites that keep people for days were last seen when they were recorded.
    op.execute(
        "UPDATE stays SET last_seen_at = recorded_at WHERE ended_at IS NULL AND site_id IN "
        "(SELECT id FROM sites WHERE kind <> 'night_shelter')"
    )
    for column in ("last_seen_at", "leaves_at"):
        op.create_index(
            f"ix_stays_open_{column}",
            "stays",
            [column],
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )
    op.create_table(
        "restrictions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("site_id", sa.String(36), nullable=True),
        sa.Column("until", UTCDateTime, nullable=False),
    )
    op.create_index("ix_restrictions_person_id", "restrictions", ["person_id"])
    with op.batch_alter_table("placements") as batch:
        batch.add_column(sa.Column("person_id", sa.String(36), nullable=True))
    with op.batch_alter_table("holds") as batch:
        batch.add_column(sa.Column("person_id", sa.String(36), nullable=True))
        batch.create_index("ix_holds_person_id", ["person_id"])
    op.create_table(
        "cards",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("token_digest", sa.String(64), nullable=False),
        sa.UniqueConstraint("token_digest", name="uq_cards_token_digest"),
    )
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
    op.drop_table("cards")
    with op.batch_alter_table("holds") as batch:
        batch.drop_index("ix_holds_person_id")
        batch.drop_column("person_id")
    with op.batch_alter_table("placements") as batch:
        batch.drop_column("person_id")
    op.drop_index("ix_restrictions_person_id", "restrictions")
    op.drop_table("restrictions")
    op.drop_index("ix_turnaways_night", "turnaways")
    op.drop_index("ix_turnaways_site_id_night", "turnaways")
    op.drop_table("turnaways")
    op.drop_index("ix_stays_open_leaves_at", "stays")
    op.drop_index("ix_stays_open_last_seen_at", "stays")
    with op.batch_alter_table("stays") as batch:
        batch.drop_column("leaves_at")
        batch.drop_column("last_seen_at")
    with op.batch_alter_table("places") as batch:
        batch.drop_index("ix_places_out_of_service_until")
        batch.drop_column("out_of_service_until")
        batch.drop_column("out_of_service_reason")
        batch.drop_column("out_of_service_since")
