"""Extension requests: asked by the crisis team (or the site's staff), answered by a
supervisor. A grant runs the supervisor's own extension (`booking.extend_stay`), so the limit,
its event and its audit entries are exactly those of a direct extension; the request itself
leaves an audit entry when asked and when answered."""

from __future__ import annotations

from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.domain import commands as c
from services.beds.domain.access import OVERSEERS, Actor, absent, access_to, verdict
from services.beds.domain.extensions import ask_for_extension
from services.beds.domain.sites import new_id
from services.beds.service_layer.booking import extend_stay, site_floor
from services.beds.service_layer.results import ExtensionRequests, ExtensionState


async def request_extension(command: c.RequestExtension, actor: Actor, uow: BedsUnitOfWork) -> ExtensionState:
    stay = await uow.stays.get(command.stay_id)
    if stay is None:
        raise absent(command)
    floor = await site_floor(uow, command, stay.site_id)  # the site's lock: one request at a time
    verdict(command, actor, floor.site)
    stay = await uow.stays.get(command.stay_id, fresh=True)
    if stay is None:
        raise absent(command)
    now = uow.clock.now()
    request = ask_for_extension(
        new_id(),
        stay,
        command.days,
        command.reason,
        by=actor.subject,
        team_id=actor.team_id,
        pending=await uow.extension_requests.pending_for_group(stay.group_id),
        now=now,
    )
    await uow.extension_requests.add(request)
    await uow.audit(
        actor=actor.subject,
        actor_role=actor.role,
        action="stay.extension_requested",
        object_type="stay",
        object_id=stay.id,
        reason=request.reason,
        detail={"request_id": request.id, "days": request.days, "group_id": stay.group_id},
    )
    return ExtensionState(request, floor.site, stay.limit_at)


async def decide_extension(command: c.DecideExtension, actor: Actor, uow: BedsUnitOfWork) -> ExtensionState:
    found = await uow.extension_requests.get(command.request_id)
    if found is None:
        raise absent(command)
    floor = await site_floor(uow, command, found.site_id)
    verdict(command, actor, floor.site)
    request = await uow.extension_requests.get(command.request_id)  # re-read under the site's lock
    if request is None:
        raise absent(command)
    now = uow.clock.now()
    request.decide(grant=command.grant, by=actor.subject, note=command.note, now=now)
    await uow.extension_requests.save_decision(request)
    limit_at = None
    if command.grant:
        extension = c.ExtendStay(stay_id=request.stay_id, days=request.days, reason=request.reason)
        limit_at = (await extend_stay(extension, actor, uow)).stay.limit_at
    else:
        stay = await uow.stays.get(request.stay_id)
        limit_at = stay.limit_at if stay else None
    await uow.audit(
        actor=actor.subject,
        actor_role=actor.role,
        action=f"stay.extension_{request.status}",
        object_type="stay",
        object_id=request.stay_id,
        reason=request.note,
        detail={"request_id": request.id, "days": request.days, "group_id": request.group_id},
    )
    return ExtensionState(request, floor.site, limit_at)


async def list_extension_requests(
    query: c.ListExtensionRequests, actor: Actor, uow: BedsUnitOfWork
) -> ExtensionRequests:
    rule = access_to(query).rule
    sites = [site for site in await uow.reads.sites() if rule(actor, site, None) == "allow"]
    overseer = actor.role in OVERSEERS
    if not overseer and actor.team_id is None:
        return ExtensionRequests(sites, [], 0)  # a team's token without a team asked nothing
    requests, total = await uow.extension_requests.listed(
        [site.id for site in sites],
        team_id=None if overseer else actor.team_id,
        status=query.status,
        limit=query.limit,
        offset=query.offset,
    )
    return ExtensionRequests(sites, requests, total)
