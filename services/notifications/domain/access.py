"""Who may do what in notifications, in one table: the roles that may send each command or query
(403 before anything is loaded), and the object rule once the team or alert is known. A team is
"the caller's" when the token's team claim names it; another team's alerts answer like absent
ones (404), as beds does for sites the caller may not see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from common.access_table import AccessTable
from services.notifications.domain import commands as c

Record = Literal["team", "alert", "channel"]
# Admins set teams and channels up; the alerts themselves (and the feed) are the teams' and the
# supervisors' only.
OVERSEERS = frozenset({"supervisor"})


@dataclass(frozen=True)
class Actor:
    subject: str
    role: str
    team_id: str | None = None

    def is_of(self, team_id: str) -> bool:
        return self.team_id is not None and self.team_id == team_id


ObjectRule = Callable[[Actor, str], bool]


def anyone(_: Actor, __: str) -> bool:
    return True


def own_team(actor: Actor, team_id: str) -> bool:
    return actor.is_of(team_id)


def own_team_or_overseer(actor: Actor, team_id: str) -> bool:
    return actor.role in OVERSEERS or actor.is_of(team_id)


@dataclass(frozen=True)
class Access:
    roles: frozenset[str]
    rule: ObjectRule  # applied to the team the message is about
    record: Record


TEAMS = "shelter_staff patrol crisis_team supervisor"
ADMIN = "admin"


def _access(roles: str, rule: ObjectRule, record: Record) -> Access:
    return Access(frozenset(roles.split()), rule, record)


ACCESS: dict[type, Access] = {
    c.CreateTeam: _access(ADMIN, anyone, "team"),
    c.AddChannel: _access(ADMIN, anyone, "team"),
    c.RemoveChannel: _access(ADMIN, anyone, "channel"),
    c.ListChannels: _access(ADMIN, anyone, "team"),
    c.ListTeams: _access("supervisor admin", anyone, "team"),
    c.SetTeamStatus: _access(TEAMS, own_team, "team"),
    c.ListAlerts: _access(TEAMS, own_team_or_overseer, "team"),
    c.AckAlert: _access(TEAMS, own_team, "alert"),
    c.FollowFeed: _access(TEAMS, own_team_or_overseer, "team"),
}

ABSENT: dict[Record, tuple[str, str]] = {
    "team": ("There is no team with this id.", "team-not-found"),
    "alert": ("There is no alert with this id.", "alert-not-found"),
    "channel": ("There is no channel with this id.", "channel-not-found"),
}


TABLE = AccessTable(ACCESS, ABSENT)
access_to = TABLE.entry
absent = TABLE.absent


def may_call(message: object, actor: Actor) -> None:
    """The role part of the table: before anything is loaded (403)."""
    TABLE.may_call(message, actor.role)


def check_team_access(message: object, actor: Actor, team_id: str) -> None:
    """Once the team is known: another team's things answer exactly like absent ones."""
    if not access_to(message).rule(actor, team_id):
        raise absent(message)
