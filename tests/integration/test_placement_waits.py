"""Time to placement in the summary: the database ranks the placed referrals' waits and hands
back only the middle one or two, with the count and the sum. The median rule (the middle one of
an odd count, the mean of the middle two of an even one) checked on each backend."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from tests.integration.beds.helpers import insert_referral_hold, open_site
from tests.integration.conftest import EVENING
from tests.support.service import Service
from tests.support.sites import night_shelter

DAY = timedelta(days=1)


async def placed_after(beds: Service, site_id: str, minutes: list[int], *, fulfilled: bool = True) -> None:
    """Referrals made at EVENING and checked in (their hold fulfilled) after these many minutes."""
    async with beds.runtime.unit_of_work() as uow:
        for wait in minutes:
            await insert_referral_hold(
                uow.session,
                site_id,
                status="fulfilled" if fulfilled else "expired",
                made_at=EVENING,
                ended_at=EVENING + timedelta(minutes=wait),
            )
        await uow.commit()


async def waits(beds: Service, site_id: str | None = None) -> tuple[int, float, tuple[float, ...]]:
    async with beds.runtime.read() as uow:
        found = await uow.reports.placement_waits(EVENING - DAY, EVENING + DAY, site_id)
    return found.placed, found.total_seconds, found.middle


@pytest.mark.parametrize(
    ("minutes", "middle"),
    [([], ()), ([7], (7,)), ([60, 10, 30, 20], (20, 30)), ([50, 10, 40, 20, 30], (30,))],
)
async def test_only_the_middle_waits_come_back_with_the_count_and_the_sum(
    beds: Service, minutes: list[int], middle: tuple[int, ...]
) -> None:
    site = (await open_site(beds, night_shelter("Waits")))["id"]
    await placed_after(beds, site, minutes)
    await placed_after(beds, site, [1, 2, 3], fulfilled=False)  # lapsed holds are no placement

    placed, total, found = await waits(beds)

    assert (placed, total) == (len(minutes), pytest.approx(60.0 * sum(minutes)))
    assert found == pytest.approx(tuple(60.0 * m for m in middle))
    assert await waits(beds, site) == (placed, pytest.approx(total), pytest.approx(found))
    assert await waits(beds, str(uuid.uuid4())) == (0, 0.0, ())
