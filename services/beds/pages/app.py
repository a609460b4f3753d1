"""Wires beds' pages onto its app: templates with the translation catalogue, static files, the
CSRF check, the page routes with their friendly error pages, and the link to intake."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import httpx
from jinja2 import pass_context
from jinja2.runtime import Context
from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.middleware import DefineMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from litestar.types import ControllerRouterHandler, Middleware

from common.auth import Tokens
from common.clock import Clock
from common.settings import Settings
from services.beds.adapters.board_signals import BoardSignals
from services.beds.pages import i18n, urls
from services.beds.pages.board import BoardPages
from services.beds.pages.crisis import CrisisPages
from services.beds.pages.csrf import CookieCSRF, csrf_config
from services.beds.pages.frame import PAGE_ERRORS, Pages
from services.beds.pages.patrol import PatrolPages, ReferralsLink
from services.beds.pages.reports import ReportPages
from services.beds.pages.session import SessionPages
from services.beds.service_layer.messagebus import BedsBus

LANGUAGE_NAMES = {"uk": "Українська", "en": "English"}
INTAKE_TIMEOUT_S = 10.0


@pass_context
def _gettext(context: Context, message: str, **values: Any) -> str:
    return i18n.translate(str(context.get("lang", i18n.DEFAULT)), message, **values)


def _with_catalogue(engine: JinjaTemplateEngine) -> None:
    engine.engine.globals.update(
        _=_gettext,
        language_name=LANGUAGE_NAMES.__getitem__,
        other_languages=lambda lang: [other for other in i18n.LANGUAGES if other != lang],
    )


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    directory = Path(str(files("services.beds.pages") / "templates"))
    return TemplateConfig(directory=directory, engine=JinjaTemplateEngine, engine_callback=_with_catalogue)


@dataclass(frozen=True)
class PagesSetup:
    pages: Pages
    signals: BoardSignals
    route_handlers: list[ControllerRouterHandler]
    middleware: list[Middleware]
    template_config: TemplateConfig[JinjaTemplateEngine]
    public_paths: tuple[str, ...] = urls.PUBLIC


def _csrf_secret(secret: str) -> str:
    # Its own key, derived: a CSRF token must never be usable as anything else.
    return hashlib.sha256(b"shelterbeds-pages-csrf:" + secret.encode()).hexdigest()


def pages_of(
    settings: Settings, bus: BedsBus, tokens: Tokens, clock: Clock, signals: BoardSignals
) -> PagesSetup:
    intake = httpx.AsyncClient(base_url=settings.intake_url, timeout=INTAKE_TIMEOUT_S)
    pages = Pages(bus=bus, tokens=tokens, clock=clock, cookie_secure=settings.cookie_secure, intake=intake)
    router = Router(
        path="/",
        route_handlers=[SessionPages, BoardPages, PatrolPages, CrisisPages, ReportPages],
        exception_handlers=PAGE_ERRORS,
        include_in_schema=False,
    )
    static = create_static_files_router(
        path=urls.STATIC,
        directories=[Path(str(files("services.beds.pages") / "static"))],
        name="pages-static",
        cache_control=CacheControlHeader(max_age=3600),
    )
    return PagesSetup(
        pages=pages,
        signals=signals,
        route_handlers=[router, ReferralsLink, static],
        middleware=[
            DefineMiddleware(
                CookieCSRF, config=csrf_config(_csrf_secret(settings.secret), secure=settings.cookie_secure)
            )
        ],
        template_config=template_config(),
    )
