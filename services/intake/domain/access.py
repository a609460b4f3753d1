"""Who may do what in intake, in one table (the shape of beds' `domain/access.py`): for every
command and query the roles that may call it at all (403, before anything is loaded) and the
rule once the referral is loaded. A referral of another team answers exactly like an absent one:
which referrals exist, and for whom, is itself something a survivor's pursuer could use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from common.access_table import AccessTable
from common.errors import Forbidden
from common.visibility import may_know_site
from services.intake.domain import commands as c
from services.intake.domain.referrals import Referral

Verdict = Literal["allow", "hide"]
Record = Literal["referral", "person", "trip", "card"]
# Admins configure sites and teams elsewhere; nothing here (people, referrals, trips) is theirs.
OVERSEERS = frozenset({"supervisor"})


@dataclass(frozen=True)
class Actor:
    subject: str
    role: str
    team_id: str | None = None
    site_ids: frozenset[str] = frozenset()

    @property
    def oversees(self) -> bool:
        return self.role in OVERSEERS

    def may_see_site_of(self, referral: Referral) -> bool:
        """Where a referral went: hidden from whoever may not know a confidential site exists
        (a patrol, staff of other sites) — even the team that made it."""
        if referral.site_id is None:
            return False
        return may_know_site(
            self.role, self.site_ids, referral.site_id, confidential=referral.site_confidential
        )


ObjectRule = Callable[[Actor, Referral], Verdict]


def nobody_else(_: Actor, __: Referral) -> Verdict:
    return "allow"


def its_team(actor: Actor, referral: Referral) -> Verdict:
    return "allow" if referral.made_by(actor.subject, actor.team_id) else "hide"


def its_team_or_overseer(actor: Actor, referral: Referral) -> Verdict:
    return "allow" if actor.oversees or referral.made_by(actor.subject, actor.team_id) else "hide"


@dataclass(frozen=True)
class Access:
    roles: frozenset[str]
    rule: ObjectRule
    record: Record


def _access(roles: str, rule: ObjectRule, record: Record) -> Access:
    return Access(frozenset(roles.split()), rule, record)


REFERRERS = "patrol crisis_team shelter_staff"
EVERYONE = "patrol crisis_team shelter_staff supervisor"

ACCESS: dict[type, Access] = {
    c.CreateReferral: _access(REFERRERS, nobody_else, "referral"),
    c.CancelReferral: _access(REFERRERS, its_team, "referral"),
    c.GetReferral: _access(EVERYONE, its_team_or_overseer, "referral"),
    c.ListReferrals: _access(EVERYONE, its_team_or_overseer, "referral"),
    c.AnonymisePerson: _access("supervisor", nobody_else, "person"),
    c.RestrictPerson: _access("supervisor", nobody_else, "person"),
    c.IssueCard: _access("shelter_staff supervisor", nobody_else, "person"),
    c.RevokeCard: _access("shelter_staff supervisor", nobody_else, "person"),
    c.GetCard: _access("shelter_staff supervisor", nobody_else, "card"),
    c.RecordPersonRead: _access(EVERYONE, nobody_else, "person"),
    c.RecordTrip: _access("patrol crisis_team", nobody_else, "trip"),
    c.ListTrips: _access(EVERYONE, nobody_else, "trip"),
}

ABSENT: dict[Record, tuple[str, str]] = {
    "referral": ("There is no referral with this id.", "referral-not-found"),
    "person": ("There is no person with this id.", "person-not-found"),
    "trip": ("There is no trip with this id.", "trip-not-found"),
    "card": ("This person has no card; issue one with POST.", "card-not-found"),
}


TABLE = AccessTable(ACCESS, ABSENT)
access_to = TABLE.entry
absent = TABLE.absent


def may_call(message: object, actor: Actor) -> None:
    """The role part of the table: before anything is loaded (403)."""
    TABLE.may_call(message, actor.role)


def verdict(message: object, actor: Actor, referral: Referral) -> None:
    if access_to(message).rule(actor, referral) == "hide":
        raise absent(message)


def team_scope(actor: Actor, asked: str | None) -> str | None:
    """Whose referrals or trips a list shows: overseers any team's (or all); everyone else only
    their own team's, and asking for another team's is refused rather than quietly narrowed."""
    if actor.oversees:
        return asked
    if actor.team_id is None:
        raise Forbidden("This token carries no team; lists are kept per team.", code="no-team")
    if asked is not None and asked != actor.team_id:
        raise Forbidden("You may list only your own team's records.", code="other-team")
    return actor.team_id
