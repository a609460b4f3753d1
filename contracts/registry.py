"""Every event type in one table, built from the event modules."""

from __future__ import annotations

import inspect
from functools import cache

from contracts.events import beds, intake, notifications
from contracts.events.base import Event

_MODULES = (beds, intake, notifications)


@cache
def all_events() -> tuple[type[Event], ...]:
    found: list[type[Event]] = []
    for module in _MODULES:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Event) and "KIND" in cls.__dict__ and cls.__module__ == module.__name__:
                found.append(cls)
    types = [cls.KIND.type for cls in found]
    duplicates = {t for t in types if types.count(t) > 1}
    if duplicates:
        raise RuntimeError(f"event types defined twice: {sorted(duplicates)}")
    return tuple(sorted(found, key=lambda cls: cls.KIND.type))


@cache
def _by_type() -> dict[str, type[Event]]:
    return {cls.KIND.type: cls for cls in all_events()}


def event_class(event_type: str) -> type[Event] | None:
    return _by_type().get(event_type)


def events_of(service: str) -> tuple[type[Event], ...]:
    return tuple(cls for cls in all_events() if cls.KIND.service == service)
