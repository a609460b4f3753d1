"""Express check-in cards across services (issue #22): intake prints a QR code of an opaque token
(no name), beds learns only the token's digest, and a scan at the door checks the person in on
their hold in one step — or, given the party, checks them in; a revoked card finds nobody."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.beds.adapters.orm import cards as beds_cards
from services.intake.adapters.orm import cards as intake_cards
from tests.integration.beds.helpers import assert_problem, site_url
from tests.integration.placement.flow import shelter
from tests.integration.placement.test_restrictions import a_person
from tests.support.service import Service, wait_until


async def token_of(intake: Service, person_id: str) -> str:
    """What a scanner reads from the printed QR code (the test reads it where intake keeps it)."""
    async with intake.runtime.read() as uow:
        found = await uow.session.scalar(
            sa.select(intake_cards.c.token).where(
                intake_cards.c.person_id == person_id, intake_cards.c.revoked_at.is_(None)
            )
        )
    assert found is not None
    return str(found)


async def cards_in_beds(beds: Service) -> int:
    async with beds.runtime.read() as uow:
        return int(await uow.session.scalar(sa.select(sa.func.count()).select_from(beds_cards)) or 0)


async def scan(beds: Service, site: str, token: str, staff: str, **body: Any) -> Any:
    return await beds.post(site_url(site, "scans"), staff, {"token": token, **body})


async def test_a_card_scan_checks_the_person_in_on_their_hold(beds: Service, intake: Service) -> None:
    site = await shelter(beds, "Scanning", beds_=3)
    person = await a_person(intake)
    supervisor = intake.token("supervisor")
    issued = await intake.post(f"/api/v1/people/{person}/card", supervisor)
    assert issued.status_code == 201, issued.text
    printed = await intake.get(f"/api/v1/people/{person}/card", intake.token("shelter_staff"))
    assert printed.status_code == 200 and printed.headers["content-type"] == "image/png"
    assert printed.content.startswith(b"\x89PNG") and b"Made-up" not in printed.content
    token = await token_of(intake, person)
    await wait_until(lambda: cards_in_beds(beds), within=15)
    patrol = beds.token("patrol", team="patrol-1")
    hold = await beds.post(
        "/api/v1/holds",
        patrol,
        {"site_id": site, "party": {"adults": 1, "children": 0, "gender": "male"}, "person_id": person},
    )
    assert hold.status_code == 201, hold.text
    staff = beds.token("shelter_staff", sites=[site])

    arrived = await scan(beds, site, token, staff)

    assert arrived.status_code == 201, arrived.text
    [stay] = arrived.json()["stays"]
    assert stay["hold_id"] == hold.json()["id"]
    nobody_held = await scan(beds, site, token, staff)
    assert assert_problem(nobody_held, 422)["type"].endswith("party-needed")
    walk_in = await scan(beds, site, token, staff, party={"adults": 1, "children": 0, "gender": "male"})
    assert walk_in.status_code == 201, walk_in.text
    assert walk_in.json()["stays"][0]["hold_id"] is None


async def test_a_revoked_or_unknown_card_finds_nobody(beds: Service, intake: Service) -> None:
    site = await shelter(beds, "Scanning", beds_=3)
    person = await a_person(intake)
    supervisor = intake.token("supervisor")
    assert (await intake.post(f"/api/v1/people/{person}/card", supervisor)).status_code == 201
    token = await token_of(intake, person)
    await wait_until(lambda: cards_in_beds(beds), within=15)

    revoked = await intake.post(f"/api/v1/people/{person}/card/revoke", supervisor)
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"

    async def forgotten() -> bool:
        return await cards_in_beds(beds) == 0

    await wait_until(forgotten, within=15)
    staff = beds.token("shelter_staff", sites=[site])
    party = {"adults": 1, "children": 0, "gender": "male"}
    assert assert_problem(await scan(beds, site, token, staff, party=party), 422)["type"].endswith(
        "card-unknown"
    )
    assert_problem(await scan(beds, site, "sbc1.not-a-card-at-all", staff, party=party), 422)
    assert_problem(await scan(beds, site, token, beds.token("patrol", team="p-1"), party=party), 403)
    assert_problem(await intake.get(f"/api/v1/people/{person}/card", supervisor), 404)
    assert_problem(await intake.post(f"/api/v1/people/{person}/card", intake.token("patrol", team="p")), 403)
