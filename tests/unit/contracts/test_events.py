"""The event contract: every event round-trips, is named by the one scheme, carries no personal
data, and the published AsyncAPI document is generated from exactly these Structs."""

from __future__ import annotations

import typing
from datetime import UTC, datetime

import msgspec
import pytest
from polyfactory.factories.msgspec_factory import MsgspecFactory

from contracts import all_events, decode_data, decode_envelope, encode, wrap
from contracts.asyncapi import main as asyncapi_main
from contracts.events.base import Event

EVENTS = all_events()


NOW = datetime(2026, 11, 23, tzinfo=UTC)


def with_aware_times(event: Event) -> Event:
    """Events carry aware times only (RFC 3339 with offset); the factory does not build those."""
    hints = typing.get_type_hints(type(event), include_extras=True)
    times = {
        f.name: NOW
        for f in msgspec.structs.fields(event)
        if "datetime.datetime" in str(hints[f.name]) and getattr(event, f.name) is not None
    }
    return msgspec.structs.replace(event, **times)


@pytest.mark.parametrize("event_type", EVENTS, ids=lambda cls: cls.KIND.type)
def test_every_event_survives_the_wire(event_type: type[Event]) -> None:
    event = with_aware_times(MsgspecFactory.create_factory(event_type).build())
    envelope = wrap(event, event_id="e-1", time=NOW, subject=event.subject_id())
    decoded = decode_envelope(encode(envelope))
    assert decoded.type == event_type.KIND.type
    assert decoded.specversion == "1.0"
    assert decoded.source == f"/shelterbeds/{event_type.KIND.service}"
    assert decode_data(decoded) == event


@pytest.mark.parametrize("event_type", EVENTS, ids=lambda cls: cls.KIND.type)
def test_names_follow_the_one_scheme(event_type: type[Event]) -> None:
    kind = event_type.KIND
    assert kind.type == f"org.shelterbeds.{kind.service}.{kind.aggregate}.{kind.fact}.v{kind.version}"
    assert kind.subject == f"shelter.{kind.service}.{kind.aggregate}.{kind.fact}.v{kind.version}"


PERSONAL = ("name", "phone", "note", "address", "email", "birth", "person", "reason", "comment")
# Free text is allowed only where the value is an id, a code, or a public site's public name
# (`token_digest`: 64 hex characters by its pattern, the SHA-256 of a card's opaque token).
ALLOWED_FREE_TEXT = {"public_name", "timezone", "alert_kind", "token_digest"}


def _str_fields(event_type: type[Event]) -> list[str]:
    hints = typing.get_type_hints(event_type, include_extras=True)
    found = []
    for field in msgspec.structs.fields(event_type):
        hint = str(hints[field.name])
        if "str" in hint and "Literal" not in hint:
            found.append(field.name)
    return found


@pytest.mark.parametrize("event_type", EVENTS, ids=lambda cls: cls.KIND.type)
def test_events_carry_ids_and_codes_never_personal_data(event_type: type[Event]) -> None:
    free_text = set(_str_fields(event_type))
    for field in msgspec.structs.fields(event_type):
        # `person_id` is intake's opaque id (a restriction's, a referral's person), never the record.
        opaque_id = field.name in ("person_id",)
        sounds_personal = any(word in field.name.lower() for word in PERSONAL) and not opaque_id
        # A field named like personal data may exist only as a code (a Literal), never as free text.
        assert not (sounds_personal and field.name in free_text and field.name not in ALLOWED_FREE_TEXT), (
            field.name
        )
    for name in free_text:
        assert name.endswith(("_id", "_ids")) or name in ALLOWED_FREE_TEXT, f"{event_type.__name__}.{name}"


def test_the_asyncapi_document_is_up_to_date() -> None:
    assert asyncapi_main(["--check"]) == 0, "run `python -m contracts.asyncapi`"


def test_subjects_and_types_are_unique() -> None:
    assert len({e.KIND.subject for e in EVENTS}) == len(EVENTS)
