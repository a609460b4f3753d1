"""What every event payload shares, and the coded attributes events may carry.

Events carry ids and coded attributes only: never a name, phone, free-text note, or the address
or coordinates of a confidential site (tests/unit/contracts enforce this by field name and type).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar, Literal

import msgspec

from contracts.naming import EventKind

UtcTime = Annotated[datetime, msgspec.Meta(tz=True)]
Count = Annotated[int, msgspec.Meta(ge=0)]
Night = date

SiteKind = Literal["night_shelter", "crisis_room", "shelter"]
Restriction = Literal["any", "women", "men", "family", "youth"]
Gender = Literal["female", "male", "other"]
PlaceKind = Literal["bed", "mat"]
StayPlaceKind = Literal["bed", "mat", "over_capacity"]
Source = Literal["patrol", "mobile_team", "police", "phone", "walk_in", "contact_centre"]
Urgency = Literal["routine", "urgent", "emergency"]
# Why a place is out of service: a code, never free text (events and logs carry no notes).
OutOfServiceReason = Literal["repair", "cleaning", "pests", "damage", "quarantine", "other"]
TurnawayReason = Literal["full", "no_fitting_room", "needs_not_met", "other"]
Role = Literal["shelter_staff", "patrol", "crisis_team", "supervisor", "admin"]


class Event(msgspec.Struct, kw_only=True, frozen=True):
    """Base of every event payload; subclasses set KIND."""

    KIND: ClassVar[EventKind]

    @classmethod
    def event_kind(cls) -> EventKind:
        # Not `kind`: events such as site.created have a field of that name.
        return cls.KIND

    def subject_id(self) -> str | None:
        """The CloudEvent `subject`: the id of the thing the event is about."""
        for field in (f"{self.KIND.aggregate}_id", "site_id"):
            value = getattr(self, field, None)
            if isinstance(value, str):
                return value
        return None


class PartyFacts(msgspec.Struct, frozen=True):
    adults: Count
    children: Count
    gender: Gender
    # Every member is 16-24 and unaccompanied (youth rooms take such parties).
    youth: bool = False


class NeedsFacts(msgspec.Struct, frozen=True):
    accessible: bool = False
    pet: bool = False
    dv: bool = False
