"""A small message bus, in the spirit of cosmicpython's: one handler per message type, looked up
by the type of the message, so that an HTTP controller, an event consumer and a test all run
exactly the same use case by building the same command.

- `handle(command, caller, uow)` runs a command's handler inside a unit of work the caller owns
  (HTTP writes: `common.writes.Writes`, which adds Idempotency-Key and race retries; consumers:
  their inbox transaction). `run(command, caller)` opens and commits its own.
- `ask(query, caller)` runs a query's handler in a read-only unit of work. A query may leave
  commands behind (`follow_up`: e.g. the audit entry of a confidential read); they run after it,
  together in one committed unit of work, so the read itself never takes the write lock.
- `authorize(message, caller)` is asked first, for every message: who may call what is declared
  in one table per service, and the bus is the one door every caller comes through.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Generic, Protocol, TypeVar

from common.uow import UnitOfWork

U = TypeVar("U", bound=UnitOfWork)
C = TypeVar("C")
T = TypeVar("T")
Handler = Callable[[Any, C, U], Awaitable[Any]]


def _as_is(result: Any) -> Any:
    return result


class UnitsOfWork(Protocol[U]):  # type: ignore[misc]
    def __call__(self, *, write: bool = True) -> U: ...


class UnknownMessage(LookupError):
    pass


class MessageBus(Generic[U, C]):
    def __init__(
        self,
        unit_of_work: UnitsOfWork[U],
        *,
        commands: Mapping[type, Handler[C, U]],
        queries: Mapping[type, Handler[C, U]],
        authorize: Callable[[object, C], None],
        follow_up: Callable[[object, C, Any], Iterable[object]] | None = None,
    ):
        overlap = set(commands) & set(queries)
        if overlap:
            raise ValueError(
                f"a message is either a command or a query: {sorted(t.__name__ for t in overlap)}"
            )
        self.unit_of_work = unit_of_work
        self.commands = dict(commands)
        self.queries = dict(queries)
        self.authorize = authorize
        self.follow_up = follow_up

    def _handler(self, table: Mapping[type, Handler[C, U]], message: object) -> Handler[C, U]:
        try:
            return table[type(message)]
        except KeyError:
            raise UnknownMessage(f"no handler for {type(message).__name__}") from None

    async def handle(self, command: object, caller: C, uow: U) -> Any:
        handler = self._handler(self.commands, command)
        self.authorize(command, caller)
        return await handler(command, caller, uow)

    async def run(self, command: object, caller: C) -> Any:
        async with self.unit_of_work() as uow:
            result = await self.handle(command, caller, uow)
            await uow.commit()
        return result

    async def ask(self, query: object, caller: C, present: Callable[[Any], T] = _as_is) -> T:
        """`present` maps the result while its unit of work is open: loaded objects expire when
        a read-only transaction ends, so whatever reads them must run inside it."""
        handler = self._handler(self.queries, query)
        self.authorize(query, caller)
        async with self.unit_of_work(write=False) as uow:
            result = await handler(query, caller, uow)
            answer = present(result)
            follow_ups = list(self.follow_up(query, caller, result)) if self.follow_up else []
        if follow_ups:
            async with self.unit_of_work() as uow:
                for command in follow_ups:
                    await self.handle(command, caller, uow)
                await uow.commit()
        return answer
