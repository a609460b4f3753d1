"""Who hears what, in one table: for every event notifications consumes, the alert kind it
becomes and the audience that hears it. `recipients` turns an audience into teams; it is pure,
given the teams, so the table is tested without a database.

SPEC 5: the team that made a referral hears everything about it; a site's staff hear about
people on the way, overflow and over capacity; crisis teams and supervisors hear stay limits;
every patrol hears cold-weather mode and "beds free again" — at a site a patrol may know of.

The referring team hears every step of its referral, from intake (received, cancelled) and
from beds (placed, waitlisted, offered, its hold ending or lapsed, arrived, released, the wait
lapsed). What it is told of a DV referral, or of one held at a confidential site, is "crisis
room" and the referral's id: no site id either, since the team that referred may be a patrol,
which never learns of a confidential site."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from contracts import Event
from contracts.events import beds as ev
from contracts.events import intake as iv
from services.notifications.domain.alerts import AlertFacts, AlertKind
from services.notifications.domain.teams import Team

Audience = Literal["site_staff", "crisis_and_supervisors", "patrols", "holder_team", "referring_team"]


@dataclass(frozen=True)
class Route:
    kind: AlertKind
    audience: Audience
    facts: Callable[[Any], AlertFacts]


def _site(e: Any, **more: Any) -> AlertFacts:
    return AlertFacts(site_id=e.site_id, confidential=e.confidential, **more)


def _party(e: Any) -> int:
    return int(e.party.adults + e.party.children)


def _for_referrer(e: Any, **more: Any) -> AlertFacts:
    """A referral's facts as its team may hear them: a DV one, or one at a confidential site,
    keeps no site at all (its text then says "crisis room" and the referral's id only)."""
    needs = getattr(e, "needs", None)
    hidden = bool(getattr(e, "confidential", False)) or bool(needs is not None and needs.dv)
    site = None if hidden else getattr(e, "site_id", None)
    if hidden:
        more = {k: v for k, v in more.items() if k not in ("party_size", "due_at")}
    return AlertFacts(site_id=site, confidential=hidden, subject_id=e.referral_id, **more)


def _referral_hold(kind: AlertKind, **facts: Callable[[Any], Any]) -> Route:
    """A hold event, as the team whose referral the hold serves hears it. Put before the holder's
    route: for a referral's hold the two are the same team, and it hears the referral's kind."""
    return Route(kind, "referring_team", lambda e: _for_referrer(e, **{k: f(e) for k, f in facts.items()}))


ROUTES: dict[type[Event], tuple[Route, ...]] = {
    ev.HoldPlaced: (
        Route(
            "on_the_way",
            "site_staff",
            lambda e: _site(
                e,
                subject_id=e.hold_id,
                party_size=_party(e),
                due_at=e.expires_at,
                holder_team_id=e.holder_team_id,
            ),
        ),
        _referral_hold("referral_placed", party_size=_party, due_at=lambda e: e.expires_at),
    ),
    ev.HoldExpiring: (
        _referral_hold("referral_expiring", due_at=lambda e: e.expires_at),
        Route("hold_expiring", "holder_team", lambda e: _site(e, subject_id=e.hold_id, due_at=e.expires_at)),
    ),
    ev.HoldExpired: (
        _referral_hold("referral_expired"),
        Route("hold_expired", "holder_team", lambda e: _site(e, subject_id=e.hold_id)),
    ),
    ev.HoldFulfilled: (_referral_hold("referral_arrived"),),
    ev.HoldCancelled: (_referral_hold("referral_released"),),
    ev.OverflowStarted: (Route("overflow", "site_staff", lambda e: _site(e, count=e.mats_used)),),
    ev.OverCapacity: (Route("over_capacity", "site_staff", lambda e: _site(e, count=e.over_capacity)),),
    ev.StayLimitApproaching: (
        Route(
            "stay_limit_approaching",
            "crisis_and_supervisors",
            lambda e: _site(e, subject_id=e.stay_id, due_at=e.limit_at),
        ),
    ),
    ev.StayLimitReached: (
        Route(
            "stay_limit_reached",
            "crisis_and_supervisors",
            lambda e: _site(e, subject_id=e.stay_id, due_at=e.limit_at),
        ),
    ),
    ev.ColdWeatherSwitchedOn: (Route("cold_weather", "patrols", lambda e: _site(e, count=e.mats_total)),),
    ev.BedsFreeAgain: (Route("beds_free_again", "patrols", lambda e: _site(e, count=e.free_beds)),),
    ev.ReferralWaitlisted: (
        Route("referral_waitlisted", "referring_team", lambda e: _for_referrer(e, count=e.position)),
    ),
    ev.ReferralOffered: (
        Route("referral_offered", "referring_team", lambda e: _for_referrer(e, party_size=_party(e))),
    ),
    ev.ReferralWaitlistExpired: (Route("referral_expired", "referring_team", _for_referrer),),
    iv.ReferralCreated: (
        Route("referral_received", "referring_team", lambda e: _for_referrer(e, party_size=_party(e))),
    ),
    iv.ReferralCancelled: (Route("referral_cancelled", "referring_team", _for_referrer),),
}


def _referrer(event: Any) -> str | None:
    if getattr(event, "referral_id", None) is None:
        return None
    team: str | None = getattr(event, "team_id", None) or getattr(event, "holder_team_id", None)
    return team


def recipients(audience: Audience, event: Any, facts: AlertFacts, teams: Iterable[Team]) -> list[Team]:
    if audience == "site_staff":
        return [t for t in teams if t.kind == "shelter_staff" and facts.site_id in t.site_ids]
    if audience == "crisis_and_supervisors":
        return [t for t in teams if t.kind in ("mobile_crisis", "supervisors")]
    if audience == "patrols":
        # a patrol never learns of a confidential site, not even that it has room
        return [] if facts.confidential else [t for t in teams if t.kind == "patrol"]
    if audience == "holder_team":
        holder = getattr(event, "holder_team_id", None)
        return [t for t in teams if holder is not None and t.id == holder]
    referrer = _referrer(event)
    return [t for t in teams if referrer is not None and t.id == referrer]


@dataclass(frozen=True)
class Routed:
    kind: AlertKind
    team: Team
    facts: AlertFacts


def route(event: Event, teams: list[Team]) -> list[Routed]:
    """Every (kind, team) this event makes an alert for; one per team even if two routes meet."""
    found: dict[str, Routed] = {}
    for r in ROUTES.get(type(event), ()):
        facts = r.facts(event)
        for team in recipients(r.audience, event, facts, teams):
            found.setdefault(team.id, Routed(r.kind, team, facts))
    return list(found.values())
