"""`/health/live`, `/health/ready` (503 until the database and NATS answer, and again from the
moment the process is told to stop) and `/metrics`."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from litestar import Controller, Response, get
from litestar.di import NamedDependency

from common.metrics import MEDIA_TYPE
from common.problems import problem


class Health(msgspec.Struct):
    status: str
    service: str
    checks: dict[str, str] = msgspec.field(default_factory=dict)


class HealthController(Controller):
    path = "/"
    tags = ["operations"]
    include_in_schema = True

    @get("/health/live", summary="The process is up")
    async def live(self, runtime: NamedDependency[Any]) -> Health:
        return Health(status="ok", service=runtime.settings.service)

    @get(
        "/health/ready",
        summary="The database and NATS answer (503 until they do, and while stopping)",
        responses={},
    )
    async def ready(self, runtime: NamedDependency[Any]) -> Response[Any]:
        checks: dict[str, str] = {}
        if runtime.stopping:
            # Still answering requests in hand, but a load balancer must send no new ones.
            checks["process"] = "failing: stopping"
        for name, check in (("database", runtime.db.ping), ("nats", runtime.nats.check)):
            try:
                await asyncio.wait_for(check(), 2.0)
                checks[name] = "ok"
            except Exception as exc:
                checks[name] = f"failing: {type(exc).__name__}"
        if all(v == "ok" for v in checks.values()):
            return Response(Health(status="ok", service=runtime.settings.service, checks=checks))
        return problem(
            503,
            "Not ready: " + ", ".join(f"{k} {v}" for k, v in checks.items() if v != "ok"),
            title="Service Unavailable",
            checks=checks,
        )

    @get("/metrics", summary="Prometheus metrics", media_type=MEDIA_TYPE)
    async def metrics(self, runtime: NamedDependency[Any]) -> Response[bytes]:
        await runtime.metrics.refresh()
        return Response(runtime.metrics.render(), media_type=MEDIA_TYPE)
