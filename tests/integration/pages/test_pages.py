"""The crisis, reports and referral pages over HTTP (no browser)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest

from common.auth import COOKIE
from common.clock import ManualClock
from services.beds.pages.csrf import CSRF_COOKIE
from tests.integration.beds.helpers import open_site as open_site_with
from tests.integration.pages.test_frame import csrf_pair, open_site
from tests.support.service import Service
from tests.support.sites import crisis_room

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
FAMILY = {
    "party": {"adults": 1, "children": 1, "gender": "female"},
    "needs": {"accessible": False, "pet": False, "dv": True},
}


def jar(token: str) -> dict[str, str]:
    return {"cookie": f"{COOKIE}={token}"}


async def test_a_crisis_team_sees_its_own_placements_and_the_days_left(
    beds: Service, clock: ManualClock
) -> None:
    room = str((await open_site_with(beds, crisis_room()))["id"])
    ours, theirs = str(uuid.uuid4()), str(uuid.uuid4())
    for team in (ours, theirs):
        placed = await beds.post(
            f"/api/v1/sites/{room}/checkins", beds.token("crisis_team", team=team), FAMILY
        )
        assert placed.status_code == 201, placed.text
    page = await beds.http.get("/crisis", headers=jar(beds.token("crisis_team", team=ours)))
    assert page.status_code == 200
    assert page.text.count("data-placement") == 1 and "near-limit" not in page.text
    clock.advance(timedelta(days=9))
    later = await beds.http.get("/crisis", headers=jar(beds.token("crisis_team", team=ours)))
    assert 'class="near-limit"' in later.text
    overseen = await beds.http.get("/crisis", headers=jar(beds.token("supervisor")))
    assert overseen.text.count("data-placement") == 2
    refused = await beds.http.get("/crisis", headers=jar(beds.token("patrol")))
    assert refused.status_code == 403 and "не для вашої ролі" in refused.text


async def test_the_reports_page_sums_the_ledger_and_downloads_it(beds: Service, clock: ManualClock) -> None:
    site = await open_site(beds)
    staff = beds.token("shelter_staff", sites=[site])
    await beds.post(
        f"/api/v1/sites/{site}/checkins", staff, {"party": {"adults": 2, "children": 0, "gender": "male"}}
    )
    room = str((await open_site_with(beds, crisis_room()))["id"])
    crisis = beds.token("crisis_team", team=str(uuid.uuid4()))
    assert (await beds.post(f"/api/v1/sites/{room}/checkins", crisis, FAMILY)).status_code == 201
    clock.advance(timedelta(days=1))
    await beds.tick()  # the morning rollover closes the night into the ledger
    ledger = (await beds.get("/api/v1/ledger", beds.token("supervisor"))).json()
    assert ledger, "the night was closed"
    start, end = clock.now().date() - timedelta(days=30), clock.now().date()
    summary = (
        await beds.get(f"/api/v1/reports/summary?from={start}&to={end}", beds.token("supervisor"))
    ).json()
    page = await beds.http.get("/reports", headers=jar(beds.token("supervisor")))
    assert page.status_code == 200
    assert f'id="people-nights">{sum(n["people"] for n in ledger)}<' in page.text
    assert f'id="people-served">{summary["people"]["served"]}<' in page.text
    assert f'id="unmet-total">{summary["unmet_demand"]["total"]}<' in page.text
    for drawn in ("occupancy", "mats_over", "crisis", "sources", "unmet"):
        assert f'id="chart-{drawn}"' in page.text, drawn
    crisis_chart = page.text.split('id="chart-crisis"')[1].split("</figure>")[0]
    assert 'class="bar crisis"' in crisis_chart and 'data-value="2"' in crisis_chart  # mother and child
    assert "<script" not in page.text.split("<main")[1]  # drawn on the server: no chart script
    csv = await beds.http.get("/reports/ledger.csv", headers=jar(beds.token("supervisor")))
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == "site_id,night,people,beds_used,mats_used,over_capacity"
    assert len(csv.text.splitlines()) == len(ledger) + 1
    bad = await beds.http.get(
        "/reports", params={"from": "2026-13-01"}, headers=jar(beds.token("supervisor"))
    )
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("text/html")
    assert (await beds.http.get("/reports", headers=jar(beds.token("patrol")))).status_code == 403


async def test_a_referral_goes_to_intake_with_the_callers_own_token(beds: Service, intake: Service) -> None:
    pages = beds.app.state.pages
    transport = httpx.ASGITransport(app=intake.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as link:
        beds.app.state.pages = replace(pages, intake=link)
        try:
            team = str(uuid.uuid4())
            cookie, token = await csrf_pair(beds)
            headers = {"cookie": f"{COOKIE}={beds.token('patrol', team=team)}; {CSRF_COOKIE}={cookie}"}
            body = {"source": "patrol", "party": {"adults": 1, "children": 0, "gender": "male"},
                    "location": {"lat": 49.84, "lon": 24.03}, "urgency": "urgent"}  # fmt: skip
            forged = await beds.http.post("/pages/referrals", json=body, headers=headers)
            assert forged.status_code == 403
            sent = await beds.http.post(
                "/pages/referrals",
                json=body,
                headers={**headers, "x-csrftoken": token, "idempotency-key": "k-1"},
            )
            assert sent.status_code == 202, sent.text
            referral = sent.json()["id"]
            again = await beds.http.post(
                "/pages/referrals",
                json=body,
                headers={**headers, "x-csrftoken": token, "idempotency-key": "k-1"},
            )
            assert again.json()["id"] == referral
            status = await beds.http.get(f"/pages/referrals/{referral}", headers=headers)
            assert status.status_code == 200 and status.json()["id"] == referral
            stranger = await beds.http.get(
                f"/pages/referrals/{referral}", headers=jar(beds.token("patrol", team=str(uuid.uuid4())))
            )
            assert stranger.status_code == 404
            anonymous = await beds.http.get(f"/pages/referrals/{referral}")
            assert anonymous.status_code == 401
        finally:
            beds.app.state.pages = pages


async def test_intake_out_of_reach_is_a_clear_503(beds: Service) -> None:
    headers = jar(beds.token("patrol"))
    answer = await beds.http.get(f"/pages/referrals/{uuid.uuid4()}", headers=headers)
    assert answer.status_code == 503 and answer.headers["content-type"] == "application/problem+json"
