"""A read model of beds' sites, kept from `site.*` events, for the services that need to know
which sites exist and of what kind (intake: where a DV referral may go; notifications: whose
staff hear about a site). It holds only what the events carry: ids, kinds, coded flags, and the
public name of a non-confidential site."""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa
from litestar import Request, get
from litestar.di import NamedDependency
from sqlalchemy import Boolean, MetaData, String, Table

from common.access_table import callable_by
from common.consumer import NotYet
from common.db import UTCDateTime
from common.pagination import MAX_PAGE, Limit, Offset, page_of
from common.runtime import ServiceRuntime
from common.tables import ID
from common.uow import UnitOfWork
from common.visibility import may_know_site
from contracts import CloudEvent, Event
from contracts.events import beds as ev
from contracts.events.base import SiteKind


def site_directory_table(metadata: MetaData) -> Table:
    return Table(
        "known_sites",
        metadata,
        sa.Column("id", ID, primary_key=True),
        sa.Column("kind", String(20), nullable=False),
        sa.Column("confidential", Boolean, nullable=False),
        sa.Column("timezone", String(60), nullable=False),
        sa.Column("public_name", String(200), nullable=True),
        sa.Column("retired", Boolean, nullable=False, default=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )


def create_site_directory_v1(op: Any) -> None:
    """Frozen: the table as the first migration of a consuming service creates it."""
    op.create_table(
        "known_sites",
        sa.Column("id", ID, primary_key=True),
        sa.Column("kind", String(20), nullable=False),
        sa.Column("confidential", Boolean, nullable=False),
        sa.Column("timezone", String(60), nullable=False),
        sa.Column("public_name", String(200), nullable=True),
        sa.Column("retired", Boolean, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )


class KnownSite(msgspec.Struct):
    id: str
    kind: SiteKind
    confidential: bool
    timezone: str
    public_name: str | None
    retired: bool


class SiteDirectory:
    def __init__(self, table: Table):
        self.table = table

    def handlers(self) -> dict[type[Event], Any]:
        return {
            ev.SiteCreated: self.on_site_facts,
            ev.SiteUpdated: self.on_site_facts,
            ev.SiteRetired: self.on_retired,
        }

    async def on_site_facts(self, event: ev.SiteFacts, envelope: CloudEvent, uow: UnitOfWork) -> None:
        values = {
            "kind": event.kind,
            "confidential": event.confidential,
            "timezone": event.timezone,
            "public_name": event.public_name,
            "updated_at": envelope.time,
        }
        # Events may arrive out of order across replicas: never let an older fact win.
        exists = await uow.session.scalar(
            sa.select(self.table.c.updated_at).where(self.table.c.id == event.site_id)
        )
        if exists is None:
            await uow.session.execute(sa.insert(self.table).values(id=event.site_id, retired=False, **values))
        elif exists <= envelope.time:
            await uow.session.execute(
                sa.update(self.table).where(self.table.c.id == event.site_id).values(**values)
            )

    async def on_retired(self, event: ev.SiteRetired, envelope: CloudEvent, uow: UnitOfWork) -> None:
        retired = await uow.session.execute(
            sa.update(self.table)
            .where(self.table.c.id == event.site_id)
            .values(retired=True, updated_at=envelope.time)
        )
        if not retired.rowcount:  # type: ignore[attr-defined]
            # Retired before its creation reached us: a later site.created would bring it back.
            raise NotYet("site.created")

    async def visible_to(self, uow: UnitOfWork, role: str, site_ids: frozenset[str]) -> list[KnownSite]:
        query = sa.select(self.table).where(self.table.c.retired.is_(False)).order_by(self.table.c.id)
        rows = await uow.session.execute(query)
        return [
            KnownSite(r.id, r.kind, r.confidential, r.timezone, r.public_name, r.retired)
            for r in rows
            if may_know_site(role, site_ids, r.id, confidential=r.confidential)
        ]


def site_directory_handler(directory: SiteDirectory, *, path: str, roles: tuple[str, ...]) -> Any:
    """`GET <path>`: the sites this service knows of that the caller may see."""

    @get(path, opt=callable_by(roles), tags=["sites"], summary="Sites known here (from beds' events; paged)")
    async def known_sites(
        request: Request[Any, Any, Any],
        runtime: NamedDependency[ServiceRuntime[Any]],
        limit: Limit = MAX_PAGE,
        offset: Offset = 0,
    ) -> list[KnownSite]:
        async with runtime.read() as uow:
            known = await directory.visible_to(uow, request.user.role, request.user.site_ids)
        return page_of(known, limit, offset)

    return known_sites
