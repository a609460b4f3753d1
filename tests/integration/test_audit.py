"""The audit log (common/audit.py): append-only — the database of every service refuses UPDATE
and DELETE on it, on SQLite and PostgreSQL — and queryable by a supervisor, newest first, paged
and filtered."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from common.clock import ManualClock
from tests.integration.beds.helpers import checked_in, open_site, place_hold, site_url, stay_url
from tests.support.databases import Databases
from tests.support.service import Service
from tests.support.sites import crisis_room, night_shelter, party

AUDIT = "/api/v1/audit"
ENTRY = (
    "INSERT INTO audit_log (at, actor, actor_role, action, object_type, object_id) "
    "VALUES ('2026-11-23 18:00:00', 'someone', 'supervisor', 'stay.read', 'stay', "
    "'00000000-0000-0000-0000-000000000001')"
)


@pytest.mark.parametrize("service", ["beds", "intake", "notifications"])
async def test_the_database_refuses_to_change_or_remove_an_audit_entry(
    service: str, databases: Databases, backend: str
) -> None:
    engine = create_async_engine(await databases.fresh(service, backend))
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text(ENTRY))
        for statement in ("UPDATE audit_log SET actor = 'nobody'", "DELETE FROM audit_log"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                async with engine.begin() as conn:
                    await conn.execute(sa.text(statement))
        async with engine.connect() as conn:
            assert (await conn.execute(sa.text("SELECT actor FROM audit_log"))).scalars().all() == ["someone"]
    finally:
        await engine.dispose()


async def test_a_supervisor_reads_the_audit_of_confidential_reads_and_overrides(
    beds: Service, clock: ManualClock
) -> None:
    refuge = (await open_site(beds, crisis_room()))["id"]
    team = beds.token("crisis_team", team="mobile-1", subject="crisis-phone")
    stay = (await checked_in(beds, refuge, team, party(1, 0, "female")))[0]
    assert (await beds.get(stay_url(stay["id"]), team)).status_code == 200
    assert (await beds.get(site_url(refuge, "board"), beds.token("supervisor"))).status_code == 200
    clock.advance(timedelta(days=10))
    boss = beds.token("supervisor", subject="boss")
    extension = {"days": 2, "reason": "court hearing next week"}
    assert (await beds.post(stay_url(stay["id"], "extension"), boss, extension)).status_code == 200
    shelter = (await open_site(beds, night_shelter()))["id"]
    assert (await place_hold(beds, beds.token("patrol", team="p-1"), shelter)).status_code == 201

    everything = (await beds.get(AUDIT, boss)).json()
    actions = [entry["action"] for entry in everything["items"]]
    assert actions[:3] == ["stay.extended", "board.read", "stay.read"]  # newest first
    assert everything["total"] == len(actions)
    assert all(entry["object_id"] != shelter for entry in everything["items"])  # not confidential
    extended = everything["items"][0]
    assert (extended["actor"], extended["reason"], extended["detail"]["days"]) == (
        "boss",
        extension["reason"],
        2,
    )

    of_the_stay = (await beds.get(AUDIT, boss, params={"object_id": stay["id"]})).json()
    assert {entry["action"] for entry in of_the_stay["items"]} == {"stay.read", "stay.extended"}
    by_the_team = (
        await beds.get(AUDIT, boss, params={"actor": "crisis-phone", "action": "stay.read"})
    ).json()
    assert [entry["object_id"] for entry in by_the_team["items"]] == [stay["id"]]
    page = (await beds.get(AUDIT, boss, params={"limit": 1, "offset": 1})).json()
    assert [entry["action"] for entry in page["items"]] == ["board.read"]
    later = (await beds.get(AUDIT, boss, params={"from": "2026-12-01"})).json()
    assert [entry["action"] for entry in later["items"]] == ["stay.extended"]
    assert (await beds.get(AUDIT, boss, params={"from": "someday"})).status_code == 400
    assert (await beds.get(AUDIT, boss, params={"limit": 10_000})).status_code == 400


async def test_every_read_of_a_dv_persons_record_is_in_intakes_audit(intake: Service) -> None:
    team = intake.token("crisis_team", team="mobile-1", subject="crisis-phone")
    body = {
        "source": "mobile_team",
        "party": party(1, 0, "female"),
        "needs": {"dv": True},
        "location": {"lat": 49.84, "lon": 24.03},
        "urgency": "urgent",
        "person": {"name": "Olena Testova", "birth_year": 1990},
    }
    made = (await intake.post("/api/v1/referrals", team, body)).json()
    await intake.get(f"/api/v1/referrals/{made['id']}", team, params={"reason": "arranging transport"})

    audit = (await intake.get(AUDIT, intake.token("supervisor"), params={"action": "person.read"})).json()

    assert [(e["actor"], e["reason"], e["detail"]["referral_id"]) for e in audit["items"]] == [
        ("crisis-phone", "arranging transport", made["id"])
    ]
    assert "Olena" not in str(audit)
