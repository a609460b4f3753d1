"""Which sites a caller may know exist, in one place for every service. Survivors of violence are
at risk of being found: a confidential site is invisible (answered like an absent one) to
everyone but crisis teams, supervisors, admins and the site's own staff. A token's `sites` claim
only means "works there" for shelter staff; a patrol token carrying `--site` sees no more."""

from __future__ import annotations

from collections.abc import Collection

# `placement`: beds' placement consumer, which places DV referrals at confidential sites; no
# token can carry that role (common.auth.ROLES).
CONFIDENTIAL_READERS = frozenset({"crisis_team", "supervisor", "admin", "placement"})


def works_at(role: str, site_ids: Collection[str], site_id: str) -> bool:
    return role == "shelter_staff" and site_id in site_ids


def may_know_site(role: str, site_ids: Collection[str], site_id: str, *, confidential: bool) -> bool:
    if not confidential:
        return True
    return role in CONFIDENTIAL_READERS or works_at(role, site_ids, site_id)
