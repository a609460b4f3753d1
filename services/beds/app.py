"""create_app: the only place that wires beds together."""

from __future__ import annotations

from litestar import Litestar

from common.app import create_service_app
from common.audit import audit_handler
from common.clock import Clock
from common.consumer import Subscription
from common.runtime import ServiceRuntime
from common.settings import Settings, settings_from_env
from contracts.streams import INTAKE
from services.beds.adapters.availability_index import AvailabilityIndex
from services.beds.adapters.board_signals import BoardSignals
from services.beds.adapters.orm import plumbing
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.api import urls
from services.beds.api.dependencies import dependencies
from services.beds.api.extensions import ExtensionsController
from services.beds.api.holds import HoldsController
from services.beds.api.lookup import AvailabilityController, LedgerController, UnmetDemandController
from services.beds.api.reports import OpenDataController, ReportsController
from services.beds.api.sites import PlacesController, RoomsController, SitesController
from services.beds.api.stays import StaysController
from services.beds.domain.access import TABLE
from services.beds.pages.app import pages_of
from services.beds.service_layer.clocks import BedsClocks
from services.beds.service_layer.messagebus import BedsBus, beds_bus
from services.beds.service_layer.placement import Placer
from services.beds.service_layer.reports import OccupancyGauges, TripFeed

DESCRIPTION = """\
Sites, rooms and places (beds and overflow mats), holds for people on the way, stays, the
nightly ledger and nearest-place search. Every `/api/v1` call needs `Authorization: Bearer
<token>`; writes accept `Idempotency-Key`. Errors are RFC 9457 problem details."""


def build_runtime(
    settings: Settings, clock: Clock | None = None
) -> tuple[ServiceRuntime[BedsUnitOfWork], BedsBus]:
    index = AvailabilityIndex(max_age=settings.availability_max_age_seconds)

    class UnitOfWork(BedsUnitOfWork):
        """This runtime's own, so that its commits mark this process's search index."""

        availability = index

    runtime: ServiceRuntime[BedsUnitOfWork] = ServiceRuntime(settings, plumbing, UnitOfWork, clock=clock)
    runtime.run_loop("availability-index", lambda: index.run(runtime.nats, runtime.read))
    bus = beds_bus(runtime.unit_of_work)
    placer = Placer(bus, runtime.unit_of_work, read=runtime.read, waitlist_hours=settings.waitlist_hours)
    runtime.subscribe(Subscription("beds-placement", INTAKE, placer.handlers()))
    runtime.on_commit(placer.heard)
    runtime.run_loop("waitlist", placer.serve_waitlist)
    runtime.subscribe(Subscription("beds-reports", INTAKE, TripFeed().handlers()))
    runtime.subscribe(Subscription("beds-people", INTAKE, Placer.people_handlers()))
    runtime.metrics.refreshers.append(OccupancyGauges(runtime.metrics.registry, runtime.read).refresh)
    clocks = BedsClocks(runtime.unit_of_work, read=runtime.read, absent_nights=settings.absent_nights)
    runtime.run_clocks([*clocks.jobs(), *placer.jobs()], next_due=clocks.next_due)
    return runtime, bus


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Litestar:
    settings = settings or settings_from_env("beds")
    runtime, bus = build_runtime(settings, clock)
    pages = pages_of(settings, bus, runtime.tokens, runtime.clock, BoardSignals(runtime.nats))
    app = create_service_app(
        runtime,
        access=TABLE,
        title="shelterbeds · beds",
        description=DESCRIPTION,
        route_handlers=[
            audit_handler(),
            SitesController,
            RoomsController,
            PlacesController,
            StaysController,
            ExtensionsController,
            HoldsController,
            AvailabilityController,
            LedgerController,
            UnmetDemandController,
            ReportsController,
            OpenDataController,
            *pages.route_handlers,
        ],
        dependencies=dependencies(bus, runtime.clock),
        public_paths=(urls.OPEN_DATA, *pages.public_paths),
        middleware=pages.middleware,
        template_config=pages.template_config,
    )
    app.state.pages = pages.pages
    app.state.board_signals = pages.signals
    app.on_shutdown.append(pages.pages.intake.aclose)
    return app
