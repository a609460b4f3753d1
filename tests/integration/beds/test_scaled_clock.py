"""Training sessions run the clocks faster (`--time-scale`): the clocks must still act on time in
virtual minutes, not once per real second (issue 17, item 5)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from common.clock import ScaledClock
from contracts.events import beds as ev
from services.beds.app import create_app as create_beds
from tests.integration.beds.helpers import open_site, place_hold
from tests.support.events import EventTap
from tests.support.service import running, service_settings
from tests.support.sites import night_shelter

SCALE = 600  # ten virtual minutes in every real second


async def test_at_600x_the_hold_warning_still_comes_15_virtual_minutes_before_expiry(
    beds_url: str, nats_url: str, data_dir: Path, events: EventTap
) -> None:
    settings = service_settings(
        "beds", database_url=beds_url, nats_url=nats_url, data_dir=data_dir, tick_seconds=1.0
    )
    async with running(create_beds, settings, ScaledClock(SCALE)) as beds:
        site = await open_site(beds, night_shelter())
        held = await place_hold(beds, beds.token("patrol", team="team-1"), site["id"], eta_minutes=40)
        assert held.status_code == 201, held.text
        hold_id = held.json()["id"]
        await events.wait_for(ev.HoldExpiring, hold_id=hold_id, timeout=20)
        [warning] = [env for env, event, _ in events.received if env.type == ev.HoldExpiring.KIND.type]
        [expiring] = events.of(ev.HoldExpiring, hold_id=hold_id)
        lead = expiring.expires_at - warning.time  # type: ignore[attr-defined]
        assert timedelta(minutes=12) <= lead <= timedelta(minutes=15), lead
