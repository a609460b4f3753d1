"""Which live boards look again when an event passes."""

from __future__ import annotations

import msgspec

from common.nats import NatsLink
from services.beds.adapters.board_signals import BoardSignals, site_of


def test_the_site_is_read_from_the_events_data() -> None:
    assert site_of(msgspec.json.encode({"type": "x", "data": {"site_id": "s-1"}})) == "s-1"
    assert site_of(msgspec.json.encode({"type": "x", "data": {}})) is None
    assert site_of(b"not json") is None


async def test_a_change_wakes_the_boards_of_its_site_and_an_unknown_one_wakes_all() -> None:
    signals = BoardSignals(NatsLink("nats://127.0.0.1:1", name="unit"))
    async with signals.watch("a") as a, signals.watch("b") as b:
        signals.changed("a")
        assert a.is_set() and not b.is_set()
        a.clear()
        signals.changed(None)
        assert a.is_set() and b.is_set()
    signals.changed("a")  # nobody watches any more: nothing to wake, nothing kept
    assert signals._watchers == {}
