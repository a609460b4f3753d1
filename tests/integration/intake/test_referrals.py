"""Referrals at intake's door: accepted as pending, announced without personal data, seen by
their team and supervisors only, cancelled once, refused when malformed."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from contracts.events import intake as iv
from services.intake.adapters.orm import people, plumbing, referrals
from tests.integration.intake.helpers import OLENA, referral
from tests.support.events import EventTap
from tests.support.service import Service

TEAM, OTHER = str(uuid.uuid4()), str(uuid.uuid4())


async def count(service: Service, table: sa.Table) -> int:
    async with service.runtime.read() as uow:
        return int(await uow.session.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


async def test_a_referral_is_accepted_as_pending_and_announced_with_its_location_rounded(
    intake: Service, events: EventTap
) -> None:
    patrol = intake.token("patrol", team=TEAM)
    answer = await intake.post("/api/v1/referrals", patrol, referral(2, 1, "female", person=OLENA))
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body == {"id": body["id"], "status": "pending"}
    [created] = await events.wait_for(iv.ReferralCreated, referral_id=body["id"])
    assert isinstance(created, iv.ReferralCreated)
    assert created.team_id == TEAM and created.source == "patrol" and created.urgency == "urgent"
    assert (created.location.lat, created.location.lon) == (49.84, 24.03)
    assert created.party.adults == 2 and created.party.children == 1
    wire = b"".join(events.payloads())
    assert b"Olena" not in wire and b"380501234567" not in wire and b"husband" not in wire


async def test_a_referral_is_seen_by_its_team_and_supervisors_and_absent_for_everyone_else(
    intake: Service,
) -> None:
    patrol = intake.token("patrol", team=TEAM)
    made = (await intake.post("/api/v1/referrals", patrol, referral(person=OLENA))).json()
    path = f"/api/v1/referrals/{made['id']}"
    mine = await intake.get(path, intake.token("patrol", team=TEAM))
    assert mine.status_code == 200 and mine.json()["status"] == "pending"
    assert mine.json()["person"]["name"] == OLENA["name"]
    assert (await intake.get(path, intake.token("supervisor"))).status_code == 200
    theirs = await intake.get(path, intake.token("patrol", team=OTHER))
    nothing = await intake.get(f"/api/v1/referrals/{uuid.uuid4()}", intake.token("patrol", team=OTHER))
    assert theirs.status_code == nothing.status_code == 404
    assert theirs.json()["detail"] == nothing.json()["detail"]
    assert theirs.json()["type"] == nothing.json()["type"]


async def test_a_referral_is_listed_for_its_team_paged_and_another_teams_list_is_refused(
    intake: Service,
) -> None:
    mine, theirs = intake.token("patrol", team=TEAM), intake.token("crisis_team", team=OTHER)
    for _ in range(3):
        await intake.post("/api/v1/referrals", mine, referral())
    await intake.post("/api/v1/referrals", theirs, referral(source="mobile_team"))
    page = (await intake.get("/api/v1/referrals", mine, params={"limit": 2})).json()
    assert page["total"] == 3 and len(page["items"]) == 2 and page["limit"] == 2
    assert {item["team_id"] for item in page["items"]} == {TEAM}
    rest = (await intake.get("/api/v1/referrals", mine, params={"limit": 2, "offset": 2})).json()
    assert len(rest["items"]) == 1
    everyone = (await intake.get("/api/v1/referrals", intake.token("supervisor"))).json()
    assert everyone["total"] == 4
    pending = await intake.get("/api/v1/referrals", mine, params={"status": "pending", "team_id": TEAM})
    assert pending.json()["total"] == 3
    refused = await intake.get("/api/v1/referrals", mine, params={"team_id": OTHER})
    assert refused.status_code == 403
    capped = await intake.get("/api/v1/referrals", mine, params={"limit": 10_000})
    assert capped.status_code == 400


async def test_cancelling_a_referral_announces_it_and_cancelling_it_again_is_a_conflict(
    intake: Service, events: EventTap
) -> None:
    patrol = intake.token("patrol", team=TEAM)
    made = (await intake.post("/api/v1/referrals", patrol, referral())).json()
    path = f"/api/v1/referrals/{made['id']}/cancel"
    assert (await intake.post(path, intake.token("patrol", team=OTHER))).status_code == 404
    first = await intake.post(path, patrol)
    assert first.status_code == 200 and first.json()["status"] == "cancelled"
    again = await intake.post(path, patrol)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    await events.wait_for(iv.ReferralCancelled, referral_id=made["id"])
    await intake.relayed()
    assert len(events.of(iv.ReferralCancelled, referral_id=made["id"])) == 1


async def test_the_same_referral_sent_twice_with_one_idempotency_key_is_one_referral(intake: Service) -> None:
    patrol = intake.token("patrol", team=TEAM, subject="phone-1")
    headers = {"Idempotency-Key": "referral-1"}
    first = await intake.post("/api/v1/referrals", patrol, referral(), headers=headers)
    second = await intake.post("/api/v1/referrals", patrol, referral(), headers=headers)
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert await count(intake, referrals) == 1


async def test_bad_referrals_get_a_clear_problem_and_change_nothing(intake: Service) -> None:
    patrol = intake.token("patrol", team=TEAM)
    bad = [
        referral(source="taxi"),
        {**referral(), "party": {"adults": 0, "children": 0, "gender": "male"}},
        referral(lat=1000),
        referral(urgency="whenever"),
        {**referral(), "person": {"phone": "call me maybe"}},
        {**referral(), "extra": 1},
    ]
    for body in bad:
        answer = await intake.post("/api/v1/referrals", patrol, body)
        assert answer.status_code == 400, (body, answer.text)
        problem = answer.json()
        assert {"status", "title", "detail"} <= problem.keys()
    staff_of_nowhere = await intake.post("/api/v1/referrals", intake.token("supervisor"), referral())
    assert staff_of_nowhere.status_code == 403
    assert await count(intake, referrals) == 0 and await count(intake, people) == 0


async def test_every_read_of_a_dv_persons_record_is_audited(intake: Service) -> None:
    team = intake.token("crisis_team", team=TEAM, subject="crisis-phone")
    body = referral(1, 2, "female", source="mobile_team", needs={"dv": True}, person=OLENA)
    made = (await intake.post("/api/v1/referrals", team, body)).json()
    await intake.get(f"/api/v1/referrals/{made['id']}", team, params={"reason": "arranging transport"})
    await intake.get(f"/api/v1/referrals/{made['id']}", intake.token("supervisor", subject="boss"))
    async with intake.runtime.read() as uow:
        log = uow.tables.audit_log
        rows = (
            await uow.session.execute(sa.select(log).where(log.c.action == "person.read").order_by(log.c.id))
        ).all()
    assert [(r.actor, r.detail["referral_id"]) for r in rows] == [
        ("crisis-phone", made["id"]),
        ("boss", made["id"]),
    ]
    assert rows[0].reason == "arranging transport"
    await intake.get("/api/v1/referrals", team)  # a list shows no personal record
    assert await count(intake, plumbing.audit_log) == 2


async def test_anonymising_a_person_erases_their_personal_fields_and_keeps_the_referral(
    intake: Service,
) -> None:
    patrol = intake.token("patrol", team=TEAM)
    made = (
        await intake.post("/api/v1/referrals", patrol, referral(person={**OLENA, "gender": "female"}))
    ).json()
    shown = (await intake.get(f"/api/v1/referrals/{made['id']}", patrol)).json()
    person_id = shown["person"]["id"]
    path = f"/api/v1/people/{person_id}/anonymise"
    assert (await intake.post(path, patrol)).status_code == 403
    assert (
        await intake.post(f"/api/v1/people/{uuid.uuid4()}/anonymise", intake.token("supervisor"))
    ).status_code == 404
    done = await intake.post(path, intake.token("supervisor"))
    assert done.status_code == 200
    assert (await intake.post(path, intake.token("supervisor"))).status_code == 200
    after = (await intake.get(f"/api/v1/referrals/{made['id']}", patrol)).json()
    assert after["person"] == {"id": person_id, "anonymised": True, "gender": "female"}
    assert after["party"] == shown["party"] and after["source"] == "patrol"
    async with intake.runtime.read() as uow:
        row = (await uow.session.execute(sa.select(people))).one()
    assert row.name is None and row.phone is None and row.notes is None and row.birth_year is None
