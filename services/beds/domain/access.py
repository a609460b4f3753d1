"""Who may do what in beds, in one table: for every command and query, the roles that may call
it at all (403 otherwise, checked by the bus before anything is loaded) and the rule that applies
once the site — and the hold or stay — is loaded. A rule answers `allow`, `public` (the site may
be shown, but only what is public anyway), `forbid` (403: the caller sees the site but may not do
this there) or `hide` (404, answered exactly like an absent object: survivors of violence are at
risk of being found, and "it exists but not for you" would tell where they are).

The visibility of a site itself is the rule every service shares (`common.visibility`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from common.access_table import AccessTable
from common.errors import Forbidden
from common.visibility import may_know_site, works_at
from services.beds.domain import commands as c
from services.beds.domain.holds import Hold
from services.beds.domain.sites import Site

Verdict = Literal["allow", "public", "forbid", "hide"]
Record = Literal["site", "board", "stay", "hold", "ledger", "room", "place", "extension_request"]
# Supervisors oversee every site. Admins configure (sites, rooms, places) and see sites as
# configuration, but are not in any entry that reads or changes people's stays and holds.
OVERSEERS = frozenset({"supervisor"})
# The placement consumer's own role: no token can carry it (common.auth.ROLES); it holds and
# releases places for referrals, at confidential sites too (common.visibility).
PLACEMENT_ROLE = "placement"
# Whoever asks for open data, token or not: a role no token carries either.
PUBLIC_ROLE = "public"


@dataclass(frozen=True)
class Actor:
    subject: str
    role: str
    team_id: str | None = None
    site_ids: frozenset[str] = frozenset()

    def works_at(self, site: Site) -> bool:
        return works_at(self.role, self.site_ids, site.id)

    def knows(self, site: Site) -> bool:
        return may_know_site(self.role, self.site_ids, site.id, confidential=site.confidential)


ObjectRule = Callable[[Actor, Site, Hold | None], Verdict]


def known(actor: Actor, site: Site, _: Hold | None) -> Verdict:
    """The site's existence and public facts: everyone who may know the site."""
    return "allow" if actor.knows(site) else "hide"


def shown(actor: Actor, site: Site, _: Hold | None) -> Verdict:
    """A site's page. Staff of other sites see what is public anyway (name, kind, address, free
    counts) so they can send someone on; SPEC 3: a shelter worker sees only their own sites."""
    if not actor.knows(site):
        return "hide"
    if actor.role == "shelter_staff" and not actor.works_at(site):
        return "public"
    return "allow"


def inside(actor: Actor, site: Site, _: Hold | None) -> Verdict:
    """Who is there, the board, the ledger: the site's own staff, overseers, and crisis teams at
    crisis sites (where they place people). Everyone else: as if it did not exist."""
    if actor.role in OVERSEERS or actor.works_at(site) or (actor.role == "crisis_team" and site.crisis):
        return "allow" if actor.knows(site) else "hide"
    return "hide"


def at_the_door(actor: Actor, site: Site, _: Hold | None) -> Verdict:
    """Checking people in: the site's staff; crisis teams at crisis sites."""
    if actor.works_at(site) or (actor.role == "crisis_team" and site.crisis):
        return "allow"
    return "forbid" if actor.knows(site) else "hide"


def holder_or_inside(actor: Actor, site: Site, hold: Hold | None) -> Verdict:
    """A hold: whoever placed it (the same team, or the same token), the site's staff, overseers."""
    if not actor.knows(site) or hold is None:
        return "hide"
    same_team = hold.holder_team_id is not None and hold.holder_team_id == actor.team_id
    if actor.role in OVERSEERS or actor.works_at(site) or same_team or hold.holder_subject == actor.subject:
        return "allow"
    return "hide"


def holder_at_the_door(actor: Actor, site: Site, hold: Hold | None) -> Verdict:
    seen = holder_or_inside(actor, site, hold)
    return at_the_door(actor, site, hold) if seen == "allow" else seen


@dataclass(frozen=True)
class Access:
    roles: frozenset[str]
    rule: ObjectRule
    record: Record  # what a hidden object answers like when absent, and what an audit names
    audited: bool = False  # every read of a confidential site's record leaves an audit entry


def _access(roles: str, rule: ObjectRule, record: Record, *, audited: bool = False) -> Access:
    return Access(frozenset(roles.split()), rule, record, audited)


# The roles are exactly those named: admin passes no entry it is not in (it is kept to
# configuration — sites, rooms, places — and never checks anybody in or reads a stay or hold).
EVERYONE = "shelter_staff patrol crisis_team supervisor"
ADMIN = "admin"

ACCESS: dict[type, Access] = {
    c.OpenSite: _access(ADMIN, known, "site"),
    c.UpdateSite: _access(ADMIN, known, "site"),
    c.RetireSite: _access(ADMIN, known, "site"),
    c.AddRoom: _access(ADMIN, known, "site"),
    c.UpdateRoom: _access(ADMIN, known, "room"),
    c.RetireRoom: _access(ADMIN, known, "room"),
    c.RetirePlace: _access(ADMIN, known, "place"),
    c.DeletePlace: _access(ADMIN, known, "place"),
    c.SwitchColdWeather: _access("supervisor", known, "site"),
    c.TakeOutOfService: _access("shelter_staff supervisor", inside, "place"),
    c.PutBackInService: _access("shelter_staff supervisor", inside, "place"),
    c.CheckIn: _access("shelter_staff crisis_team", at_the_door, "site"),
    c.ScanCard: _access("shelter_staff crisis_team", at_the_door, "site"),
    c.CheckOut: _access("shelter_staff crisis_team", inside, "stay"),
    c.ExtendStay: _access("supervisor", inside, "stay"),
    # Asking is for those who placed the family or keep the door; deciding is an override.
    c.RequestExtension: _access("shelter_staff crisis_team", inside, "stay"),
    c.DecideExtension: _access("supervisor", inside, "extension_request"),
    c.ListExtensionRequests: _access("crisis_team supervisor", inside, "extension_request", audited=True),
    c.ConfirmPresence: _access("shelter_staff crisis_team", inside, "site"),
    c.MoveStay: _access("shelter_staff crisis_team supervisor", inside, "stay"),
    c.RecordTurnaway: _access("shelter_staff crisis_team", at_the_door, "site"),
    c.CountUnmetDemand: _access("supervisor", inside, "site"),
    c.PlaceHold: _access("patrol crisis_team shelter_staff placement", known, "site"),
    c.ExtendHold: _access(EVERYONE, holder_or_inside, "hold"),
    c.CancelHold: _access(f"{EVERYONE} placement", holder_or_inside, "hold"),
    c.CheckInFromHold: _access("shelter_staff crisis_team", holder_at_the_door, "hold"),
    c.ListSites: _access(f"{EVERYONE} {ADMIN}", known, "site"),
    c.GetSite: _access(f"{EVERYONE} {ADMIN}", shown, "site", audited=True),
    c.GetBoard: _access("shelter_staff supervisor", inside, "board", audited=True),
    c.GetStay: _access("shelter_staff crisis_team supervisor", inside, "stay", audited=True),
    c.GetHold: _access(EVERYONE, holder_or_inside, "hold", audited=True),
    c.GetLedger: _access("shelter_staff supervisor", inside, "ledger", audited=True),
    # Reports: aggregates over every site (confidential ones too, by id and kind only) for the
    # supervisors who publish them; admins as everywhere. A confidential site named by
    # `site_id` is a read of its ledger, and audited like one.
    c.GetReportSummary: _access("supervisor", known, "ledger", audited=True),
    c.GetBedNights: _access("supervisor", known, "ledger"),
    c.GetOpenCapacity: _access(PUBLIC_ROLE, known, "site"),
    c.FindAvailability: _access(EVERYONE, known, "site"),
    c.ListPlacements: _access("crisis_team supervisor", inside, "stay", audited=True),
    c.RecordRead: _access(f"{EVERYONE} {ADMIN}", known, "site"),
}

ABSENT: dict[Record, tuple[str, str]] = {
    "site": ("There is no site with this id.", "site-not-found"),
    "board": ("There is no site with this id.", "site-not-found"),
    "ledger": ("There is no site with this id.", "site-not-found"),
    "stay": ("There is no stay with this id.", "stay-not-found"),
    "hold": ("There is no hold with this id.", "hold-not-found"),
    "room": ("There is no room with this id.", "room-not-found"),
    "place": ("There is no place with this id.", "place-not-found"),
    "extension_request": ("There is no extension request with this id.", "extension-request-not-found"),
}


TABLE = AccessTable(ACCESS, ABSENT)
access_to = TABLE.entry
absent = TABLE.absent


def may_call(message: object, actor: Actor) -> None:
    """The role part of the table: before anything is loaded (403)."""
    TABLE.may_call(message, actor.role)


def verdict(message: object, actor: Actor, site: Site, hold: Hold | None = None) -> Verdict:
    """The object part of the table, once the site is loaded: 404 like absent, or 403."""
    found = access_to(message).rule(actor, site, hold)
    if found == "hide":
        raise absent(message)
    if found == "forbid":
        raise Forbidden("Only this site's staff (or a crisis team, at a crisis site) may do this here.")
    return found


def sees_confidential_sites_in_search(actor: Actor) -> bool:
    """Nearest-place search offers confidential sites to crisis teams only (SPEC 8): they are
    the ones who bring survivors there."""
    return actor.role == "crisis_team"
