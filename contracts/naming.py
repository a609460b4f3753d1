"""The one place that says how an event is named on the wire.

An event type is `org.shelterbeds.<service>.<aggregate>.<fact>.v<N>`; its NATS subject is
`shelter.<service>.<aggregate>.<fact>.v<N>`, so a consumer can filter with wildcards
(`shelter.beds.hold.>`, `shelter.*.*.*.v1`). Facts are past tense: `placed`, `expired`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SUBJECT_ROOT = "shelter"
TYPE_PREFIX = "org.shelterbeds"
SERVICES = ("beds", "intake", "notifications")

_TOKEN = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class EventKind:
    service: str
    aggregate: str
    fact: str
    version: int

    def __post_init__(self) -> None:
        if self.service not in SERVICES:
            raise ValueError(f"unknown service {self.service!r}")
        for token in (self.aggregate, self.fact):
            if not _TOKEN.match(token):
                raise ValueError(f"subject token {token!r} must be lower_snake_case")
        if self.version < 1:
            raise ValueError("versions start at 1")

    @property
    def tail(self) -> str:
        return f"{self.service}.{self.aggregate}.{self.fact}.v{self.version}"

    @property
    def type(self) -> str:
        return f"{TYPE_PREFIX}.{self.tail}"

    @property
    def subject(self) -> str:
        return f"{SUBJECT_ROOT}.{self.tail}"


def service_subjects(service: str) -> str:
    """Every subject one service publishes on."""
    return f"{SUBJECT_ROOT}.{service}.>"


def aggregate_subjects(service: str, aggregate: str) -> str:
    return f"{SUBJECT_ROOT}.{service}.{aggregate}.>"


def parked_subject(service: str, consumer: str) -> str:
    return f"{SUBJECT_ROOT}.parked.{service}.{consumer}"
