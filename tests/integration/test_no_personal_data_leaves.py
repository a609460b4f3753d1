"""No personal data leaves (issue 24): one scenario with named people across all three services —
a survivor referred by a crisis team with her name, phone and notes, placed at a confidential
refuge, checked in, her stay extended with a reason naming her, her record read and anonymised,
the team alerted through a webhook — and then every event, log line, metric label and outgoing
notification of every service is searched for what identifies her or the refuge."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from common.clock import ManualClock
from services.notifications.app import create_app as create_notifications
from tests.integration.beds.helpers import hold_url, open_site, stay_url
from tests.integration.placement.flow import referral_in
from tests.support.databases import Databases
from tests.support.events import EventTap
from tests.support.privacy import LeakWatch, captured_logs
from tests.support.service import Service, running, service_settings, wait_until
from tests.support.sites import crisis_room, room

NAME, PHONE = "Olena Kovalenko", "+380501234567"
NOTES = "husband found the old flat on Sadova street"
REFUGE, REFUGE_ADDRESS = "Maple Refuge for Women", "12 Hidden Orchard Lane"
REFUGE_LAT, REFUGE_LON = 48.417293, 35.071864
REASON = f"{NAME} has a court hearing on Friday"
SECRETS = (NAME, "Kovalenko", PHONE, "0501234567", NOTES, "Sadova", REFUGE, "Maple", REFUGE_ADDRESS,
           "Hidden Orchard", str(REFUGE_LAT), str(REFUGE_LON), "court hearing")  # fmt: skip


@pytest.fixture
def backend() -> str:
    """What leaves is decided above the database: one backend is enough for this long scenario."""
    return "sqlite"


@pytest.fixture
async def notifications(
    databases: Databases, backend: str, nats_url: str, data_dir: Path, clock: ManualClock
) -> AsyncIterator[Service]:
    url = await databases.fresh("notifications", backend)
    settings = service_settings(
        "notifications",
        database_url=url,
        nats_url=nats_url,
        data_dir=data_dir,
        delivery_poll_seconds=0.05,
        delivery_timeout_seconds=2.0,
    )
    async with running(create_notifications, settings, clock) as service:
        yield service


@pytest.fixture
def watch(beds: Service, intake: Service, notifications: Service, events: EventTap) -> Iterator[LeakWatch]:
    with captured_logs() as logs:
        yield LeakWatch(events, logs, [beds, intake, notifications])


async def test_nothing_that_identifies_a_person_or_a_refuge_leaves_any_service(
    beds: Service,
    intake: Service,
    notifications: Service,
    watch: LeakWatch,
    httpserver: HTTPServer,
    clock: ManualClock,
) -> None:
    def receive(request: Request) -> Response:
        watch.notifications.append(request.get_data())
        return Response("ok")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(receive)
    admin = notifications.token("admin")
    team = (
        await notifications.post("/api/v1/teams", admin, {"name": "Mobile crisis 1", "kind": "mobile_crisis"})
    ).json()["id"]
    hook = {"kind": "webhook", "url": httpserver.url_for("/hook"), "secret": "whsec_" + "a" * 32}
    assert (await notifications.post(f"/api/v1/teams/{team}/channels", admin, hook)).status_code == 201
    refuge = await open_site(
        beds,
        crisis_room(
            REFUGE, address=REFUGE_ADDRESS, lat=REFUGE_LAT, lon=REFUGE_LON, rooms=[room("A", 3, "family")]
        ),
    )
    crisis = intake.token("crisis_team", team=team, subject="crisis-phone-1")
    referral = {
        "source": "mobile_team",
        "party": {"adults": 1, "children": 1, "gender": "female"},
        "needs": {"dv": True},
        "location": {"lat": REFUGE_LAT + 0.01, "lon": REFUGE_LON},
        "urgency": "emergency",
        "person": {"name": NAME, "birth_year": 1991, "phone": PHONE, "notes": NOTES},
    }
    made = (await intake.post("/api/v1/referrals", crisis, referral)).json()
    held = await referral_in(intake, made["id"], crisis, "held")
    assert held["site_id"] == refuge["id"]
    stays = (
        await beds.post(hold_url(held["hold_id"], "checkin"), beds.token("crisis_team", team=team))
    ).json()
    await referral_in(intake, made["id"], crisis, "placed")
    clock.advance(timedelta(days=10))
    supervisor = beds.token("supervisor", subject="supervisor-anna")
    extension = {"days": 3, "reason": REASON}
    assert (
        await beds.post(stay_url(stays["stays"][0]["id"], "extension"), supervisor, extension)
    ).status_code == 200
    seen = (await intake.get(f"/api/v1/referrals/{made['id']}", intake.token("supervisor"))).json()
    assert (
        await intake.post(f"/api/v1/people/{seen['person']['id']}/anonymise", intake.token("supervisor"))
    ).status_code == 200
    await beds.relayed()
    await intake.relayed()
    await wait_until(lambda: len(watch.notifications) >= 1, 15)  # the team heard of the placement

    assert watch.leaks(*SECRETS) == {}
    sent = [json.loads(body) for body in watch.notifications]
    assert sent and all(isinstance(body, dict) for body in sent)
    assert watch.outputs()["events"] and watch.outputs()["logs"] and watch.outputs()["metrics"]


def test_the_watch_finds_a_leak_where_it_is() -> None:
    """The watch itself: a secret in a log line is reported there (so an empty answer means it
    looked)."""

    class NoEvents:
        def payloads(self) -> list[bytes]:
            return [b'{"data": {"name": "Olena Kovalenko"}}']

    with captured_logs() as logs:
        logging.getLogger("test").warning("calling +380501234567")
        watch = LeakWatch(NoEvents(), logs, [])  # type: ignore[arg-type]
        assert watch.leaks(NAME, PHONE) == {"events": [NAME], "logs": [PHONE]}
