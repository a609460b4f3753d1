"""Who may do what, read from the one access table: the role part (403 before anything is
loaded) and the object part (404 exactly like an absent object, or 403 at a site the caller
may see but not act at)."""

from __future__ import annotations

from datetime import datetime

import pytest

from common.errors import Forbidden, NotFound
from common.visibility import may_know_site
from services.beds.domain import commands as c
from services.beds.domain.access import ABSENT, ACCESS, Actor, may_call, verdict
from services.beds.domain.party import Party
from tests.unit.beds.builders import PATROL, crisis_room, hold, night_shelter, room, site

PERSON = Party(1, 0, "female")
BY_ROLE = {
    "patrol": Actor(subject=PATROL.subject, role="patrol", team_id=PATROL.team_id),
    "crisis_team": Actor(subject="crisis-1", role="crisis_team", team_id="team-mobile-1"),
    "supervisor": Actor(subject="boss", role="supervisor"),
    "admin": Actor(subject="root", role="admin"),
}
PATROL_ACTOR, CRISIS_TEAM, SUPERVISOR, ADMIN = BY_ROLE.values()


def staff_of(*site_ids: str) -> Actor:
    return Actor(subject="staff-1", role="shelter_staff", team_id="team-staff", site_ids=frozenset(site_ids))


def test_every_command_and_query_has_an_entry_in_the_access_table() -> None:
    messages = [
        m
        for m in vars(c).values()
        if isinstance(m, type) and issubclass(m, c.Command | c.Query) and m not in (c.Command, c.Query)
    ]
    assert sorted(m.__name__ for m in messages) == sorted(m.__name__ for m in ACCESS)
    assert {access.record for access in ACCESS.values()} <= set(ABSENT)


CONFIGURATION = {
    c.OpenSite, c.UpdateSite, c.RetireSite, c.AddRoom, c.UpdateRoom, c.RetireRoom, c.RetirePlace,
    c.DeletePlace, c.ListSites, c.GetSite, c.RecordRead,
}  # fmt: skip


def test_admin_is_kept_to_configuration() -> None:
    """Found when tried from outside: admin passed every role guard and checked people in."""
    assert {message for message, access in ACCESS.items() if "admin" in access.roles} == CONFIGURATION
    for message in (c.CheckIn(site_id="s", party=PERSON), c.GetBoard(site_id="s"), c.GetStay(stay_id="s")):
        with pytest.raises(Forbidden):
            may_call(message, ADMIN)


def test_the_wrong_role_is_refused_before_anything_is_loaded() -> None:
    with pytest.raises(Forbidden):
        may_call(c.OpenSite(name="x", kind="night_shelter", lat=0, lon=0, address="x"), SUPERVISOR)
    with pytest.raises(Forbidden):
        may_call(c.CheckIn(site_id="s", party=PERSON), PATROL_ACTOR)
    with pytest.raises(Forbidden):
        may_call(c.ExtendStay(stay_id="s", days=1, reason="court"), staff_of("s"))
    may_call(c.PlaceHold(site_id="s", party=PERSON), PATROL_ACTOR)
    may_call(c.GetBoard(site_id="s"), staff_of("s"))


def test_patrol_never_sees_a_confidential_site() -> None:
    secret = crisis_room().site
    for message in (c.GetSite(site_id=secret.id), c.PlaceHold(site_id=secret.id, party=PERSON)):
        with pytest.raises(NotFound) as refused:
            verdict(message, PATROL_ACTOR, secret)
        assert refused.value.code == "site-not-found"


def test_a_confidential_shelter_is_as_hidden_as_a_crisis_room() -> None:
    dv_shelter = site("shelter", room(), confidential=True).site
    for outsider in (PATROL_ACTOR, staff_of("another-site")):
        with pytest.raises(NotFound):
            verdict(c.GetSite(site_id=dv_shelter.id), outsider, dv_shelter)


def test_who_sees_a_confidential_site() -> None:
    secret = crisis_room().site
    for actor in (CRISIS_TEAM, SUPERVISOR, ADMIN, staff_of(secret.id)):
        assert verdict(c.GetSite(site_id=secret.id), actor, secret) == "allow", actor.role


def test_a_patrol_token_carrying_a_site_sees_no_more_than_any_patrol_here_and_in_other_services() -> None:
    secret = crisis_room().site
    scoped = Actor(subject="x", role="patrol", site_ids=frozenset({secret.id}))
    with pytest.raises(NotFound):
        verdict(c.GetSite(site_id=secret.id), scoped, secret)
    assert not may_know_site("patrol", {secret.id}, secret.id, confidential=True)
    assert may_know_site("shelter_staff", {secret.id}, secret.id, confidential=True)


def test_staff_see_only_what_is_public_of_another_non_confidential_site() -> None:
    public = night_shelter().site
    assert verdict(c.GetSite(site_id=public.id), staff_of(public.id), public) == "allow"
    assert verdict(c.GetSite(site_id=public.id), staff_of("elsewhere"), public) == "public"
    start, end = datetime(2026, 1, 1).date(), datetime(2026, 1, 2).date()
    for hidden in (c.GetBoard(site_id=public.id), c.GetLedger(site_id=public.id, start=start, end=end)):
        with pytest.raises(NotFound) as refused:
            verdict(hidden, staff_of("elsewhere"), public)
        assert refused.value.code == "site-not-found"
    with pytest.raises(NotFound) as refused:
        verdict(c.GetStay(stay_id="x"), staff_of("elsewhere"), public)
    assert refused.value.code == "stay-not-found"


def test_everyone_sees_a_night_shelter() -> None:
    public = night_shelter().site
    for actor in (PATROL_ACTOR, CRISIS_TEAM, SUPERVISOR):
        assert verdict(c.GetSite(site_id=public.id), actor, public) == "allow"


def test_only_a_sites_own_staff_and_overseers_see_its_board() -> None:
    public = night_shelter().site
    for insider in (staff_of(public.id), SUPERVISOR):
        assert verdict(c.GetBoard(site_id=public.id), insider, public) == "allow"
    with pytest.raises(NotFound):
        verdict(c.GetBoard(site_id=public.id), staff_of("elsewhere"), public)


def test_crisis_teams_check_in_at_crisis_sites_only() -> None:
    assert verdict(c.CheckIn(site_id="s", party=PERSON), CRISIS_TEAM, crisis_room().site) == "allow"
    with pytest.raises(Forbidden):
        verdict(c.CheckIn(site_id="s", party=PERSON), CRISIS_TEAM, night_shelter().site)
    with pytest.raises(Forbidden):
        verdict(c.CheckIn(site_id="s", party=PERSON), staff_of("elsewhere"), night_shelter().site)
    with pytest.raises(NotFound):
        verdict(c.CheckIn(site_id="s", party=PERSON), staff_of("elsewhere"), crisis_room().site)
    assert verdict(c.GetStay(stay_id="s"), SUPERVISOR, crisis_room().site) == "allow"


def test_a_hold_is_managed_by_its_holder_the_sites_staff_and_overseers() -> None:
    floor = night_shelter()
    kept = hold(floor)
    same_team_other_phone = Actor(subject="patrol-officer-2", role="patrol", team_id=PATROL.team_id)
    for actor in (PATROL_ACTOR, same_team_other_phone, staff_of(floor.site.id), SUPERVISOR):
        assert verdict(c.ExtendHold(hold_id=kept.id, minutes=5), actor, floor.site, kept) == "allow"
    other_patrol = Actor(subject="someone-else", role="patrol", team_id="team-patrol-2")
    for message in (c.GetHold(hold_id=kept.id), c.CancelHold(hold_id=kept.id)):
        with pytest.raises(NotFound) as refused:
            verdict(message, other_patrol, floor.site, kept)
        assert refused.value.code == "hold-not-found"
