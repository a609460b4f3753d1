"""The only thing services share: event schemas, their names on the wire, and the streams."""

from contracts.envelope import (
    CloudEvent,
    UnknownEventType,
    decode_data,
    decode_envelope,
    encode,
    source_of,
    wrap,
)
from contracts.events.base import Event
from contracts.naming import EventKind, parked_subject, service_subjects
from contracts.registry import all_events, event_class, events_of
from contracts.streams import ALL_STREAMS, PARKED, STREAM_OF_SERVICE, StreamSpec
from contracts.streams import BEDS as BEDS_STREAM

__all__ = [
    "ALL_STREAMS",
    "BEDS_STREAM",
    "PARKED",
    "STREAM_OF_SERVICE",
    "CloudEvent",
    "Event",
    "EventKind",
    "StreamSpec",
    "UnknownEventType",
    "all_events",
    "decode_data",
    "decode_envelope",
    "encode",
    "event_class",
    "events_of",
    "parked_subject",
    "service_subjects",
    "source_of",
    "wrap",
]
