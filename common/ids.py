"""Every id in the system is a UUID string. Checking that at the door keeps free text (names,
phone numbers) out of ids, and so out of events, logs and the bus."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

Uuid = Annotated[
    str,
    msgspec.Meta(
        pattern=UUID_PATTERN,
        description="a UUID",
        examples=["3f2b8c1e-5d4a-4b6f-9e2d-7a1c0b9e8f10"],
        extra_json_schema={"format": "uuid"},
    ),
]


def is_uuid(value: str) -> bool:
    """A hyphenated UUID string (36 characters), the only form our ids take."""
    if len(value) != 36:
        return False
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False
