"""The parts of every service's litestar app that are the same: lifespan, auth, problems,
observation, health and metrics, and OpenAPI with a docs page that works offline."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from litestar.types import ControllerRouterHandler, Middleware

from common.access_table import AccessTable
from common.auth import PUBLIC_PATHS, jwt_auth
from common.bodies import MAX_BODY_BYTES, GuardRequests
from common.health import HealthController
from common.observe import ObserveRequests
from common.openapi import refine_openapi
from common.problems import EXCEPTION_HANDLERS
from common.rate_limits import rate_limits
from common.runtime import ServiceRuntime

DOCS_ASSETS = "/schema/assets"


def _swagger_assets_dir() -> str:
    return str(files("swagger_ui") / "static")


def openapi_config(title: str, description: str, version: str) -> OpenAPIConfig:
    return OpenAPIConfig(
        title=title,
        version=version,
        description=description,
        path="/schema",
        render_plugins=[
            SwaggerRenderPlugin(
                path="/",
                js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
                css_url=f"{DOCS_ASSETS}/swagger-ui.css",
                standalone_preset_js_url=f"{DOCS_ASSETS}/swagger-ui-standalone-preset.js",
                favicon="",
            )
        ],
    )


def create_service_app(
    runtime: ServiceRuntime[Any],
    *,
    title: str,
    description: str,
    route_handlers: Sequence[ControllerRouterHandler],
    access: AccessTable[Any],
    dependencies: dict[str, Provide] | None = None,
    version: str = "1.0.0",
    public_paths: Sequence[str] = (),
    middleware: Sequence[Middleware] = (),
    template_config: TemplateConfig[Any] | None = None,
) -> Litestar:
    """`public_paths`: patterns of the service's own paths that need no token at the door (beds'
    open data; its pages, which check their own sign-in cookie so that a stranger gets the
    sign-in page, not a problem document)."""
    public = (*PUBLIC_PATHS, *public_paths)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    def provide_runtime() -> ServiceRuntime[Any]:
        return runtime

    app = Litestar(
        route_handlers=[
            HealthController,
            create_static_files_router(
                path=DOCS_ASSETS, directories=[_swagger_assets_dir()], name="docs-assets"
            ),
            *route_handlers,
        ],
        dependencies={"runtime": Provide(provide_runtime, sync_to_thread=False), **(dependencies or {})},
        on_app_init=[jwt_auth(runtime.tokens, public).on_app_init],
        middleware=[
            *middleware,
            *rate_limits(runtime.settings.writes_per_minute, runtime.settings.address_requests_per_minute),
            GuardRequests(access),
        ],  # the table's roles first (403), then ids and body
        template_config=template_config,
        request_max_body_size=MAX_BODY_BYTES,
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=openapi_config(title, description, version),
        lifespan=[lifespan],
        state=State({"runtime": runtime}),
        debug=False,
        logging_config=None,  # ours (common.logging) is already in place
    )
    refine_openapi(app, public)
    app.asgi_handler = ObserveRequests(app.asgi_handler, runtime.metrics)
    return app
