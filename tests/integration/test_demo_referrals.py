"""The demo (`shelterbeds up`, `shelterbeds seed`) leaves a referral in every state a referrer
can see, placed by beds' own placement consumer; and once the services run and both outboxes
are published, every event is one both sides had applied already: nothing changes but the
pending referral, which beds then places like any new one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from common.clock import ManualClock
from services.beds.app import create_app as create_beds
from services.intake.app import create_app as create_intake
from services.intake.domain.referrals import STATUSES
from shelterbeds.demo import seed_demo
from shelterbeds.demo_referrals import REFERRALS, seed_referrals
from tests.support.service import Service, running, service_settings


async def _statuses(intake: Service) -> dict[str, str]:
    answer = await intake.get("/api/v1/referrals?limit=200", intake.token("supervisor"))
    assert answer.status_code == 200, answer.text
    return {r["id"]: r["status"] for r in answer.json()["items"]}


def _settings(service: str, url: str, nats_url: str, data_dir: Path) -> Any:
    return service_settings(service, database_url=url, nats_url=nats_url, data_dir=data_dir)


async def test_after_demo_seeding_every_referral_state_exists_and_starting_changes_nothing_twice(
    beds_url: str,
    intake_url: str,
    nats_url: str,
    data_dir: Path,
    clock: ManualClock,
) -> None:
    beds_settings = _settings("beds", beds_url, nats_url, data_dir)
    intake_settings = _settings("intake", intake_url, nats_url, data_dir)
    assert await seed_demo(beds_settings, clock)

    assert await seed_referrals(beds_settings, intake_settings, clock)
    assert not await seed_referrals(beds_settings, intake_settings, clock)  # idempotent

    # As `shelterbeds up` does: the services start once the demo is in their databases.
    async with running(create_intake, intake_settings, clock) as intake:
        seeded = await _statuses(intake)
        assert sorted(seeded.values()) == sorted(STATUSES)
        assert {spec.id: spec.outcome for spec in REFERRALS} == seeded
        async with running(create_beds, beds_settings, clock) as beds:
            await _published_and_applied(beds, intake, seeded)


async def _published_and_applied(beds: Service, intake: Service, seeded: dict[str, str]) -> None:
    """Both outboxes published and beds' clocks run (the expired hold lapses)."""
    await beds.tick()
    await beds.relayed()
    await intake.relayed()
    pending = next(spec.id for spec in REFERRALS if spec.outcome == "pending")
    placed_now: Callable[[], Any] = lambda: _placed(intake, pending)  # noqa: E731
    await wait_until_async(placed_now)
    await beds.relayed()
    after = await _statuses(intake)
    assert after == {**seeded, pending: "held"}
    supervisor = beds.token("supervisor")
    sites = (await beds.get("/api/v1/sites", supervisor)).json()
    holds = 0
    for site in sites:
        holds += len((await beds.get(f"/api/v1/sites/{site['id']}/board", supervisor)).json()["holds"])
    assert holds == 3  # held, offered, and the one just placed: the expired one's place is free again


async def _placed(intake: Service, referral_id: str) -> bool:
    return (await _statuses(intake))[referral_id] == "held"


async def wait_until_async(predicate: Callable[[], Any], within: float = 15.0) -> None:
    import asyncio

    deadline = asyncio.get_running_loop().time() + within
    while not await predicate():
        assert asyncio.get_running_loop().time() < deadline, "the pending referral was never placed"
        await asyncio.sleep(0.1)
