"""Helpers that make notifications tests read like the contract."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import nats

from common.clock import ManualClock
from contracts import Event, encode, wrap
from contracts.events import beds as ev
from contracts.events.base import NeedsFacts, PartyFacts
from services.notifications.api import urls
from tests.support.service import Service, wait_until


def new_id() -> str:
    return str(uuid.uuid4())


class BedsEvents:
    """Publishes beds' events as beds' outbox relay does (CloudEvent, Nats-Msg-Id = event id)."""

    def __init__(self, url: str, clock: ManualClock):
        self.url = url
        self.clock = clock
        self._nc: Any = None

    async def __aenter__(self) -> BedsEvents:
        self._nc = await nats.connect(self.url)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self._nc.close()

    async def publish(self, event: Event, *, event_id: str | None = None, msg_id: str | None = None) -> str:
        event_id = event_id or new_id()
        envelope = wrap(event, event_id=event_id, time=self.clock.now(), subject=event.subject_id())
        js = self._nc.jetstream()
        await js.publish(
            event.event_kind().subject, encode(envelope), headers={"Nats-Msg-Id": msg_id or event_id}
        )
        return event_id

    def hold_placed(
        self, site_id: str, *, confidential: bool = False, holder: str | None = None, **kw: Any
    ) -> ev.HoldPlaced:
        return ev.HoldPlaced(
            hold_id=kw.pop("hold_id", new_id()),
            site_id=site_id,
            confidential=confidential,
            holder_team_id=holder,
            referral_id=kw.pop("referral_id", None),
            place_ids=[new_id()],
            party=PartyFacts(adults=kw.pop("adults", 2), children=kw.pop("children", 1), gender="female"),
            needs=NeedsFacts(dv=confidential),
            expires_at=self.clock.now() + timedelta(minutes=kw.pop("eta_minutes", 90)),
        )


async def create_team(notifications: Service, kind: str, *, sites: list[str] | None = None, **kw: Any) -> str:
    body: dict[str, Any] = {"name": kw.pop("name", f"{kind} team"), "kind": kind, **kw}
    if sites is not None:
        body["sites"] = sites
    response = await notifications.post(urls.TEAMS, notifications.token("admin"), body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def team_token(notifications: Service, team_id: str, role: str) -> str:
    return notifications.token(role, team=team_id)


async def alerts_of(notifications: Service, token: str, **params: Any) -> list[dict[str, Any]]:
    response = await notifications.get(urls.ALERTS, token, params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


async def wait_for_alerts(
    notifications: Service, token: str, count: int = 1, within: float = 10.0, **params: Any
) -> list[dict[str, Any]]:
    async def enough() -> list[dict[str, Any]] | None:
        found = await alerts_of(notifications, token, **params)
        return found if len(found) >= count else None

    result: list[dict[str, Any]] = await wait_until(enough, within)
    return result
