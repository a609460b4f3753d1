"""create_app: the only place that wires beds together."""

from __future__ import annotations

from litestar import Litestar

from common.app import create_service_app
from common.clock import Clock
from common.runtime import ServiceRuntime
from common.settings import Settings, settings_from_env
from services.beds.adapters.orm import plumbing
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.api.dependencies import dependencies
from services.beds.api.holds import HoldsController
from services.beds.api.lookup import AvailabilityController, LedgerController
from services.beds.api.sites import PlacesController, RoomsController, SitesController
from services.beds.api.stays import StaysController
from services.beds.service_layer.clocks import BedsClocks
from services.beds.service_layer.messagebus import beds_bus

DESCRIPTION = """\
Sites, rooms and places (beds and overflow mats), holds for people on the way, stays, the
nightly ledger and nearest-place search. Every `/api/v1` call needs `Authorization: Bearer
<token>`; writes accept `Idempotency-Key`. Errors are RFC 9457 problem details."""


def build_runtime(settings: Settings, clock: Clock | None = None) -> ServiceRuntime[BedsUnitOfWork]:
    runtime = ServiceRuntime(settings, plumbing, BedsUnitOfWork, clock=clock)
    clocks = BedsClocks(runtime.unit_of_work, read=runtime.read)
    runtime.run_clocks(clocks.jobs(), next_due=clocks.next_due)
    return runtime


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Litestar:
    runtime = build_runtime(settings or settings_from_env("beds"), clock)
    return create_service_app(
        runtime,
        title="shelterbeds · beds",
        description=DESCRIPTION,
        route_handlers=[
            SitesController,
            RoomsController,
            PlacesController,
            StaysController,
            HoldsController,
            AvailabilityController,
            LedgerController,
        ],
        dependencies=dependencies(beds_bus(runtime.unit_of_work), runtime.clock),
    )
