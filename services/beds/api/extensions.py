"""Extension requests: a crisis team (or the site's staff) asks a supervisor to extend a stay
past its limit; supervisors list what is pending and grant or refuse (audited)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from common.access_table import sends
from common.pagination import Limit, Offset
from services.beds.api import urls
from services.beds.api.dependencies import Dispatch
from services.beds.api.schemas import ExtensionDecisionIn, ExtensionRequestIn
from services.beds.domain import commands as c
from services.beds.service_layer import read_models as rm
from services.beds.service_layer import results as r
from services.beds.service_layer import views


class ExtensionsController(Controller):
    tags = ["stays"]

    @post(
        urls.STAY_EXTENSION_REQUESTS,
        opt=sends(c.RequestExtension),
        status_code=201,
        summary="Ask a supervisor to extend a stay (and its family's) past the limit; one pending per family",
    )
    async def ask(
        self, stay_id: FromPath[str], data: JSONBody[ExtensionRequestIn], bus: NamedDependency[Dispatch]
    ) -> Response[rm.ExtensionRequestView]:
        command = c.RequestExtension(stay_id=stay_id, days=data.days, reason=data.reason)
        return await bus.write(command, views.extension_state, result_type=rm.ExtensionRequestView)

    @get(
        urls.EXTENSION_REQUESTS,
        opt=sends(c.ListExtensionRequests),
        summary="Extension requests, oldest first: a supervisor's all, a team's its own",
    )
    async def listed(
        self,
        bus: NamedDependency[Dispatch],
        status: Annotated[rm.ExtensionStatus | None, QueryParameter(description="only these")] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> rm.ExtensionRequestPage:
        def page(found: r.ExtensionRequests) -> rm.ExtensionRequestPage:
            items = [views.extension_request(request) for request in found.requests]
            return rm.ExtensionRequestPage(items, found.total, limit, offset)

        return await bus.read(c.ListExtensionRequests(status=status, limit=limit, offset=offset), page)

    @post(
        urls.EXTENSION_REQUEST_DECISION,
        opt=sends(c.DecideExtension),
        status_code=200,
        summary="Grant (the stay is extended as by a direct extension) or refuse with a note (supervisor)",
    )
    async def decide(
        self, request_id: FromPath[str], data: JSONBody[ExtensionDecisionIn], bus: NamedDependency[Dispatch]
    ) -> Response[rm.ExtensionRequestView]:
        command = c.DecideExtension(request_id=request_id, grant=data.grant, note=data.note)
        return await bus.write(
            command, views.extension_state, result_type=rm.ExtensionRequestView, status=200
        )
