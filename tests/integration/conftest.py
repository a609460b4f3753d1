"""Integration fixtures: services running in-process on a fresh database (each backend) and the
session's real nats-server, with JetStream emptied before each test."""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import nats
import pytest
from nats.js.errors import NotFoundError

from common.clock import ManualClock
from contracts import ALL_STREAMS
from services.beds.app import create_app as create_beds
from services.intake.app import create_app as create_intake
from tests.support.databases import Databases
from tests.support.events import EventTap
from tests.support.privacy import captured_logs
from tests.support.service import Service, running, service_settings

# 20:00 in Kyiv on a November evening: the evening rush at a night shelter.
EVENING = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
async def empty_jetstream(nats_url: str) -> None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for spec in ALL_STREAMS:
            with contextlib.suppress(NotFoundError):
                await js.delete_stream(spec.name)
    finally:
        await nc.close()


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Everything the in-process services log, formatted exactly as production writes it: what
    a privacy test reads for personal data."""
    with captured_logs() as stream:
        yield stream


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(EVENING)


@pytest.fixture
async def beds_url(databases: Databases, backend: str) -> str:
    return await databases.fresh("beds", backend)


@pytest.fixture
async def beds(beds_url: str, nats_url: str, data_dir: Path, clock: ManualClock) -> AsyncIterator[Service]:
    settings = service_settings("beds", database_url=beds_url, nats_url=nats_url, data_dir=data_dir)
    async with running(create_beds, settings, clock) as service:
        yield service


@pytest.fixture
async def intake_url(databases: Databases, backend: str) -> str:
    return await databases.fresh("intake", backend)


@pytest.fixture
async def intake(
    intake_url: str, nats_url: str, data_dir: Path, clock: ManualClock
) -> AsyncIterator[Service]:
    settings = service_settings("intake", database_url=intake_url, nats_url=nats_url, data_dir=data_dir)
    async with running(create_intake, settings, clock) as service:
        yield service


@pytest.fixture
async def events(nats_url: str) -> AsyncIterator[EventTap]:
    async with EventTap(nats_url) as tap:
        yield tap
