"""The options of `shelterbeds up` a user relies on: demo data, faster clocks for training, and
PostgreSQL instead of SQLite files."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import nats
import pytest
from sqlalchemy.engine import make_url

from common.db import drop_postgres_database
from contracts import decode_envelope
from shelterbeds.demo import NIGHT_SHELTER, SITES
from shelterbeds.demo_referrals import REFERRALS
from tests.support.databases import POSTGRES, postgres_reachable
from tests.support.service import wait_until
from tests.support.sites import crisis_room, night_shelter, party
from tests.support.system import System


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    running = System(tmp_path_factory.mktemp("demo") / "data", demo=True).start()
    yield running
    assert running.stop() == 0


async def test_the_demo_shows_real_looking_work_on_first_start(demo: System) -> None:
    supervisor = demo.token("supervisor")
    sites = (await demo.call("beds", "GET", "/api/v1/sites", supervisor)).json()
    assert {s["id"] for s in sites} == {site.id for site in SITES}

    async def over_capacity_night_in_history() -> bool:
        query = {"site_id": NIGHT_SHELTER.id}
        ledger = (await demo.call("beds", "GET", "/api/v1/ledger", supervisor, params=query)).json()
        return any(night["over_capacity"] > 0 for night in ledger)

    await wait_until(over_capacity_night_in_history, 15)  # closed by the clocks' first round
    board = (await demo.call("beds", "GET", f"/api/v1/sites/{NIGHT_SHELTER.id}/board", supervisor)).json()
    assert board["stays"], "tonight's board shows people"
    near_limit = [
        stay
        for site in SITES
        if site.kind == "crisis_room"
        for stay in (await demo.call("beds", "GET", f"/api/v1/sites/{site.id}/board", supervisor)).json()[
            "stays"
        ]
        if stay["days_left"] is not None and stay["days_left"] < 2
    ]
    assert near_limit, "some crisis-room stays are near their 10-day limit"


async def test_the_demo_has_a_referral_in_every_state(demo: System) -> None:
    supervisor = demo.token("supervisor")

    async def statuses() -> dict[str, str]:
        answer = await demo.call("intake", "GET", "/api/v1/referrals", supervisor, params={"limit": 200})
        return {r["id"]: r["status"] for r in answer.json()["items"]}

    seen = await statuses()
    assert {spec.id for spec in REFERRALS} <= set(seen)
    for spec in REFERRALS:
        if spec.outcome != "pending":
            assert seen[spec.id] == spec.outcome, spec.key
    pending = next(spec.id for spec in REFERRALS if spec.outcome == "pending")

    async def placed_once_seen() -> bool:
        return (await statuses())[pending] == "held"

    await wait_until(placed_once_seen, 15)  # beds places the one it had not seen, like any new one


async def test_a_patrol_sees_no_confidential_demo_site(demo: System) -> None:
    sites = (await demo.call("beds", "GET", "/api/v1/sites", demo.token("patrol"))).json()
    assert sites
    assert not any(site["confidential"] for site in sites)


def test_seeding_again_changes_nothing(demo: System) -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "shelterbeds", "seed", "--data-dir", str(demo.data_dir)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert out.startswith("demo data already present")


async def test_time_scale_makes_a_hold_lapse_in_seconds(tmp_path: Path) -> None:
    fast = System(tmp_path / "data", "--time-scale", "600").start()  # ten minutes pass every second
    try:
        site = (
            await fast.call("beds", "POST", "/api/v1/sites", fast.token("admin"), json=night_shelter())
        ).json()
        patrol = fast.token("patrol", team=str(uuid.uuid4()))
        hold = (
            await fast.call(
                "beds", "POST", "/api/v1/holds", patrol, json={"site_id": site["id"], "party": party()}
            )
        ).json()
        expires = datetime.fromisoformat(hold["expires_at"]) - datetime.fromisoformat(hold["placed_at"])
        assert expires == timedelta(minutes=90)  # in training time

        async def lapsed() -> bool:
            answer = await fast.call("beds", "GET", f"/api/v1/holds/{hold['id']}", patrol)
            return answer.json()["status"] == "expired"

        await wait_until(lapsed, 30, step=0.25)  # 90 minutes of hold in about 9 seconds
    finally:
        assert fast.stop() == 0


async def test_up_on_postgres_gives_each_service_its_own_database(tmp_path: Path) -> None:
    if not await postgres_reachable():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not reachable — CI must run this test")
        pytest.skip("PostgreSQL is not reachable")
    prefix = f"sbe2e_{uuid.uuid4().hex[:8]}_"
    server = make_url(POSTGRES).set(database="").render_as_string(hide_password=False)
    system = System(
        tmp_path / "data", "--database-url", server, env={"SHELTERBEDS_DATABASE_PREFIX": prefix}
    ).start()
    try:
        admin = system.token("admin")
        created = await system.call("beds", "POST", "/api/v1/sites", admin, json=crisis_room())
        assert created.status_code == 201
        nc = await nats.connect(system.operator_url)
        try:
            js = nc.jetstream()

            async def relayed() -> bool:
                return (await js.stream_info("SHELTER_BEDS")).state.messages >= 1

            await wait_until(relayed, 15)
            last = await js.get_last_msg("SHELTER_BEDS", "shelter.beds.site.created.v1")
            assert decode_envelope(last.data).subject == created.json()["id"]
        finally:
            await nc.close()
    finally:
        assert system.stop() == 0
        for service in ("beds", "intake", "notifications"):
            await drop_postgres_database(
                make_url(POSTGRES).set(database=f"{prefix}{service}").render_as_string(False)
            )
