"""Upkeep of a site's places: a bed or mat taken out of service (a broken frame, bedbugs, a deep
clean) and put back. While out it is never offered, held or taken — it is not `usable` — and the
board counts it apart. A place someone is on, or that is held, cannot be taken out until that
ends: nobody is moved by software."""

from __future__ import annotations

from datetime import datetime, timedelta

from common.errors import Conflict, RuleViolation
from contracts.events import beds as ev
from services.beds.domain.inventory import Inventory
from services.beds.domain.sites import Place

OUT_OF_SERVICE_REASONS = frozenset({"repair", "cleaning", "pests", "damage", "quarantine", "other"})
MAX_OUT_OF_SERVICE = timedelta(days=366)


class Upkeep(Inventory):
    def take_out_of_service(self, place: Place, reason: str, until: datetime | None, now: datetime) -> bool:
        """Returns False when nothing changed (already out for the same reason and time)."""
        self.site.require_active()
        if not place.active:
            raise Conflict("This place is retired.", code="place-retired")
        if reason not in OUT_OF_SERVICE_REASONS:
            raise RuleViolation(
                f"reason is one of {', '.join(sorted(OUT_OF_SERVICE_REASONS))}.", code="invalid-reason"
            )
        if until is not None and not now < until <= now + MAX_OUT_OF_SERVICE:
            raise RuleViolation(
                "until lies in the future, at most a year ahead.", code="invalid-out-of-service-until"
            )
        if self.taken_from(place, now):
            raise Conflict(
                "Someone is on this place or it is held; it can be taken out once that ends.",
                code="place-in-use",
            )
        same = (place.out_of_service_reason, place.out_of_service_until) == (reason, until)
        if not place.in_service and same:
            return False
        with self.change(now):
            place.out_of_service_since = place.out_of_service_since or now
            place.out_of_service_reason = reason
            place.out_of_service_until = until
            self.events.append(
                ev.PlaceOutOfService(
                    place_id=place.id,
                    site_id=self.site.id,
                    room_id=place.room_id,
                    confidential=self.site.confidential,
                    place_kind=place.kind,
                    reason=reason,  # type: ignore[arg-type]
                    until=until,
                )
            )
        return True

    def put_back_in_service(self, place: Place, now: datetime, *, by_the_clock: bool = False) -> bool:
        """Returns False when it was in service already."""
        if place.in_service:
            return False
        with self.change(now):
            place.out_of_service_since = None
            place.out_of_service_reason = None
            place.out_of_service_until = None
            self.events.append(
                ev.PlaceBackInService(
                    place_id=place.id,
                    site_id=self.site.id,
                    room_id=place.room_id,
                    confidential=self.site.confidential,
                    place_kind=place.kind,
                    by_the_clock=by_the_clock,
                )
            )
        return True

    def back_in_service_when_due(self, now: datetime) -> int:
        """The clocks: every place whose `until` has come is back, in one change."""
        due = [
            p
            for p in self.places.values()
            if not p.in_service and p.out_of_service_until is not None and p.out_of_service_until <= now
        ]
        with self.change(now):
            for place in due:
                self.put_back_in_service(place, now, by_the_clock=True)
        return len(due)
