"""Browser tests: Debian's Chromium (`/usr/bin/chromium`) driven by Playwright's Python client,
one browser for the whole session, against beds served over real HTTP (uvicorn, in this event
loop) on a real nats-server and SQLite. Every page load is routed through a check that refuses
and records any request leaving 127.0.0.1, so each test also proves the pages need nothing from
outside. Screenshots go to tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from playwright.async_api import Browser, BrowserContext, Route, async_playwright

from services.beds.app import create_app as create_beds
from tests.support.databases import Databases
from tests.support.nats_server import NatsServer
from tests.support.service import service_settings, wait_until

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveBeds:
    url: str
    http: httpx.AsyncClient
    app: object
    outside: list[str] = field(default_factory=list)

    def token(self, role: str, *, sites: tuple[str, ...] = (), team: str | None = None) -> str:
        return self.app.state.runtime.tokens.issue(role, site_ids=sites, team_id=team)  # type: ignore[attr-defined]

    async def call(self, method: str, path: str, token: str, body: object = None) -> httpx.Response:
        return await self.http.request(method, path, json=body, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        await browser.close()


@pytest.fixture(scope="session")
def pages_nats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The pages' beds lives for the whole session: on the tests' shared nats-server its durable
    consumers would take the events meant for the beds of later tests in the same worker."""
    server = NatsServer(tmp_path_factory.mktemp("pages-nats")).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
async def live_beds(
    databases: Databases, pages_nats: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LiveBeds]:
    port = free_port()
    settings = service_settings(
        "beds",
        database_url=await databases.fresh("beds", "sqlite"),
        nats_url=pages_nats,
        data_dir=tmp_path_factory.mktemp("pages"),
        port=port,
        intake_url=f"http://127.0.0.1:{free_port()}",
    )
    app = create_beds(settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=2)
    )
    serving = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started)
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        for _ in range(200):
            if (await http.get("/health/ready")).status_code == 200:
                break
            await asyncio.sleep(0.05)
        yield LiveBeds(url, http, app)
    server.should_exit = True
    await serving


async def _only_local(route: Route, beds: LiveBeds) -> None:
    if urlsplit(route.request.url).netloc == urlsplit(beds.url).netloc:
        await route.continue_()
    else:
        beds.outside.append(route.request.url)
        await route.abort("blockedbyclient")


@pytest.fixture
async def open_context(browser: Browser, live_beds: LiveBeds) -> AsyncIterator[object]:
    """`await open_context(token=..., **options)`: a fresh browser profile, signed in with the
    cookie when a token is given, and cut off from everything but beds."""
    contexts: list[BrowserContext] = []
    live_beds.outside.clear()

    async def open_one(token: str | None = None, **options: object) -> BrowserContext:
        context = await browser.new_context(base_url=live_beds.url, **options)  # type: ignore[arg-type]
        await context.route("**/*", lambda route: _only_local(route, live_beds))
        if token:
            await context.add_cookies(
                [
                    {
                        "name": "shelterbeds_token",
                        "value": token,
                        "url": live_beds.url,
                        "httpOnly": True,
                        "secure": True,
                        "sameSite": "Lax",
                    }
                ]
            )
        contexts.append(context)
        return context

    yield open_one
    for context in contexts:
        await context.close()
    assert live_beds.outside == [], f"a page tried to reach outside: {live_beds.outside}"


async def screenshot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
