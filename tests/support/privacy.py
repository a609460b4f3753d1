"""One watch over everything that leaves the services, for "no personal data leaves": every event
on NATS (all streams), every log line (as production formats it), every metric label (each
service's Prometheus exposition) and every outgoing notification (the bodies a webhook receiver
got). `LeakWatch.leaks(*secrets)` names where any of them turned up."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from prometheus_client import generate_latest

from tests.support.events import EventTap
from tests.support.service import Service


@contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(root.handlers[0].formatter if root.handlers else logging.Formatter())
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


class LeakWatch:
    def __init__(self, events: EventTap, logs: io.StringIO, services: Sequence[Service]):
        self.events = events
        self.logs = logs
        self.services = services
        self.notifications: list[bytes] = []  # what receivers of outgoing messages were sent

    def outputs(self) -> dict[str, str]:
        return {
            "events": "\n".join(p.decode("utf-8", "replace") for p in self.events.payloads()),
            "logs": self.logs.getvalue(),
            "metrics": "\n".join(generate_latest(s.runtime.metrics.registry).decode() for s in self.services),
            "notifications": "\n".join(b.decode("utf-8", "replace") for b in self.notifications),
        }

    def leaks(self, *secrets: str) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for where, text in self.outputs().items():
            lowered = text.lower()
            hits = [secret for secret in secrets if secret.lower() in lowered]
            if hits:
                found[where] = hits
        return found
