"""`/board/{site_id}`: tonight's board at the door, live. The page and every live update are
rendered from one template fragment, so the board reads the same on first load and after a
change; the browser only swaps it in. Writes (check-in, check-out, cold weather) go from the
page's script to the JSON API, with the cookie and the CSRF header."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import ServerSentEvent, ServerSentEventMessage

from common.auth import Principal
from common.waiting import rung
from services.beds.adapters.board_signals import BoardSignals
from services.beds.domain import commands as c
from services.beds.pages import urls
from services.beds.pages.frame import Pages, actor, language, render, signed_in
from services.beds.service_layer import read_models as rm
from services.beds.service_layer import results as r
from services.beds.service_layer import views

HEARTBEAT_SECONDS = 15.0
SWITCHES_COLD_WEATHER = frozenset({"supervisor", "admin"})


@dataclass
class StayGroup:
    kind: str  # "room", "mats" or "over_capacity"
    name: str | None
    stays: list[rm.StayView] = field(default_factory=list)


@dataclass
class BoardPage:
    board: rm.Board
    site_name: str
    timezone: str
    now: datetime
    groups: list[StayGroup]

    def local(self, when: datetime) -> str:
        return when.astimezone(ZoneInfo(self.timezone)).strftime("%H:%M")

    def seconds_left(self, hold: rm.HoldView) -> int:
        return max(0, int((hold.expires_at - self.now).total_seconds()))


def board_page(state: r.BoardState) -> BoardPage:
    board = views.board(state)
    rooms = sorted(state.floor.rooms.values(), key=lambda room: room.name)
    groups = {room.id: StayGroup("room", room.name) for room in rooms if room.active}
    mats, over = StayGroup("mats", None), StayGroup("over_capacity", None)
    for stay in sorted(board.stays, key=lambda s: (s.place_label or "", s.started_at)):
        if stay.place_kind == "over_capacity":
            over.stays.append(stay)
        elif stay.room_id in groups:
            groups[stay.room_id].stays.append(stay)
        else:
            mats.stays.append(stay)
    shown = [*groups.values(), *(g for g in (mats, over) if g.stays)]
    return BoardPage(board, state.site.name, state.site.timezone, state.now, shown)


async def read_board(pages: Pages, principal: Principal, site_id: str) -> BoardPage:
    return await pages.bus.ask(c.GetBoard(site_id=site_id), actor(principal), board_page)


def fragment(request: Request[Any, Any, Any], page: BoardPage, principal: Principal) -> str:
    engine = request.app.template_engine
    assert engine is not None
    template = engine.get_template("_board.html")
    return str(
        template.render(
            page=page,
            lang=language(request),
            request=request,
            may_switch=principal.role in SWITCHES_COLD_WEATHER,
        )
    )


class BoardPages(Controller):
    include_in_schema = False

    @get(urls.BOARD_WORKER, media_type="text/javascript")
    async def worker(self) -> Response[bytes]:
        # Served from /board/ (not /static/) so that its scope may cover every board.
        script = (files("services.beds.pages") / "static" / "worker.js").read_bytes()
        return Response(script, media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    @get(urls.BOARD)
    async def board(self, request: Request[Any, Any, Any], site_id: FromPath[str]) -> Response[Any]:
        pages: Pages = request.app.state.pages
        principal = signed_in(request, pages)
        page = await read_board(pages, principal, site_id)
        return render(
            request,
            pages,
            "board.html",
            user=principal,
            page=page,
            may_switch=principal.role in SWITCHES_COLD_WEATHER,
        )

    @get(urls.BOARD_LIVE)
    async def live(self, request: Request[Any, Any, Any], site_id: FromPath[str]) -> ServerSentEvent:
        pages: Pages = request.app.state.pages
        signals: BoardSignals = request.app.state.board_signals
        principal = signed_in(request, pages)
        first = fragment(request, await read_board(pages, principal, site_id), principal)

        async def updates() -> AsyncIterator[ServerSentEventMessage]:
            shown = first
            async with signals.watch(site_id) as changed:
                yield ServerSentEventMessage(data=shown, event="board")
                while True:
                    if not await rung(changed, HEARTBEAT_SECONDS):
                        yield ServerSentEventMessage(comment="heartbeat")
                        continue
                    changed.clear()
                    html = fragment(request, await read_board(pages, principal, site_id), principal)
                    if html != shown:
                        shown = html
                        yield ServerSentEventMessage(data=html, event="board")

        return ServerSentEvent(updates(), retry_duration=2000, headers={"Cache-Control": "no-store"})
