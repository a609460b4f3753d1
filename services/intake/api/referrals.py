"""Referrals and people: thin controllers that build a command or query and hand it to the bus."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from common.access_table import sends
from services.intake.api import urls
from services.intake.api.dependencies import Dispatch
from services.intake.api.schemas import ReferralIn, RestrictionIn
from services.intake.domain import commands as c
from services.intake.domain.referrals import Status
from services.intake.service_layer import read_models as rm
from services.intake.service_layer import views
from services.intake.service_layer.referrals import MAX_PAGE


class ReferralsController(Controller):
    tags = ["referrals"]

    @post(
        urls.REFERRALS,
        opt=sends(c.CreateReferral),
        status_code=202,
        summary="Refer a party: beds places it; follow its status here (202 {id, status: pending})",
    )
    async def create(
        self, data: JSONBody[ReferralIn], bus: NamedDependency[Dispatch]
    ) -> Response[rm.Accepted]:
        return await bus.write(data.command(), views.accepted, result_type=rm.Accepted, status=202)

    @get(
        urls.REFERRALS,
        opt=sends(c.ListReferrals),
        summary="Referrals of the caller's team (supervisors: any team), newest first",
    )
    async def listed(
        self,
        bus: NamedDependency[Dispatch],
        status: Annotated[Status | None, QueryParameter()] = None,
        team_id: Annotated[str | None, QueryParameter(min_length=1, max_length=64)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> rm.ReferralPage:
        query = c.ListReferrals(status=status, team_id=team_id, limit=limit, offset=offset)
        return await bus.read(query, views.referral_page)

    @get(
        urls.REFERRAL,
        opt=sends(c.GetReferral),
        summary="One referral and where it stands (its team, supervisors)",
    )
    async def show(
        self,
        referral_id: FromPath[str],
        bus: NamedDependency[Dispatch],
        reason: Annotated[
            str | None,
            QueryParameter(min_length=1, max_length=200, description="why the record is opened (audited)"),
        ] = None,
    ) -> rm.ReferralView:
        return await bus.read(c.GetReferral(referral_id=referral_id, reason=reason), views.referral)

    @post(
        urls.REFERRAL_CANCEL,
        opt=sends(c.CancelReferral),
        status_code=200,
        summary="Cancel a referral; its hold is released (its team)",
    )
    async def cancel(self, referral_id: FromPath[str], bus: NamedDependency[Dispatch]) -> Response[rm.Done]:
        return await bus.write(
            c.CancelReferral(referral_id=referral_id), views.cancelled, result_type=rm.Done
        )


class PeopleController(Controller):
    tags = ["people"]

    @post(
        urls.PERSON_ANONYMISE,
        opt=sends(c.AnonymisePerson),
        status_code=200,
        summary="Erase a person's personal fields for good; ids and coded facts stay (supervisor)",
    )
    async def anonymise(self, person_id: FromPath[str], bus: NamedDependency[Dispatch]) -> Response[rm.Done]:
        return await bus.write(c.AnonymisePerson(person_id=person_id), views.anonymised, result_type=rm.Done)

    @post(
        urls.PERSON_CARD,
        opt=sends(c.IssueCard),
        status_code=201,
        summary="Issue an express check-in card (a QR of an opaque token, no name); the last one stops",
    )
    async def issue_card(
        self, person_id: FromPath[str], bus: NamedDependency[Dispatch]
    ) -> Response[rm.CardView]:
        return await bus.write(
            c.IssueCard(person_id=person_id), views.card, result_type=rm.CardView, status=201
        )

    @get(
        urls.PERSON_CARD,
        opt=sends(c.GetCard),
        summary="The person's card, printable: a PNG QR code of its token (staff, supervisor)",
        media_type="image/png",
        response_description="image/png: the QR code of the card's token",
    )
    async def card(self, person_id: FromPath[str], bus: NamedDependency[Dispatch]) -> Response[bytes]:
        png = await bus.read(c.GetCard(person_id=person_id), views.card_png)
        return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})

    @post(
        urls.PERSON_CARD_REVOKE,
        opt=sends(c.RevokeCard),
        status_code=200,
        summary="Revoke the person's card: a scan finds nobody",
    )
    async def revoke_card(
        self, person_id: FromPath[str], bus: NamedDependency[Dispatch]
    ) -> Response[rm.CardView]:
        return await bus.write(
            c.RevokeCard(person_id=person_id), views.card, result_type=rm.CardView, status=200
        )

    @post(
        urls.PERSON_RESTRICTIONS,
        opt=sends(c.RestrictPerson),
        status_code=201,
        summary="Restrict a person from a site or all sites until a date, for a coded reason (supervisor)",
    )
    async def restrict(
        self, person_id: FromPath[str], data: JSONBody[RestrictionIn], bus: NamedDependency[Dispatch]
    ) -> Response[rm.RestrictionView]:
        command = c.RestrictPerson(
            person_id=person_id, until=data.until, reason=data.reason, site_id=data.site_id
        )
        return await bus.write(command, views.restriction, result_type=rm.RestrictionView, status=201)
