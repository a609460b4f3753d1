"""Running a service in-process for integration tests (real database, real NATS), and a small
client whose calls read like the contract: `await beds.post("/api/v1/sites", admin, body)`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from litestar import Litestar

from common.clock import Clock
from common.runtime import ServiceRuntime
from common.settings import Settings, settings_from_env

SECRET = "integration-tests-secret-0123456789"


def service_settings(
    service: str, *, database_url: str, nats_url: str, data_dir: Path, **overrides: Any
) -> Settings:
    values: dict[str, Any] = {
        "data_dir": str(data_dir),
        "database_url": database_url,
        "nats_url": nats_url,
        "secret": SECRET,
        "tick_seconds": 3600.0,  # tests tick the clocks themselves
        "writes_per_minute": 100_000,  # one test token writes fast; the limit is tested on its own
        "relay_poll_seconds": 0.05,
        "consumer_max_tries": 3,
        "consumer_ack_wait_seconds": 2.0,
    }
    values.update(overrides)
    return settings_from_env(service, env={}, **values)  # type: ignore[arg-type]


class Service:
    def __init__(self, app: Litestar, client: httpx.AsyncClient):
        self.app = app
        self.http = client
        self.runtime: ServiceRuntime[Any] = app.state.runtime

    def token(
        self,
        role: str,
        *,
        team: str | None = None,
        sites: tuple[str, ...] | list[str] = (),
        subject: str | None = None,
    ) -> str:
        return self.runtime.tokens.issue(role, team_id=team, site_ids=tuple(sites), subject=subject)

    async def call(
        self,
        method: str,
        path: str,
        token: str | None = None,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        return await self.http.request(method, path, json=body, headers=all_headers, params=params)

    async def get(self, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
        return await self.call("GET", path, token, **kw)

    async def post(self, path: str, token: str | None = None, body: Any = None, **kw: Any) -> httpx.Response:
        return await self.call("POST", path, token, body, **kw)

    async def delete(self, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
        return await self.call("DELETE", path, token, **kw)

    async def patch(self, path: str, token: str | None = None, body: Any = None, **kw: Any) -> httpx.Response:
        return await self.call("PATCH", path, token, body, **kw)

    async def tick(self) -> int:
        """One round of the clocks, now."""
        assert self.runtime.clocks is not None
        return await self.runtime.clocks.tick()

    async def relayed(self, within: float = 10.0) -> None:
        """Waits until every committed event has left the outbox."""
        await wait_until(self._outbox_empty, within)

    async def _outbox_empty(self) -> bool:
        return await self.runtime.relay.pending_count() == 0


@contextlib.asynccontextmanager
async def running(
    create_app: Callable[..., Litestar], settings: Settings, clock: Clock | None = None
) -> AsyncIterator[Service]:
    """The app in this test's event loop (database connections are bound to one loop): the
    runtime is started and stopped as the app's lifespan would, and HTTP goes through ASGI."""
    app = create_app(settings, clock=clock)
    runtime: ServiceRuntime[Any] = app.state.runtime
    await runtime.start()
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=30) as client:
            service = Service(app, client)
            await asyncio.wait_for(runtime.nats.ready.wait(), 10)
            yield service
    finally:
        await runtime.stop()


async def wait_until(predicate: Callable[[], Any], within: float = 10.0, step: float = 0.05) -> Any:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"condition not met in {within} s")
        await asyncio.sleep(step)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
