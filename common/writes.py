"""How every HTTP write runs: in one unit of work, retried when it loses a race, and answered
from storage when a phone on a bad connection repeats it with the same `Idempotency-Key`.

The stored answer is written in the same transaction as the change, so "did it happen?" and
"what did we answer?" can never disagree. Keys are per caller (token subject). A key reused
for a different request is refused. Failed requests are not stored: nothing happened, so a
retry may succeed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import msgspec
import sqlalchemy as sa
from litestar import Request, Response
from litestar.exceptions import ValidationException

from common.db import is_retryable
from common.errors import Conflict, RuleViolation
from common.retries import WRITE_RACE
from common.uow import UnitOfWork

T = TypeVar("T")
U = TypeVar("U", bound=UnitOfWork)
HEADER = "idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 200


class Writes(Generic[U]):
    def __init__(
        self,
        unit_of_work: Callable[[], U],
        *,
        caller: str,
        idempotency_key: str | None,
        fingerprint: str,
    ):
        self.unit_of_work = unit_of_work
        self.caller = caller
        self.key = idempotency_key
        self.fingerprint = fingerprint

    async def run(
        self, work: Callable[[U], Awaitable[T]], *, result_type: type[T], status: int = 201
    ) -> Response[T]:
        try:
            async for attempt in WRITE_RACE.context(on=is_retryable):
                with attempt:
                    return await self._attempt(work, result_type, status)
        except Exception as exc:
            if is_retryable(exc):
                raise Conflict(
                    "Too many people are changing the same thing right now; please try again.",
                    code="busy",
                ) from exc
            raise
        raise AssertionError("unreachable: stamina either returns or raises")

    async def _attempt(
        self, work: Callable[[U], Awaitable[T]], result_type: type[T], status: int
    ) -> Response[T]:
        keys = None
        async with self.unit_of_work() as uow:
            if self.key is not None:
                keys = uow.tables.idempotency_keys
                stored = (
                    await uow.session.execute(
                        sa.select(keys.c.fingerprint, keys.c.status_code, keys.c.body).where(
                            keys.c.caller == self.caller, keys.c.key == self.key
                        )
                    )
                ).first()
                if stored is not None:
                    if stored.fingerprint != self.fingerprint:
                        raise RuleViolation(
                            "This Idempotency-Key was already used for a different request.",
                            code="idempotency-key-reused",
                        )
                    body = msgspec.json.decode(stored.body, type=result_type)
                    return Response(body, status_code=stored.status_code, headers={REPLAYED_HEADER: "true"})
            result = await work(uow)
            if keys is not None:
                await uow.session.execute(
                    sa.insert(keys).values(
                        caller=self.caller,
                        key=self.key,
                        fingerprint=self.fingerprint,
                        status_code=status,
                        body=msgspec.json.encode(result),
                        created_at=uow.clock.now(),
                    )
                )
            await uow.commit()
        return Response(result, status_code=status)


async def writes_for(request: Request[Any, Any, Any], unit_of_work: Callable[[], U]) -> Writes[U]:
    key = request.headers.get(HEADER)
    if key is not None:
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            raise ValidationException(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters.")
    body = await request.body()
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n".encode() + body).hexdigest()
    return Writes(unit_of_work, caller=request.user.subject, idempotency_key=key, fingerprint=digest)
