"""Tables every service has in its own database: outbox, inbox, idempotency keys, leases, audit.

`add_plumbing_tables(metadata)` puts them into a service's metadata; each service's first
migration creates them with `create_plumbing_tables_v1` (a frozen copy, as migrations must be).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import BigInteger, Integer, LargeBinary, MetaData, String, Table, Text

from common.db import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(36)


def new_metadata() -> MetaData:
    """A service's metadata, with names that migrations and models agree on."""
    return MetaData(naming_convention=NAMING_CONVENTION)


# SQLite only auto-increments an INTEGER PRIMARY KEY (the rowid alias).
SERIAL = BigInteger().with_variant(Integer(), "sqlite")


class PlumbingTables:
    def __init__(self, metadata: MetaData):
        self.outbox = Table(
            "outbox",
            metadata,
            sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
            sa.Column("event_id", ID, nullable=False, unique=True),
            sa.Column("type", String(200), nullable=False),
            sa.Column("subject", String(200), nullable=False),
            sa.Column("payload", LargeBinary, nullable=False),
            sa.Column("created_at", UTCDateTime, nullable=False, index=True),
            sa.Column("sent_at", UTCDateTime, nullable=True),
            sa.Index(
                "ix_outbox_unsent",
                "id",
                sqlite_where=sa.text("sent_at IS NULL"),
                postgresql_where=sa.text("sent_at IS NULL"),
            ),
        )
        self.inbox = Table(
            "inbox",
            metadata,
            sa.Column("consumer", String(100), primary_key=True),
            sa.Column("event_id", String(64), primary_key=True),
            sa.Column("applied_at", UTCDateTime, nullable=False, index=True),
        )
        self.idempotency_keys = Table(
            "idempotency_keys",
            metadata,
            sa.Column("caller", String(100), primary_key=True),
            sa.Column("key", String(200), primary_key=True),
            sa.Column("fingerprint", String(64), nullable=False),
            sa.Column("status_code", Integer, nullable=False),
            sa.Column("body", LargeBinary, nullable=False),
            sa.Column("created_at", UTCDateTime, nullable=False, index=True),
        )
        self.leases = Table(
            "leases",
            metadata,
            sa.Column("name", String(100), primary_key=True),
            sa.Column("holder", String(200), nullable=False),
            sa.Column("expires_at", UTCDateTime, nullable=False),
        )
        self.audit_log = Table(
            "audit_log",
            metadata,
            sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
            sa.Column("at", UTCDateTime, nullable=False, index=True),
            sa.Column("actor", String(100), nullable=False),
            sa.Column("actor_role", String(30), nullable=False),
            sa.Column("action", String(60), nullable=False),
            sa.Column("object_type", String(30), nullable=False),
            sa.Column("object_id", ID, nullable=False),
            # Free text (an extension's reason) stays here, in the owning service's database only.
            sa.Column("reason", Text, nullable=True),
            sa.Column("detail", sa.JSON, nullable=True),
            sa.Index("ix_audit_log_object", "object_type", "object_id"),
        )


def add_plumbing_tables(metadata: MetaData) -> PlumbingTables:
    return PlumbingTables(metadata)


def create_plumbing_tables_v1(op: Any) -> None:
    """Frozen: the plumbing tables as the first migration of every service creates them."""
    op.create_table(
        "outbox",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("event_id", ID, nullable=False),
        sa.Column("type", String(200), nullable=False),
        sa.Column("subject", String(200), nullable=False),
        sa.Column("payload", LargeBinary, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("sent_at", UTCDateTime, nullable=True),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
    )
    op.create_index("ix_outbox_created_at", "outbox", ["created_at"])
    op.create_index(
        "ix_outbox_unsent",
        "outbox",
        ["id"],
        sqlite_where=sa.text("sent_at IS NULL"),
        postgresql_where=sa.text("sent_at IS NULL"),
    )
    op.create_table(
        "inbox",
        sa.Column("consumer", String(100), primary_key=True),
        sa.Column("event_id", String(64), primary_key=True),
        sa.Column("applied_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_inbox_applied_at", "inbox", ["applied_at"])
    op.create_table(
        "idempotency_keys",
        sa.Column("caller", String(100), primary_key=True),
        sa.Column("key", String(200), primary_key=True),
        sa.Column("fingerprint", String(64), nullable=False),
        sa.Column("status_code", Integer, nullable=False),
        sa.Column("body", LargeBinary, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])
    op.create_table(
        "leases",
        sa.Column("name", String(100), primary_key=True),
        sa.Column("holder", String(200), nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", String(100), nullable=False),
        sa.Column("actor_role", String(30), nullable=False),
        sa.Column("action", String(60), nullable=False),
        sa.Column("object_type", String(30), nullable=False),
        sa.Column("object_id", ID, nullable=False),
        sa.Column("reason", Text, nullable=True),
        sa.Column("detail", sa.JSON, nullable=True),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_object", "audit_log", ["object_type", "object_id"])


def drop_plumbing_tables_v1(op: Any) -> None:
    """The downgrade of `create_plumbing_tables_v1`, newest first."""
    for table in ("audit_log", "leases", "idempotency_keys", "inbox", "outbox"):
        op.drop_table(table)
