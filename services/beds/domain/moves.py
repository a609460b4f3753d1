"""Moving a stay to another place on the same site: the stay goes on (its start and its limit are
what they were), the old place is free and the new one taken in the same change, and a family
placed together moves together."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from common.errors import Conflict, RuleViolation
from services.beds.domain.floor_base import FloorBase
from services.beds.domain.sites import Place, label_key
from services.beds.domain.stays import Stay


class Moves(FloorBase):
    def move(self, stay: Stay, to: Place, group: Sequence[Stay], now: datetime) -> list[Stay]:
        """Moves a stay to another place of this site without ending it: its start and limit stay
        as they were. A family moves together: the other open stays of its group go to free
        places beside it (the same room, or mats for a mat), all or none. Returns who moved.
        Beds keeps no gender per person, so a room's restriction is the staff's judgment here."""
        self.site.require_active()
        if not stay.open:
            raise Conflict("This stay has already ended.", code="stay-ended")
        if to.site_id != self.site.id or to.id not in self.places:
            raise RuleViolation("That place is not on this stay's site.", code="place-not-on-site")
        if to.id == stay.place_id:
            raise Conflict("This stay is on that place already.", code="same-place")
        if not self.usable(to) or not self.is_free(to, now, None):
            raise Conflict("That place is taken, out of service or retired.", code="place-taken")
        others = [s for s in group if s.open and s.id != stay.id and s.site_id == self.site.id]
        beside = [p for p in self._places_beside(to, now) if p.id != to.id]
        moving = [s for s in others if not self._beside(s, to)]
        if len(beside) < len(moving):
            raise Conflict(
                f"The family needs {len(moving) + 1} places together there; only {len(beside) + 1} are free.",
                code="family-does-not-fit",
            )
        targets = [to, *beside[: len(moving)]]
        with self.change(now):
            for member, place in zip([stay, *moving], targets, strict=True):
                self._move_one(member, place, now)
        return [stay, *moving]

    def _places_beside(self, place: Place, now: datetime) -> list[Place]:
        """The free places a family's others may take next to `place`: its room's beds, or mats."""
        if place.room_id is None:
            return self.free_mats(now, None)
        return sorted(
            self.free_beds_by_room(now, None).get(place.room_id, []), key=lambda p: label_key(p.label)
        )

    def _beside(self, stay: Stay, place: Place) -> bool:
        """Already where the family is going: in the same room (a bed beside it), never a mat."""
        if stay.place_id is None or place.room_id is None:
            return False
        return self.places[stay.place_id].room_id == place.room_id

    def _move_one(self, stay: Stay, place: Place, now: datetime) -> None:
        left = stay.place_id
        if left is not None:
            for claim in self.claims_on(left):
                if claim.stay_id == stay.id and claim.open:
                    claim.close(now)
        self.over_capacity_stays = [s for s in self.over_capacity_stays if s.id != stay.id]
        self._claim(place, starts_at=now, until=None, stay_id=stay.id)
        stay.move_to(self.site, place.id, place.kind, left)
        if left is not None:
            self._put_away_if_left_over(self.places[left], now)
        self._absorb(stay)
