"""The walking skeleton, end to end: `shelterbeds up`, tokens from `shelterbeds token`, and one
real event — a site opened in beds — crossing NATS into intake and notifications."""

from __future__ import annotations

import asyncio
import uuid

import nats
import pytest

from contracts import decode_envelope
from tests.support.service import wait_until
from tests.support.sites import night_shelter, party
from tests.support.system import System

SERVICES = ("beds", "intake", "notifications")


def test_up_prints_every_url_then_ready(system: System) -> None:
    printed = "\n".join(system.stdout)
    for service in SERVICES:
        assert system.url[service] in printed
    assert system.nats_url in printed
    assert system.stdout[-1] == "ready"


@pytest.mark.parametrize("service", SERVICES)
async def test_every_service_is_ready_and_observable(system: System, service: str) -> None:
    for path in ("/health/live", "/health/ready", "/metrics", "/schema/openapi.json"):
        assert (await system.call(service, "GET", path)).status_code == 200, path
    anonymous = await system.call(service, "GET", "/api/v1/sites")
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    assert (await system.call(service, "GET", "/api/v1/sites", system.token("supervisor"))).status_code == 200


async def test_a_site_opened_in_beds_is_known_to_intake_and_notifications(system: System) -> None:
    nc = await nats.connect(system.operator_url)
    try:
        seen = await nc.subscribe("shelter.beds.site.created.v1")
        created = await system.call(
            "beds",
            "POST",
            "/api/v1/sites",
            system.token("admin"),
            json=night_shelter(name="Skeleton shelter"),
        )
        assert created.status_code == 201
        site_id = created.json()["id"]

        message = await seen.next_msg(timeout=10)
        envelope = decode_envelope(message.data)
        assert (envelope.subject, envelope.type) == (site_id, "org.shelterbeds.beds.site.created.v1")
        assert message.headers["Nats-Msg-Id"] == envelope.id
    finally:
        await nc.close()

    supervisor = system.token("supervisor")

    async def known_to(service: str) -> bool:
        sites = (await system.call(service, "GET", "/api/v1/sites", supervisor)).json()
        return any(site["id"] == site_id and site["kind"] == "night_shelter" for site in sites)

    await wait_until(lambda: known_to("intake"), 15)
    await wait_until(lambda: known_to("notifications"), 15)


async def test_the_contract_smoke_flow_beds_mats_then_over_capacity(system: System) -> None:
    site = (
        await system.call(
            "beds", "POST", "/api/v1/sites", system.token("admin"), json=night_shelter(beds=2, mats=1)
        )
    ).json()["id"]
    staff = system.token("shelter_staff", sites=[site])
    kinds = []
    for _ in range(4):
        response = await system.call(
            "beds", "POST", f"/api/v1/sites/{site}/checkins", staff, json={"party": party()}
        )
        kinds += [stay["place_kind"] for stay in response.json()["stays"]]
    assert kinds == ["bed", "bed", "mat", "over_capacity"]


async def test_a_retried_request_with_an_idempotency_key_is_done_once(system: System) -> None:
    site = (
        await system.call("beds", "POST", "/api/v1/sites", system.token("admin"), json=night_shelter(beds=3))
    ).json()["id"]
    patrol = system.token("patrol", team=str(uuid.uuid4()))
    body = {"site_id": site, "party": party(), "eta_minutes": 40}
    answers = await asyncio.gather(
        *(
            system.call(
                "beds", "POST", "/api/v1/holds", patrol, json=body, headers={"Idempotency-Key": "street-17"}
            )
            for _ in range(3)
        )
    )
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    board = (
        await system.call("beds", "GET", f"/api/v1/sites/{site}/board", system.token("supervisor"))
    ).json()
    assert board["beds_held"] == 1
