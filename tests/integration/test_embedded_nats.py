"""Found when tried from outside: the nats-server `shelterbeds up` starts accepted anonymous local
clients that could read and publish everything. Now each service has its own user and may publish
only its own events (as deploy/nats does), and nobody gets in without a password."""

from __future__ import annotations

import asyncio
import socket
import stat
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.errors import Error as NatsError

from shelterbeds.embedded_nats import OPERATOR, USERS_FILE, EmbeddedNats


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[EmbeddedNats]:
    embedded = EmbeddedNats(tmp_path, port=free_port())
    embedded.start()
    try:
        await embedded.wait_ready()
        yield embedded
    finally:
        embedded.stop()


async def connect(url: str, errors: list[str] | None = None) -> Client:
    async def record(error: Exception) -> None:
        if errors is not None:
            errors.append(str(error))

    return await nats.connect(
        url, connect_timeout=2, allow_reconnect=False, max_reconnect_attempts=0, error_cb=record
    )


async def until(condition: Callable[[], bool]) -> None:
    """Gives the server up to two seconds: what it refuses comes back later, on the error callback."""
    for _ in range(100):
        if condition():
            return
        await asyncio.sleep(0.02)


async def assert_permissions_violation(errors: list[str]) -> None:
    await until(lambda: bool(errors))
    assert any("permissions violation" in e.lower() for e in errors), errors


async def test_an_anonymous_client_is_refused(server: EmbeddedNats) -> None:
    with pytest.raises((NatsError, OSError)):
        await connect(server.url)
    with pytest.raises((NatsError, OSError)):
        await connect(server.url_for("beds").replace(server.users["beds"], "guessed"))


async def test_a_service_publishes_only_its_own_events(server: EmbeddedNats) -> None:
    operator = await connect(server.url_for(OPERATOR))
    seen: list[str] = []

    async def note(msg: object) -> None:
        seen.append(msg.subject)  # type: ignore[attr-defined]

    await operator.subscribe("shelter.>", cb=note)
    await operator.flush()
    errors: list[str] = []
    beds = await connect(server.url_for("beds"), errors)
    try:
        await beds.publish("shelter.beds.site.opened.v1", b"{}")
        await beds.publish("shelter.intake.referral.created.v1", b"{}")  # intake's, not beds'
        await beds.flush()
        await until(lambda: bool(seen and errors))
        assert seen == ["shelter.beds.site.opened.v1"]
        await assert_permissions_violation(errors)
    finally:
        await beds.close()
        await operator.close()


async def test_a_service_cannot_listen_in_on_the_events(server: EmbeddedNats) -> None:
    errors: list[str] = []
    intake = await connect(server.url_for("intake"), errors)
    try:
        await intake.subscribe("shelter.>")
        await intake.flush()
        await assert_permissions_violation(errors)
    finally:
        await intake.close()


async def test_beds_hears_its_own_events_live_and_nobody_elses(server: EmbeddedNats) -> None:
    """The board pages and the availability index hear other replicas' commits this way."""
    errors: list[str] = []
    heard: list[str] = []

    async def note(msg: object) -> None:
        heard.append(msg.subject)  # type: ignore[attr-defined]

    beds = await connect(server.url_for("beds"), errors)
    try:
        await beds.subscribe("shelter.beds.>", cb=note)
        await beds.publish("shelter.beds.site.opened.v1", b"{}")
        await beds.flush()
        await until(lambda: bool(heard))
        assert heard == ["shelter.beds.site.opened.v1"]
        assert errors == []
        await beds.subscribe("shelter.intake.>")
        await beds.flush()
        await assert_permissions_violation(errors)
    finally:
        await beds.close()


def test_the_passwords_are_kept_in_the_data_dir_for_its_owner_only(tmp_path: Path) -> None:
    first = EmbeddedNats(tmp_path, port=free_port()).users
    assert set(first) == {"beds", "intake", "notifications", OPERATOR}
    assert EmbeddedNats(tmp_path, port=free_port()).users == first  # a restart keeps them
    mode = stat.S_IMODE((tmp_path / USERS_FILE).stat().st_mode)
    assert mode == 0o600
