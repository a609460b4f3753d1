"""Who may see and do what at a site. Survivors of violence are at risk of being found: a
confidential site is invisible (404, not 403) to everyone but crisis teams, supervisors, admins
and the site's own staff."""

from __future__ import annotations

from dataclasses import dataclass

from common.errors import Forbidden, NotFound
from services.beds.domain.holds import Hold
from services.beds.domain.sites import Site

OVERSEERS = frozenset({"supervisor", "admin"})


@dataclass(frozen=True)
class Actor:
    subject: str
    role: str
    team_id: str | None = None
    site_ids: frozenset[str] = frozenset()

    def works_at(self, site: Site) -> bool:
        return self.role == "shelter_staff" and site.id in self.site_ids


def can_see(actor: Actor, site: Site) -> bool:
    if not site.confidential:
        return True
    return actor.role in OVERSEERS or actor.role == "crisis_team" or actor.works_at(site)


def require_visible(actor: Actor, site: Site) -> None:
    if not can_see(actor, site):
        raise NotFound("There is no site with this id.", code="site-not-found")


def _deny(actor: Actor, site: Site, detail: str) -> None:
    require_visible(actor, site)
    raise Forbidden(detail)


def require_overseer_or_staff(actor: Actor, site: Site) -> None:
    """The board and the ledger: the site's own staff, supervisors, admins."""
    if actor.role in OVERSEERS or actor.works_at(site):
        return
    _deny(actor, site, "Only this site's staff, supervisors and admins may see this.")


def require_can_check_in(actor: Actor, site: Site) -> None:
    """At the door: the site's staff; crisis teams at crisis sites."""
    if actor.role == "admin" or actor.works_at(site) or (actor.role == "crisis_team" and site.crisis):
        return
    _deny(
        actor, site, "Only this site's staff (or a crisis team, at a crisis site) may check people in or out."
    )


def require_can_see_stays(actor: Actor, site: Site) -> None:
    if actor.role in OVERSEERS:
        require_visible(actor, site)
        return
    require_can_check_in(actor, site)


def require_can_manage_hold(actor: Actor, site: Site, hold: Hold) -> None:
    """The holder (same team, or the same token), the site's staff, supervisors and admins."""
    require_visible(actor, site)
    same_team = hold.holder_team_id is not None and hold.holder_team_id == actor.team_id
    if actor.role in OVERSEERS or actor.works_at(site) or same_team or hold.holder_subject == actor.subject:
        return
    raise NotFound("There is no hold with this id.", code="hold-not-found")
