"""create_app: the only place that wires intake together."""

from __future__ import annotations

from litestar import Litestar

from common.app import create_service_app
from common.audit import audit_handler
from common.clock import Clock
from common.consumer import Subscription
from common.runtime import ServiceRuntime
from common.settings import Settings, settings_from_env
from common.site_directory import site_directory_handler
from contracts.streams import BEDS
from services.intake.adapters.orm import plumbing, site_directory
from services.intake.adapters.unit_of_work import IntakeUnitOfWork
from services.intake.api.dependencies import dependencies
from services.intake.api.referrals import PeopleController, ReferralsController
from services.intake.api.trips import TripsController
from services.intake.domain.access import TABLE
from services.intake.service_layer.messagebus import intake_bus
from services.intake.service_layer.status import referral_status_handlers

DESCRIPTION = """\
People and referrals: who needs a place, from whom, with what needs; a referral's status follows
beds' events (held, placed, waitlisted, offered, expired). Personal data stays here; events carry
ids and coded facts only. Keeps a read model of beds' sites from their events. Every `/api/v1`
call needs `Authorization: Bearer <token>`; writes accept `Idempotency-Key`."""


def build_runtime(settings: Settings, clock: Clock | None = None) -> ServiceRuntime[IntakeUnitOfWork]:
    runtime = ServiceRuntime(settings, plumbing, IntakeUnitOfWork, clock=clock)
    runtime.subscribe(Subscription("intake-sites", BEDS, site_directory.handlers()))
    runtime.subscribe(Subscription("intake-referrals", BEDS, referral_status_handlers()))
    return runtime


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Litestar:
    runtime = build_runtime(settings or settings_from_env("intake"), clock)
    return create_service_app(
        runtime,
        access=TABLE,
        title="shelterbeds · intake",
        description=DESCRIPTION,
        route_handlers=[
            audit_handler(),
            ReferralsController,
            PeopleController,
            TripsController,
            site_directory_handler(
                site_directory,
                path="/api/v1/sites",
                roles=("patrol", "crisis_team", "shelter_staff", "supervisor"),
            ),
        ],
        dependencies=dependencies(intake_bus(runtime.unit_of_work)),
    )
