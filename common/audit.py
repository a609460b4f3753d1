"""The audit log every service keeps (`audit_log`, common.tables): every read and change of a
confidential record and every supervisor override, one shape in every service — who (`actor`,
`actor_role`), when (`at`, the service's clock), what (`action`, `object_type`, `object_id`),
why (`reason`, free text that never leaves the service's database) and coded `detail`.

- Append-only, by the database itself: triggers refuse UPDATE and DELETE (and, on PostgreSQL,
  TRUNCATE), created by each service's migration through `make_append_only_v1` (frozen, as
  migrations must be). Nobody, not even the service's own code, can rewrite what was seen.
- `GET /api/v1/audit` (supervisors): newest first, paged, filtered by object, actor, action, days.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any

import msgspec
import sqlalchemy as sa
from litestar import get
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import QueryParameter

from common.access_table import callable_by
from common.ids import UUID_PATTERN
from common.runtime import ServiceRuntime
from common.times import OutOfRange, day_or_time

AUDIT_PATH = "/api/v1/audit"
AUDITORS = ("supervisor",)
MAX_PAGE = 200
TABLE = "audit_log"

_SQLITE_TRIGGERS = [
    f"CREATE TRIGGER {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: {verb} refused'); END"
    for verb in ("UPDATE", "DELETE")
]
_POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '{TABLE} is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$""",
    f"CREATE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()",
    f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()",
]


def make_append_only_v1(op: Any) -> None:
    """For a migration: the database refuses to change or remove an audit entry."""
    statements = _POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else _SQLITE_TRIGGERS
    for statement in statements:
        op.execute(statement)


def undo_append_only_v1(op: Any) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}")
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_change ON {TABLE}")
        op.execute(f"DROP FUNCTION IF EXISTS {TABLE}_append_only()")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{verb}")


class AuditEntry(msgspec.Struct, frozen=True):
    id: int
    at: datetime
    actor: str
    actor_role: str
    action: str
    object_type: str
    object_id: str
    reason: str | None
    detail: dict[str, Any] | None


class AuditPage(msgspec.Struct, frozen=True):
    items: list[AuditEntry]
    total: int
    limit: int
    offset: int


def _day_start(name: str, value: str | None, *, after: bool = False) -> datetime | None:
    if value is None:
        return None
    try:
        day = day_or_time(name, value)
    except OutOfRange as exc:
        raise ValidationException(
            f"{name}: {exc}", extra=[{"key": name, "message": str(exc), "source": "query"}]
        ) from exc
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start + timedelta(days=1) if after else start


Short = Annotated[str | None, QueryParameter(min_length=1, max_length=100)]


def audit_handler() -> Any:
    """`GET /api/v1/audit` of the service it is mounted on."""

    @get(
        AUDIT_PATH,
        opt=callable_by(AUDITORS),
        tags=["audit"],
        summary="The audit log: reads of confidential records and supervisor overrides, newest first",
    )
    async def audit_log(
        runtime: NamedDependency[ServiceRuntime[Any]],
        object_type: Annotated[str | None, QueryParameter(min_length=1, max_length=30)] = None,
        object_id: Annotated[str | None, QueryParameter(pattern=UUID_PATTERN, description="a UUID")] = None,
        actor: Short = None,
        action: Annotated[str | None, QueryParameter(min_length=1, max_length=60)] = None,
        start_text: Annotated[str | None, QueryParameter(name="from", description="a date (UTC)")] = None,
        end_text: Annotated[
            str | None, QueryParameter(name="to", description="a date (UTC), inclusive")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> AuditPage:
        start, end = _day_start("from", start_text), _day_start("to", end_text, after=True)
        async with runtime.read() as uow:
            log = uow.tables.audit_log
            where = [
                condition
                for condition in (
                    log.c.object_type == object_type if object_type else None,
                    log.c.object_id == object_id.lower() if object_id else None,
                    log.c.actor == actor if actor else None,
                    log.c.action == action if action else None,
                    log.c.at >= start if start else None,
                    log.c.at < end if end else None,
                )
                if condition is not None
            ]
            total = await uow.session.scalar(sa.select(sa.func.count()).select_from(log).where(*where))
            rows = await uow.session.execute(
                sa.select(log).where(*where).order_by(log.c.id.desc()).limit(limit).offset(offset)
            )
            items = [
                AuditEntry(
                    r.id,
                    r.at,
                    r.actor,
                    r.actor_role,
                    r.action,
                    r.object_type,
                    r.object_id,
                    r.reason,
                    r.detail,
                )
                for r in rows
            ]
        return AuditPage(items, int(total or 0), limit, offset)

    return audit_log
