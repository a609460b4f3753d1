"""The clocks of beds: hold warnings and expiry, the morning rollover, stay limits, closing each
night into the ledger, and places back in service when their time out ends. Due work is found in
the database by time (`<= now`), so nothing is lost across restarts, and each item is re-checked
under the site lock before it changes, so a brief overlap of two leaders changes nothing twice."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any

from common.scheduler import ClockJob
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.domain.floor import SiteFloor
from services.beds.domain.nights import night_figures
from services.beds.domain.stays import DEFAULT_ABSENT_NIGHTS, Stay

MAX_NIGHTS_PER_TICK = 50


class BedsClocks:
    def __init__(
        self,
        unit_of_work: Callable[[], BedsUnitOfWork],
        read: Callable[[], BedsUnitOfWork] | None = None,
        *,
        absent_nights: int = DEFAULT_ABSENT_NIGHTS,
    ):
        self.unit_of_work = unit_of_work
        self.read = read or unit_of_work
        self.absent_nights = absent_nights

    async def next_due(self) -> datetime | None:
        async with self.read() as uow:
            return await uow.reads.next_due(self.absent_nights)

    def jobs(self) -> list[ClockJob]:
        return [
            ClockJob("hold_warning", self.warn_holds),
            ClockJob("hold_expiry", self.expire_holds),
            ClockJob("rollover", self.end_stays_at_rollover),
            ClockJob("stay_limit", self.raise_stay_limits),
            ClockJob("night_closed", self.close_nights),
            ClockJob("back_in_service", self.put_places_back_in_service),
            ClockJob("stay_absent", self.notice_absent_stays),
        ]

    async def _nothing_due(self, due: Callable[[BedsUnitOfWork, datetime], Awaitable[list[Any]]]) -> bool:
        """Asked in a read first: on SQLite a write transaction takes the file's write turn, and
        most ticks have nothing to warn of."""
        async with self.read() as uow:
            return not await due(uow, uow.clock.now())

    async def warn_holds(self) -> int:
        if await self._nothing_due(lambda uow, now: uow.holds.due_for_warning(now, limit=1)):
            return 0
        async with self.unit_of_work() as uow:
            now = uow.clock.now()
            warned = 0
            for hold in await uow.holds.due_for_warning(now):
                site = await uow.sites.get(hold.site_id)  # the session's identity map: one query per site
                if site is not None and hold.warn_if_due(site, now):
                    warned += 1
            await uow.commit()
            return warned

    async def expire_holds(self) -> int:
        async with self.unit_of_work() as uow:
            due = await uow.holds.due_to_expire(uow.clock.now())
        expired = 0
        for hold_id, site_id in due:
            async with self.unit_of_work() as uow:
                now = uow.clock.now()
                floor = await uow.sites.floor(site_id)
                hold = await uow.holds.get(hold_id, fresh=True)
                if floor is None or hold is None or not hold.active or hold.expires_at > now:
                    continue
                floor.release_hold(hold, now, "expired")
                await uow.commit()
                expired += 1
        return expired

    async def _stays_site_by_site(
        self, due: Iterable[tuple[str, str]], change: Callable[[SiteFloor, Stay, datetime], bool]
    ) -> int:
        """Due (stay, site) pairs, one unit of work a site: each stay re-read under its site's lock
        and, if still open, handed to `change`, which says whether it changed it."""
        by_site: dict[str, list[str]] = defaultdict(list)
        for stay_id, site_id in due:
            by_site[site_id].append(stay_id)
        changed = 0
        for site_id, stay_ids in by_site.items():
            async with self.unit_of_work() as uow:
                now = uow.clock.now()
                floor = await uow.sites.floor(site_id)
                if floor is None:
                    continue
                for stay_id in stay_ids:
                    stay = await uow.stays.get(stay_id, fresh=True)
                    if stay is not None and stay.open and change(floor, stay, now):
                        changed += 1
                await uow.commit()
        return changed

    async def end_stays_at_rollover(self) -> int:
        async with self.unit_of_work() as uow:
            due = await uow.stays.due_at_rollover(uow.clock.now())

        def end_if_due(floor: SiteFloor, stay: Stay, now: datetime) -> bool:
            if stay.scheduled_end and stay.scheduled_end <= now:
                floor.end_at_rollover(stay, now)
                return True
            return False

        return await self._stays_site_by_site(due, end_if_due)

    async def raise_stay_limits(self) -> int:
        if await self._nothing_due(lambda uow, now: uow.stays.due_limit_alerts(now, limit=1)):
            return 0
        async with self.unit_of_work() as uow:
            now = uow.clock.now()
            raised = 0
            for stay in await uow.stays.due_limit_alerts(now):
                site = await uow.sites.get(stay.site_id)
                if site is not None:
                    raised += stay.limit_alerts_due(site, now)
            await uow.commit()
            return raised

    async def put_places_back_in_service(self) -> int:
        """A place taken out `until` a time is back once it comes, one site at a time."""
        async with self.unit_of_work() as uow:
            due = await uow.sites.due_back_in_service(uow.clock.now())
        back = 0
        for site_id in due:
            async with self.unit_of_work() as uow:
                floor = await uow.sites.floor(site_id)
                if floor is None:
                    continue
                back += floor.back_in_service_when_due(uow.clock.now())
                await uow.commit()
        return back

    async def notice_absent_stays(self) -> int:
        """A stay unseen for N nights (a setting): the site hears a night before; then it ends as
        `left`. Each stay re-read under its site's lock, site by site."""
        async with self.unit_of_work() as uow:
            due = await uow.stays.due_absent(uow.clock.now(), self.absent_nights)

        def warn_or_end(floor: SiteFloor, stay: Stay, now: datetime) -> bool:
            return stay.warn_absent(floor.site, self.absent_nights, now) or floor.end_unseen(stay, now)

        return await self._stays_site_by_site(due, warn_or_end)

    async def close_nights(self) -> int:
        async with self.unit_of_work() as uow:
            now = uow.clock.now()
            due = await uow.sites.due_for_ledger(now)
        closed = 0
        for site_id in due:
            for _ in range(MAX_NIGHTS_PER_TICK):
                if not await self._close_next_night(site_id):
                    break
                closed += 1
        return closed

    async def _close_next_night(self, site_id: str) -> bool:
        async with self.unit_of_work() as uow:
            now = uow.clock.now()
            floor = await uow.sites.floor(site_id)
            if floor is None:
                return False
            site = floor.site
            night = site.next_night_to_close
            start, end = site.night_bounds(night)
            if end > now:
                return False
            intervals = await uow.stays.intervals(site.id, start, end)
            figures = night_figures(night, site.tz, site.rollover, intervals)
            revision = await uow.ledger.record(site.id, night, figures, now)
            site.close_night(night, figures, revision)
            await uow.commit()
            return True
