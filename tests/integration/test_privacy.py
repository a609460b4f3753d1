"""Survivors of violence are at risk of being found. Whatever happens at a confidential site, its
name, address and coordinates, and any free text typed by staff, appear in no event and no log."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa

from common.clock import ManualClock
from contracts.events import beds as ev
from tests.support.events import EventTap
from tests.support.service import Service
from tests.support.sites import crisis_room, party

SECRET_NAME = "Maple Refuge for Women"
SECRET_ADDRESS = "12 Hidden Orchard Lane"
SECRET_LAT, SECRET_LON = 48.417293, 35.071864
REASON = "Olena Kovalenko, +380501234567, husband found the old address"


async def test_nothing_identifying_leaves_beds(
    beds: Service, events: EventTap, clock: ManualClock, log_lines: io.StringIO
) -> None:
    admin, supervisor = beds.token("admin"), beds.token("supervisor")
    body = crisis_room(name=SECRET_NAME, address=SECRET_ADDRESS, lat=SECRET_LAT, lon=SECRET_LON)
    site = (await beds.post("/api/v1/sites", admin, body)).json()["id"]
    team = beds.token("crisis_team", team="mobile-1")
    stays = (await beds.post(f"/api/v1/sites/{site}/checkins", team, {"party": party(1, 2, "female")})).json()
    hold = (await beds.post("/api/v1/holds", team, {"site_id": site, "party": party(1, 0, "female")})).json()
    await beds.delete(f"/api/v1/holds/{hold['id']}", team)
    stay_id = stays["stays"][0]["id"]
    extended = await beds.post(
        f"/api/v1/stays/{stay_id}/extension", supervisor, {"days": 3, "reason": REASON}
    )
    assert extended.status_code == 200
    await beds.post(f"/api/v1/stays/{stay_id}/extension", supervisor, {"days": 99, "reason": REASON})  # a 400
    await beds.get(f"/api/v1/sites/{site}/board", supervisor)
    clock.advance(timedelta(days=14))  # past the family's limit: 10 days, extended together by 3
    await beds.tick()
    await beds.relayed()
    await events.wait_for(ev.StayLimitReached, site_id=site)

    published = b"\n".join(events.payloads()).decode()
    logged = log_lines.getvalue()
    assert published
    assert logged
    for secret in (
        SECRET_NAME,
        SECRET_ADDRESS,
        str(SECRET_LAT),
        str(SECRET_LON),
        "Kovalenko",
        "380501234567",
    ):
        assert secret not in published, secret
        assert secret not in logged, secret


async def test_the_extension_reason_is_kept_in_the_audit_log_only(beds: Service) -> None:
    site = (await beds.post("/api/v1/sites", beds.token("admin"), crisis_room())).json()["id"]
    team = beds.token("crisis_team", team="mobile-1")
    stay = (await beds.post(f"/api/v1/sites/{site}/checkins", team, {"party": party(gender="female")})).json()
    stay_id = stay["stays"][0]["id"]
    await beds.post(
        f"/api/v1/stays/{stay_id}/extension", beds.token("supervisor"), {"days": 2, "reason": REASON}
    )
    async with beds.runtime.read() as uow:
        audit = uow.tables.audit_log
        row = (await uow.session.execute(sa.select(audit).where(audit.c.object_id == stay_id))).one()
    assert (row.action, row.actor_role, row.reason) == ("stay.extended", "supervisor", REASON)
