"""Which free places a party gets. Two rules, each in one place:

- anywhere, a party is placed together, in one room, when one room that fits has enough free beds;
- at a night shelter, which never refuses, a party that no single room can take is spread over the
  free fitting beds — as few rooms as possible, a child beside an adult wherever the beds allow —
  and only those left without a bed go to the mats, then over capacity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.beds.domain.party import Party
from services.beds.domain.sites import Place


@dataclass(frozen=True)
class Spread:
    """Beds for the adults and for the children, each list as long as the beds allowed."""

    adults: list[Place]
    children: list[Place]

    @property
    def placed(self) -> int:
        return len(self.adults) + len(self.children)


def spread_over_rooms(party: Party, rooms: Sequence[Sequence[Place]]) -> Spread:
    """`rooms`: the free fitting beds of each room, the preferred room first. Fuller rooms are used
    first so the party is split as little as possible; every room used gets an adult while adults
    last, and children go first to the rooms that have one."""
    chosen: list[list[Place]] = []
    room_space = 0
    for beds in sorted(rooms, key=len, reverse=True):  # stable: preference breaks ties
        if room_space >= party.size or not beds:
            break
        chosen.append(list(beds)[: party.size - room_space])
        room_space += len(chosen[-1])
    adults_in = [0] * len(chosen)
    adults_left = party.adults
    for rule in ("one each", "fill"):
        for i, beds in enumerate(chosen):
            room_for = (1 if rule == "one each" and adults_in[i] == 0 else len(beds)) - adults_in[i]
            take = max(0, min(adults_left, room_for))
            adults_in[i] += take
            adults_left -= take
    adults: list[Place] = []
    children: list[Place] = []
    children_left = party.children
    with_an_adult_first = sorted(range(len(chosen)), key=lambda i: adults_in[i] == 0)
    for i in with_an_adult_first:
        beds = chosen[i]
        adults += beds[: adults_in[i]]
        take = min(children_left, len(beds) - adults_in[i])
        children += beds[adults_in[i] : adults_in[i] + take]
        children_left -= take
    return Spread(adults=adults, children=children)


def seats_for_party(party: Party, spread: Spread, mats: Sequence[Place]) -> list[Place | None]:
    """Everyone's place, adults first then children (as stays are recorded): a bed from `spread`,
    else a mat while they last, else None (over capacity)."""
    spare_mats = iter(mats)
    adults_left = party.adults - len(spread.adults)
    children_left = party.children - len(spread.children)
    extra_adults = [next(spare_mats, None) for _ in range(adults_left)]
    extra_children = [next(spare_mats, None) for _ in range(children_left)]
    return [*spread.adults, *extra_adults, *spread.children, *extra_children]
