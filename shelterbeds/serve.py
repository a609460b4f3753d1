"""`shelterbeds serve <service>`: one service, as production runs it (and as `up` starts each)."""

from __future__ import annotations

import asyncio

from common.http_server import GracefulServer, server_config
from common.logging import configure_logging, get_logger
from common.migrations import upgrade
from common.settings import Settings
from shelterbeds.registry import SERVICES

log = get_logger("shelterbeds.serve")


def serve(settings: Settings, *, migrate: bool = True, log_format: str | None = None) -> int:
    configure_logging(settings.log_level, fmt=log_format)
    entry = SERVICES[settings.service]
    if migrate:
        asyncio.run(upgrade(settings.database_url, entry.migrations))
    app = entry.create_app(settings)
    config = server_config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
    )
    server = GracefulServer(
        config,
        app.state.runtime,
        grace_seconds=settings.shutdown_grace_seconds,
        drain_seconds=settings.shutdown_drain_seconds,
    )
    log.info("serving", service=settings.service, host=settings.host, port=settings.port)
    server.run()
    if not server.started or server.force_exit:
        return 1
    log.info("stopped", service=settings.service)
    return 0
