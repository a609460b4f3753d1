"""Unmet demand per night in the summary: the database puts each referral that ended without a
place into the night it was made, from the calendar's spans (a comparison and a date shift each).
Checked on each backend against `night_of` at the edges of the nights around both clock changes,
where a shift of one hour too many or too few would move a referral into the wrong night."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, datetime, timedelta

from services.beds.domain.nights import night_of
from services.beds.domain.sites import DEFAULT_ROLLOVER
from services.beds.service_layer.reports import CITY_ZONE, city_nights
from tests.integration.beds.helpers import insert_referral_hold, open_site
from tests.support.service import Service
from tests.support.sites import night_shelter

SECOND = timedelta(seconds=1)
# Kyiv's clocks: forward at 03:00 on 29 March, back at 04:00 on 25 October 2026 (UTC 01:00 both);
# the nights' 08:00 edges around them
EDGES = [
    datetime.fromisoformat(moment)
    for moment in (
        "2026-03-28T06:00:00+00:00", "2026-03-29T05:00:00+00:00", "2026-03-30T05:00:00+00:00",
        "2026-10-24T05:00:00+00:00", "2026-10-25T06:00:00+00:00", "2026-10-26T06:00:00+00:00",
    )
]  # fmt: skip
MOMENTS = [
    at + offset
    for at in EDGES
    for offset in (-SECOND, timedelta(0), timedelta(minutes=30), timedelta(hours=23))
]


async def lapsed_referrals(beds: Service, site_id: str, made_at: list[datetime]) -> None:
    """Referrals made at these moments whose holds lapsed (no arrival), and one that is placed."""
    async with beds.runtime.unit_of_work() as uow:
        for at, status in [*((at, "expired") for at in made_at), (made_at[0], "fulfilled")]:
            await insert_referral_hold(
                uow.session, site_id, status=status, made_at=at, ended_at=at + timedelta(hours=1)
            )
        await uow.commit()


async def test_each_unmet_referral_counts_on_the_night_it_was_made_across_clock_changes(
    beds: Service,
) -> None:
    site = (await open_site(beds, night_shelter("Nights")))["id"]
    await lapsed_referrals(beds, site, MOMENTS)
    calendar = city_nights(date(2026, 3, 1), date(2026, 10, 31))

    async with beds.runtime.read() as uow:
        tallies = await uow.reports.unplaced_by_night(calendar, None)
        of_the_site = await uow.reports.unplaced_by_night(calendar, site)
        elsewhere = await uow.reports.unplaced_by_night(calendar, str(uuid.uuid4()))

    expected = Counter(night_of(at, CITY_ZONE, DEFAULT_ROLLOVER) for at in MOMENTS)
    assert Counter({t.night: t.count for t in tallies if t.hold_status == "expired"}) == expected
    assert [t for t in tallies if t.hold_status != "expired"] == []  # the placed one is not unmet
    assert sorted(tallies, key=repr) == sorted(of_the_site, key=repr)
    assert elsewhere == []
