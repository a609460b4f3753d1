"""Does a site have a place for this party right now? The rule behind nearest-place search,
built on the same `room_fits` as check-in, so search never offers what check-in would refuse."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from services.beds.domain.party import Needs, Party
from services.beds.domain.sites import Room, room_fits

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class RoomOpening:
    room: Room
    free_beds: int


@dataclass(frozen=True)
class Offer:
    free_beds: int
    free_mats: int
    # One room can take the whole party now (else it is offered mats): placement tries beds first.
    on_beds: bool = True


def offer(
    kind: str,
    openings: Iterable[RoomOpening],
    free_mats: int,
    party: Party,
    needs: Needs,
    *,
    confidential: bool = False,
) -> Offer | None:
    """An offer when one room can take the whole party, or — at a night shelter, for adults
    without special needs — when there are mats for all of them. `free_beds` counts fitting beds.
    A party fleeing violence is offered confidential sites only (`require_site_takes`)."""
    if needs.dv and not confidential:
        return None
    fitting = [o for o in openings if room_fits(o.room, party, needs)]
    in_one_room = any(o.free_beds >= party.size for o in fitting)
    on_mats = kind == "night_shelter" and party.adults_only and not needs.special and free_mats >= party.size
    if not (in_one_room or on_mats):
        return None
    return Offer(free_beds=sum(o.free_beds for o in fitting), free_mats=free_mats, on_beds=in_one_room)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))
