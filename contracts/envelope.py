"""CloudEvents 1.0 envelope (JSON format) around every event.

The envelope is decoded first with `data` left raw, so a consumer can route on `type`, skip
types it does not know, and only then decode the payload into the versioned Struct.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from contracts.events.base import Event

UtcTime = Annotated[datetime, msgspec.Meta(tz=True)]

CONTENT_TYPE: Literal["application/json"] = "application/json"


class CloudEvent(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    source: str
    type: str
    time: UtcTime
    subject: str | None = None
    specversion: Literal["1.0"] = "1.0"
    datacontenttype: Literal["application/json"] = CONTENT_TYPE
    data: msgspec.Raw


class UnknownEventType(LookupError):
    pass


_encoder = msgspec.json.Encoder()
_envelope_decoder = msgspec.json.Decoder(CloudEvent)


def source_of(service: str) -> str:
    return f"/shelterbeds/{service}"


def wrap(event: Event, *, event_id: str, time: datetime, subject: str | None) -> CloudEvent:
    kind = event.event_kind()
    return CloudEvent(
        id=event_id,
        source=source_of(kind.service),
        type=kind.type,
        time=time,
        subject=subject,
        data=msgspec.Raw(_encoder.encode(event)),
    )


def encode(envelope: CloudEvent) -> bytes:
    return _encoder.encode(envelope)


def decode_envelope(payload: bytes) -> CloudEvent:
    """Raises msgspec.DecodeError / ValidationError for a message that is not a CloudEvent."""
    return _envelope_decoder.decode(payload)


def decode_data(envelope: CloudEvent) -> Event:
    from contracts.registry import event_class

    cls = event_class(envelope.type)
    if cls is None:
        raise UnknownEventType(envelope.type)
    return msgspec.json.decode(envelope.data, type=cls)
