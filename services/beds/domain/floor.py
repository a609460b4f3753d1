"""The site floor: a site with its rooms, places and the claims on them — the consistency
boundary for everything that takes or frees a place. It is loaded under a lock (one writer per
site at a time), decides, and records what happened as events.

Rules that live here and nowhere else:
- a bed that fits comes first; mats only when no fitting bed is free on the site;
- a night shelter never refuses: past the last mat a person is checked in `over_capacity`;
- a family is placed together, in one room, all places or none;
- a place is never claimed twice over overlapping time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from common.errors import Conflict, RuleViolation
from contracts.events import beds as ev
from services.beds.domain.allocation import seats_for_party, spread_over_rooms
from services.beds.domain.holds import Hold, hold_minutes, warning_time
from services.beds.domain.moves import Moves
from services.beds.domain.nights import next_rollover, night_of
from services.beds.domain.party import Needs, Party
from services.beds.domain.sites import (
    Place,
    label_key,
    new_id,
    require_site_takes,
)
from services.beds.domain.stays import Stay
from services.beds.domain.turnaways import TurnawayDesk
from services.beds.domain.upkeep import Upkeep


@dataclass(frozen=True)
class Holder:
    subject: str
    role: str
    team_id: str | None = None


class SiteFloor(Moves, TurnawayDesk, Upkeep):
    """The site floor: the consistency boundary for everything that takes or frees a place."""

    # -- stays -------------------------------------------------------------------------------------

    def check_in(
        self,
        party: Party,
        needs: Needs,
        *,
        now: datetime,
        started_at: datetime,
        source: str,
        team_id: str | None = None,
        referral_id: str | None = None,
        person_id: str | None = None,
    ) -> list[Stay]:
        self.site.require_active()
        require_site_takes(self.site, needs)
        if started_at < self.site.created_at:
            raise RuleViolation("started_at is before this site was opened.", code="invalid-started-at")
        with self.change(now):
            assigned = self._seats(party, needs, started_at, self._claim_end(started_at, now))
            stays = self._start_stays(
                party,
                assigned,
                started_at=started_at,
                now=now,
                source=source,
                team_id=team_id,
                referral_id=referral_id,
                person_id=person_id,
            )
        return stays

    def _seats(self, party: Party, needs: Needs, start: datetime, end: datetime | None) -> list[Place | None]:
        beds = self.beds_in_one_room(party, needs, start, end)
        if beds is not None:
            return list(beds)
        mats = self.free_mats(start, end)
        if self.site.kind == "night_shelter":
            # Never turn anyone away: the free beds that fit, then mats, then over capacity.
            spread = spread_over_rooms(party, self.fitting_free_beds(party, needs, start, end))
            return seats_for_party(party, spread, mats)
        if len(mats) >= party.size:
            return list(mats[: party.size])
        raise Conflict(
            "No free place here fits this party (room restriction, accessibility, family size).",
            code="nothing-fits",
        )

    def check_out(self, stay: Stay, now: datetime) -> None:
        with self.change(now):
            self._end_stay(stay, now, "checkout")

    def end_at_rollover(self, stay: Stay, now: datetime) -> None:
        if stay.scheduled_end is None or stay.scheduled_end > now:
            raise RuleViolation("This stay does not end at a rollover yet.")
        with self.change(now):
            self._end_stay(stay, stay.scheduled_end, "rollover")

    def end_unseen(self, stay: Stay, now: datetime) -> bool:
        """Nobody confirmed their presence though the site was warned: the stay ends as `left`
        (without check-out) at the time the warning named."""
        if not stay.open or stay.leaves_at is None or stay.leaves_at > now:
            return False
        with self.change(now):
            self._end_stay(stay, stay.leaves_at, "left")
        return True

    def _end_stay(self, stay: Stay, at: datetime, reason: str) -> None:
        stay.end(self.site, at, reason)  # type: ignore[arg-type]
        ended_at = stay.ended_at or at
        if stay.place_id is not None:
            for claim in self.claims_on(stay.place_id):
                if claim.stay_id == stay.id and claim.open:
                    claim.close(ended_at)
            self._put_away_if_left_over(self.places[stay.place_id], ended_at)
        self.over_capacity_stays = [s for s in self.over_capacity_stays if s.id != stay.id]
        self._absorb(stay)

    def _claim_end(self, started_at: datetime, now: datetime) -> datetime | None:
        """A back-dated night-shelter stay whose morning has already come claims its place only
        until that rollover; every other stay claims it until further notice."""
        end = self.scheduled_end(started_at)
        return end if end is not None and end <= now else None

    def scheduled_end(self, started_at: datetime) -> datetime | None:
        if not self.site.ends_stays_at_rollover:
            return None
        return next_rollover(started_at, self.site.tz, self.site.rollover)

    def _start_stays(
        self,
        party: Party,
        assigned: Sequence[Place | None],
        *,
        started_at: datetime,
        now: datetime,
        source: str,
        team_id: str | None,
        referral_id: str | None,
        hold_id: str | None = None,
        promised: bool = False,
        person_id: str | None = None,
    ) -> list[Stay]:
        group_id = new_id()
        scheduled_end = self.scheduled_end(started_at)
        claim_end = self._claim_end(started_at, now)
        days = self.site.max_stay_days
        limit_at = (
            started_at + timedelta(days=days) if days and not self.site.ends_stays_at_rollover else None
        )
        stays = []
        for index, place in enumerate(assigned):
            stay = Stay(
                id=new_id(),
                site_id=self.site.id,
                place_id=place.id if place else None,
                place_kind=place.kind if place else "over_capacity",
                group_id=group_id,
                started_at=started_at,
                recorded_at=now,
                source=source,
                is_child=index >= party.adults,
                scheduled_end=scheduled_end,
                limit_at=limit_at,
                hold_id=hold_id,
                referral_id=referral_id,
                team_id=team_id,
                last_seen_at=None if self.site.ends_stays_at_rollover else now,
                # the person named is the party's first; who came with them stays anonymous
                person_id=person_id if index == 0 else None,
            )
            stay.events.append(stay.started_event(self.site))
            if place is not None:
                self._claim(place, starts_at=started_at, until=claim_end, stay_id=stay.id, promised=promised)
            else:
                self.over_capacity_stays.append(stay)
            self.added.append(stay)
            stays.append(stay)
        for stay in stays:
            if scheduled_end is not None and scheduled_end <= now:
                self._end_stay(stay, scheduled_end, "rollover")
            else:
                self._absorb(stay)
                if stay.place_kind == "over_capacity":
                    self.events.append(
                        ev.OverCapacity(
                            site_id=self.site.id,
                            confidential=self.site.confidential,
                            stay_id=stay.id,
                            over_capacity=sum(1 for s in self.over_capacity_stays if s.present_at(now)),
                        )
                    )
        self._reopen_ledger(started_at, now)
        return stays

    def _reopen_ledger(self, started_at: datetime, now: datetime) -> None:
        night = night_of(started_at, self.site.tz, self.site.rollover)
        if night < night_of(now, self.site.tz, self.site.rollover):
            self.site.reopen_ledger_from(night)

    # -- holds -------------------------------------------------------------------------------------

    def place_hold(
        self,
        party: Party,
        needs: Needs,
        *,
        now: datetime,
        eta_minutes: int | None,
        holder: Holder,
        source: str,
        referral_id: str | None = None,
        person_id: str | None = None,
    ) -> Hold:
        self.site.require_active()
        require_site_takes(self.site, needs)
        minutes = hold_minutes(eta_minutes)
        with self.change(now):
            places = self.beds_in_one_room(party, needs, now, None)
            # Mats are held only for adults without special needs; at the door anyone gets one.
            if (
                places is None
                and self.site.kind == "night_shelter"
                and party.adults_only
                and not needs.special
            ):
                mats = self.free_mats(now, None)
                places = mats[: party.size] if len(mats) >= party.size else None
            if places is None:
                raise Conflict(
                    "Nothing here fits this party right now; try the next site in /api/v1/availability.",
                    code="nothing-fits",
                )
            expires_at = now + timedelta(minutes=minutes)
            hold = Hold(
                id=new_id(),
                site_id=self.site.id,
                party=party,
                needs=needs,
                status="active",
                placed_at=now,
                expires_at=expires_at,
                warn_at=warning_time(now, expires_at),
                holder_subject=holder.subject,
                holder_role=holder.role,
                holder_team_id=holder.team_id,
                referral_id=referral_id,
                source=source,
                person_id=person_id,
            )
            for place in places:
                self._claim(place, starts_at=now, until=None, hold_id=hold.id)
            self.added.append(hold)
            self.events.append(hold.placed_event(self.site, [p.id for p in places]))
        return hold

    def release_hold(self, hold: Hold, now: datetime, status: str) -> None:
        """Expiry or cancellation: the places are free again. An expired hold ends at its expiry."""
        with self.change(now):
            at = min(now, hold.expires_at) if status == "expired" else now
            places = self._open_hold_places(hold)
            self._close_hold_claims(hold, at)
            for place in places:
                self._put_away_if_left_over(place, at)
            hold.finish(self.site, status, at)  # type: ignore[arg-type]
            self._absorb(hold)

    def fulfil_hold(self, hold: Hold, now: datetime) -> list[Stay]:
        """Arrival: the held places become stays, in the same room, at once."""
        hold.require_active()
        self.site.require_active()
        with self.change(now):
            places = sorted(self._open_hold_places(hold), key=lambda p: label_key(p.label))
            self._close_hold_claims(hold, now)
            stays = self._start_stays(
                hold.party,
                places,
                started_at=now,
                now=now,
                source=hold.source,
                team_id=hold.holder_team_id,
                referral_id=hold.referral_id,
                hold_id=hold.id,
                promised=True,
                person_id=hold.person_id,
            )
            hold.finish(self.site, "fulfilled", now, [s.id for s in stays])
            self._absorb(hold)
        return stays

    def _open_hold_places(self, hold: Hold) -> list[Place]:
        return [
            self.places[place_id]
            for place_id, claims in self._claims.items()
            if any(c.hold_id == hold.id and c.open for c in claims)
        ]

    def _close_hold_claims(self, hold: Hold, at: datetime) -> None:
        for claims in self._claims.values():
            for claim in claims:
                if claim.hold_id == hold.id and claim.open:
                    claim.close(at)
