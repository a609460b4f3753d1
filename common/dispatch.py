"""The bus bound to one request's caller, as every service's controllers receive it (`bus`):
a write runs through `common.writes.Writes` (Idempotency-Key, race retries) with the bus's handler
as the work, a read in a read-only unit of work; a view maps the handler's domain result to the
response Struct. Each service's `api/dependencies.py` says who its caller is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from litestar import Request, Response

from common.auth import Principal
from common.bus import MessageBus
from common.uow import UnitOfWork
from common.writes import writes_for

U = TypeVar("U", bound=UnitOfWork)
C = TypeVar("C")
T = TypeVar("T")


class BusDispatch(Generic[U, C]):
    # The status of a write that does not name one (intake answers its writes 200 by default).
    write_status = 201

    def __init__(self, bus: MessageBus[U, C], request: Request[Principal, Any, Any], actor: C):
        self.bus = bus
        self.request = request
        self.actor = actor

    async def write(
        self, command: object, view: Callable[[Any], T], *, result_type: type[T], status: int | None = None
    ) -> Response[T]:
        self.bus.authorize(command, self.actor)  # a refused role takes no write lock
        writes = await writes_for(self.request, self.bus.unit_of_work)

        async def work(uow: U) -> T:
            return view(await self.bus.handle(command, self.actor, uow))

        answer = self.write_status if status is None else status
        return await writes.run(work, result_type=result_type, status=answer)

    async def read(self, query: object, view: Callable[[Any], T]) -> T:
        return await self.bus.ask(query, self.actor, view)
