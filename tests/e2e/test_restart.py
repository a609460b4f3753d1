"""Ctrl-C stops everything cleanly with nothing lost, and the next start carries on."""

from __future__ import annotations

from pathlib import Path

import nats

from tests.support.service import wait_until
from tests.support.sites import night_shelter
from tests.support.system import System


async def test_a_stop_right_after_a_change_loses_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = System(data).start()
    created = await first.call("beds", "POST", "/api/v1/sites", first.token("admin"), json=night_shelter())
    assert created.status_code == 201
    site_id = created.json()["id"]
    assert first.stop() == 0  # SIGTERM at once: the outbox is drained or kept for the next start

    second = System(data).start()
    try:
        supervisor = second.token("supervisor")

        async def intake_knows() -> bool:
            sites = (await second.call("intake", "GET", "/api/v1/sites", supervisor)).json()
            return any(site["id"] == site_id for site in sites)

        await wait_until(intake_knows, 20)
        nc = await nats.connect(second.operator_url)
        try:
            info = await nc.jetstream().stream_info("SHELTER_BEDS")
            assert info.state.messages >= 2  # site.created and its capacity, kept across the restart
        finally:
            await nc.close()
    finally:
        assert second.stop() == 0
