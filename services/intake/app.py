"""create_app: the only place that wires intake together."""

from __future__ import annotations

from litestar import Litestar

from common.app import create_service_app
from common.clock import Clock
from common.consumer import Subscription
from common.runtime import ServiceRuntime
from common.settings import Settings, settings_from_env
from common.site_directory import site_directory_handler
from common.uow import UnitOfWork
from contracts.streams import BEDS
from services.intake.adapters.orm import plumbing, site_directory

DESCRIPTION = """\
People and referrals: who needs a place, from whom, with what needs. Personal data stays here;
events carry ids and coded facts only. Keeps a read model of beds' sites from their events."""


def build_runtime(settings: Settings, clock: Clock | None = None) -> ServiceRuntime[UnitOfWork]:
    runtime = ServiceRuntime(settings, plumbing, UnitOfWork, clock=clock)
    runtime.subscribe(Subscription("intake-sites", BEDS, site_directory.handlers()))
    return runtime


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Litestar:
    runtime = build_runtime(settings or settings_from_env("intake"), clock)
    return create_service_app(
        runtime,
        title="shelterbeds · intake",
        description=DESCRIPTION,
        route_handlers=[
            site_directory_handler(
                site_directory,
                path="/api/v1/sites",
                roles=("patrol", "crisis_team", "shelter_staff", "supervisor"),
            )
        ],
    )
