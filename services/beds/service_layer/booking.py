"""Handlers of the commands that take and free places: check-in, check-out, holds, extensions.

Each runs inside the unit of work it is given; whoever dispatched the command commits (HTTP
`Writes`, a consumer, a test). The floor is always loaded (and locked) before the hold or stay it
acts on is re-read, so two replicas acting on one site take turns and see each other's changes.
Who may do it is the access table's answer (`domain/access.py`), asked once the site is loaded.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from common.errors import RuleViolation
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.domain import commands as c
from services.beds.domain.access import PLACEMENT_ROLE, Actor, absent, verdict
from services.beds.domain.floor import Holder, SiteFloor
from services.beds.domain.holds import Hold, require_room_for_another_hold
from services.beds.domain.restrictions import Restriction, admit
from services.beds.domain.sites import Site
from services.beds.domain.stays import Stay, check_started_at
from services.beds.service_layer.results import HoldState, Placed, StayState, TurnawayState

SOURCE_OF_ROLE = {"patrol": "patrol", "crisis_team": "mobile_team"}


def default_source(actor: Actor) -> str:
    return SOURCE_OF_ROLE.get(actor.role, "walk_in")


async def site_floor(
    uow: BedsUnitOfWork, command: object, site_id: str, *, since: datetime | None = None
) -> SiteFloor:
    floor = await uow.sites.floor(site_id, since=since)
    if floor is None:
        raise absent(command)
    return floor


async def admitted(
    uow: BedsUnitOfWork, actor: Actor, site: Site, person_id: str | None, now: datetime
) -> Restriction | None:
    """409 when the person is restricted from this site; in cold-weather mode the restriction
    it overrides, which the caller audits once the party is in."""
    if person_id is None:
        return None
    return admit(await uow.restrictions.of_person(person_id, now), site, now)


async def audit_override(
    uow: BedsUnitOfWork, actor: Actor, overridden: Restriction, site: Site, admitted_as: str, object_id: str
) -> None:
    await uow.audit(
        actor=actor.subject,
        actor_role=actor.role,
        action="restriction.overridden",
        object_type=admitted_as,
        object_id=object_id,
        reason="cold_weather",
        detail={
            "restriction_id": overridden.id,
            "person_id": overridden.person_id,
            "site_id": site.id,
            "until": overridden.until.isoformat(),
        },
    )


async def check_in(command: c.CheckIn, actor: Actor, uow: BedsUnitOfWork) -> Placed:
    now = uow.clock.now()
    started = check_started_at(command.started_at, now)
    floor = await site_floor(uow, command, command.site_id, since=started)
    verdict(command, actor, floor.site)
    overridden = await admitted(uow, actor, floor.site, command.person_id, now)
    stays = floor.check_in(
        command.party,
        command.needs,
        now=now,
        started_at=started,
        source=command.source or default_source(actor),
        team_id=actor.team_id,
        referral_id=command.referral_id,
        person_id=command.person_id,
    )
    if overridden is not None:
        await audit_override(uow, actor, overridden, floor.site, "stay_group", stays[0].group_id)
    if stays[0].backdated:
        await uow.audit(
            actor=actor.subject,
            actor_role=actor.role,
            action="stay.backdated_check_in",
            object_type="stay_group",
            object_id=stays[0].group_id,
            detail={"started_at": started.isoformat(), "people": len(stays)},
        )
    return Placed(floor, stays, now)


async def scan_card(command: c.ScanCard, actor: Actor, uow: BedsUnitOfWork) -> Placed:
    """The card resolves to intake's person id (never a name): their active hold at this site is
    fulfilled, else the party given is checked in — restrictions apply either way."""
    floor = await site_floor(uow, command, command.site_id)
    verdict(command, actor, floor.site)
    person_id = await uow.cards.person_of(card_digest(command.token))
    if person_id is None:
        raise RuleViolation(
            "This card is unknown or was revoked; check the person in by hand.", code="card-unknown"
        )
    hold_id = await uow.holds.active_for_person(floor.site.id, person_id)
    if hold_id is not None:
        return await check_in_from_hold(c.CheckInFromHold(hold_id=hold_id), actor, uow)
    if command.party is None:
        raise RuleViolation(
            "No hold here for this card's holder: give the party to check them in.", code="party-needed"
        )
    arrival = c.CheckIn(site_id=floor.site.id, party=command.party, needs=command.needs, person_id=person_id)
    return await check_in(arrival, actor, uow)


def card_digest(token: str) -> str:
    """What beds keeps of a card (intake's `card.issued`): the SHA-256 of its token."""
    return hashlib.sha256(token.encode()).hexdigest()


async def _stay_on_floor(
    uow: BedsUnitOfWork, command: c.CheckOut | c.ExtendStay | c.MoveStay, actor: Actor
) -> tuple[Stay, SiteFloor]:
    stay = await uow.stays.get(command.stay_id)
    if stay is None:
        raise absent(command)
    floor = await site_floor(uow, command, stay.site_id)
    verdict(command, actor, floor.site)
    stay = await uow.stays.get(command.stay_id, fresh=True)
    if stay is None:
        raise absent(command)
    return stay, floor


async def check_out(command: c.CheckOut, actor: Actor, uow: BedsUnitOfWork) -> StayState:
    stay, floor = await _stay_on_floor(uow, command, actor)
    now = uow.clock.now()
    floor.check_out(stay, now)
    return StayState(stay, floor.places.get(stay.place_id or ""), floor.site, now)


async def extend_stay(command: c.ExtendStay, actor: Actor, uow: BedsUnitOfWork) -> StayState:
    """A family placed together keeps one limit: every open stay of the group moves with it."""
    stay, floor = await _stay_on_floor(uow, command, actor)
    now = uow.clock.now()
    group = [s for s in await uow.stays.open_in_group(stay.group_id) if s.id != stay.id]
    together = [stay, *(s for s in group if s.limit_at is not None)]
    for member in together:
        member.extend(floor.site, command.days, command.reason, now)
    extended_ids = [s.id for s in together]
    for member in together:
        await uow.audit(
            actor=actor.subject,
            actor_role=actor.role,
            action="stay.extended",
            object_type="stay",
            object_id=member.id,
            reason=command.reason.strip(),
            detail={
                "days": command.days,
                "limit_at": member.limit_at.isoformat() if member.limit_at else None,
                "group_id": stay.group_id,
                "extended_stay_ids": extended_ids,
            },
        )
    return StayState(stay, floor.places.get(stay.place_id or ""), floor.site, now, extended=together)


async def move_stay(command: c.MoveStay, actor: Actor, uow: BedsUnitOfWork) -> Placed:
    """The stay goes on elsewhere on its site; a family placed together moves together."""
    stay, floor = await _stay_on_floor(uow, command, actor)
    place = floor.places.get(command.place_id)
    if place is None:
        raise RuleViolation("That place is not on this stay's site.", code="place-not-on-site")
    group = await uow.stays.open_in_group(stay.group_id)
    now = uow.clock.now()
    moved = floor.move(stay, place, group, now)
    return Placed(floor, moved, now)


async def record_turnaway(command: c.RecordTurnaway, actor: Actor, uow: BedsUnitOfWork) -> TurnawayState:
    floor = await site_floor(uow, command, command.site_id)
    verdict(command, actor, floor.site)
    turnaway = floor.record_turnaway(
        command.party, command.needs, command.reason, now=uow.clock.now(), team_id=actor.team_id
    )
    return TurnawayState(turnaway, floor.site)


async def confirm_presence(command: c.ConfirmPresence, actor: Actor, uow: BedsUnitOfWork) -> Placed:
    """Every stay named must be open at this site; otherwise nothing is confirmed (422)."""
    floor = await site_floor(uow, command, command.site_id)
    verdict(command, actor, floor.site)
    stays = [await uow.stays.get(stay_id, fresh=True) for stay_id in dict.fromkeys(command.stay_ids)]
    if any(s is None or s.site_id != floor.site.id or not s.open for s in stays):
        raise RuleViolation(
            "Every stay of a roll call is open at this site; see the board for who is here.",
            code="stay-not-here",
        )
    now = uow.clock.now()
    seen = [s for s in stays if s is not None]
    for stay in seen:
        stay.confirm_presence(now)
    return Placed(floor, seen, now)


# -- holds ----------------------------------------------------------------------------------------


async def place_hold(command: c.PlaceHold, actor: Actor, uow: BedsUnitOfWork) -> HoldState:
    floor = await site_floor(uow, command, command.site_id)
    verdict(command, actor, floor.site)
    now = uow.clock.now()
    if actor.role != PLACEMENT_ROLE:  # a referral's hold: intake's own limits apply upstream
        require_room_for_another_hold(await uow.holds.open_counts(actor.subject, actor.team_id, now))
    overridden = await admitted(uow, actor, floor.site, command.person_id, now)
    hold = floor.place_hold(
        command.party,
        command.needs,
        now=now,
        eta_minutes=command.eta_minutes,
        holder=Holder(actor.subject, actor.role, actor.team_id),
        source=command.source or default_source(actor),
        referral_id=command.referral_id,
        person_id=command.person_id,
    )
    if overridden is not None:
        await audit_override(uow, actor, overridden, floor.site, "hold", hold.id)
    return HoldState(hold, floor.hold_places(hold), floor.site)


async def _hold_on_floor(
    uow: BedsUnitOfWork, command: c.ExtendHold | c.CancelHold | c.CheckInFromHold, actor: Actor
) -> tuple[Hold, SiteFloor]:
    hold = await uow.holds.get(command.hold_id)
    if hold is None:
        raise absent(command)
    floor = await site_floor(uow, command, hold.site_id)
    hold = await uow.holds.get(command.hold_id, fresh=True)
    if hold is None:
        raise absent(command)
    verdict(command, actor, floor.site, hold)
    return hold, floor


async def cancel_hold(command: c.CancelHold, actor: Actor, uow: BedsUnitOfWork) -> HoldState:
    hold, floor = await _hold_on_floor(uow, command, actor)
    places = floor.hold_places(hold)
    floor.release_hold(hold, uow.clock.now(), "cancelled")
    return HoldState(hold, places, floor.site)


async def extend_hold(command: c.ExtendHold, actor: Actor, uow: BedsUnitOfWork) -> HoldState:
    hold, floor = await _hold_on_floor(uow, command, actor)
    hold.extend(floor.site, command.minutes, uow.clock.now())
    return HoldState(hold, floor.hold_places(hold), floor.site)


async def check_in_from_hold(command: c.CheckInFromHold, actor: Actor, uow: BedsUnitOfWork) -> Placed:
    hold, floor = await _hold_on_floor(uow, command, actor)
    now = uow.clock.now()
    stays = floor.fulfil_hold(hold, now)
    return Placed(floor, stays, now)
