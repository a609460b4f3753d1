"""Demo data modelled on the centres whose reports started this project (SPEC 9), so a first
start shows real-looking work: a night shelter with its overflow mats and one over-capacity night
in the ledger, crisis rooms with residents near their 10-day limit, a shelter for displaced
families. Confidential sites get made-up addresses. Seeding is idempotent (stable ids).

History is recorded the way staff would record it — back-dated check-ins through the ordinary
use cases — so the clocks close those nights into the ledger and raise the stay limits at once.
It is laid out by the site's nights (`night_of`, `night_window`), not by the calendar day, so the
ledger and tonight's board look the same whatever hour the demo is seeded at: started at 02:34,
"tonight" is still the night that began yesterday evening. The sites were opened
`OPENED_DAYS_AGO` days before the seeding, before any back-dated arrival.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from common.clock import Clock, ManualClock
from common.db import Database
from common.settings import Settings
from services.beds.adapters.orm import plumbing
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.domain.access import Actor
from services.beds.domain.commands import OpenSite
from services.beds.domain.inventory import RoomSpec
from services.beds.domain.nights import night_of, night_window
from services.beds.domain.party import Gender, Needs, Party
from services.beds.domain.sites import DEFAULT_ROLLOVER, zone
from services.beds.service_layer import sites

NAMESPACE = uuid.UUID("6f1c9a4e-2b7d-4c1e-9a53-5d2f0b8e7a10")


def demo_id(key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, key))


# Team ids that the notifications demo data uses too.
TEAMS = {
    "lviv-patrol": demo_id("team/lviv-winter-patrol"),
    "lviv-contact-centre": demo_id("team/lviv-contact-centre"),
    "dnipro-mobile-1": demo_id("team/dnipro-mobile-1"),
    "dnipro-mobile-2": demo_id("team/dnipro-mobile-2"),
    "drohobych-mobile": demo_id("team/drohobych-mobile"),
    "cherkasy-mobile": demo_id("team/cherkasy-mobile"),
}


@dataclass(frozen=True)
class DemoSite:
    key: str
    name: str
    kind: str
    lat: float
    lon: float
    address: str
    rooms: tuple[RoomSpec, ...]
    mats: int = 0
    confidential: bool | None = None
    max_stay_days: int | None = None
    cold_weather_mats: int | None = None

    @property
    def id(self) -> str:
        return demo_id(f"site/{self.key}")


NIGHT_SHELTER = DemoSite(
    key="lviv-dzherelo-night-shelter",
    name="Нічний притулок «Джерело» (Львів)",
    kind="night_shelter",
    lat=49.8458,
    lon=24.0401,
    address="вул. Кирилівська, 7, Львів",
    rooms=(
        RoomSpec("Чоловіча 1", "men", beds=16),
        RoomSpec("Чоловіча 2", "men", beds=14),
        RoomSpec("Жіноча", "women", beds=12),
        RoomSpec("Доступна", "any", accessible=True, beds=4),
        RoomSpec("Сімейна", "family", beds=4),
    ),
    mats=12,
    cold_weather_mats=30,
)
SITES = (
    NIGHT_SHELTER,
    DemoSite(
        key="lviv-crisis-rooms",
        name="Кризові кімнати «Джерело» (Львів)",
        kind="crisis_room",
        lat=49.8312,
        lon=24.0127,
        address="вул. Умовна, 3, Львів (адреса умовна)",
        rooms=(RoomSpec("Кімната А", "family", beds=4), RoomSpec("Кімната Б", "family", beds=4)),
    ),
    DemoSite(
        key="lviv-women-children-shelter",
        name="Притулок для жінок з дітьми (Львів)",
        kind="shelter",
        lat=49.8251,
        lon=24.0623,
        address="вул. Умовна, 12, Львів (адреса умовна)",
        rooms=tuple(RoomSpec(f"Сімейна {n}", "family", beds=4) for n in (1, 2, 3)),
        confidential=True,
        max_stay_days=90,
    ),
    DemoSite(
        key="dnipro-crisis-room",
        name="Кризова кімната денного центру (Дніпро)",
        kind="crisis_room",
        lat=48.4712,
        lon=35.0389,
        address="просп. Умовний, 5, Дніпро (адреса умовна)",
        rooms=(RoomSpec("Кімната 1", "family", beds=3), RoomSpec("Кімната 2", "women", beds=3)),
    ),
    DemoSite(
        key="drohobych-crisis-room",
        name="Кризова кімната (Дрогобич)",
        kind="crisis_room",
        lat=49.3532,
        lon=23.5118,
        address="вул. Умовна, 9, Дрогобич (адреса умовна)",
        rooms=(RoomSpec("Кімната", "family", beds=4),),
    ),
    DemoSite(
        key="cherkasy-temporary-shelter",
        name="Тимчасовий притулок для ВПО (Черкаси)",
        kind="shelter",
        lat=49.4390,
        lon=32.0521,
        address="вул. Святотроїцька, 40, Черкаси",
        rooms=(
            *(RoomSpec(f"Сімейна {n}", "family", beds=4) for n in (1, 2, 3, 4)),
            RoomSpec("Загальна", "any", beds=8),
        ),
        confidential=False,
    ),
)

DEMO_ADMIN = Actor("shelterbeds-demo", "admin")  # the demo is set up as an admin would
SOURCES = ("walk_in", "patrol", "walk_in", "police", "phone", "contact_centre", "walk_in", "patrol")
GENDERS: tuple[Gender, ...] = ("male", "male", "female", "male", "male", "female", "male")
# People per night in the recent history: the middle one is past beds and mats (48 + 12).
HISTORY = (44, 61, 52)
TONIGHT_SO_FAR = 30
# Evenings at a night shelter: arrivals from 20:00, one every few minutes.
EVENING_FROM = timedelta(hours=12)  # after an 08:00 rollover
TONIGHT_EVERY = timedelta(minutes=9)
OPENED_DAYS_AGO = 14


async def seed_demo(settings: Settings, clock: Clock) -> bool:
    """Creates the demo sites and residents unless they exist. Returns True if it created them."""
    db = Database(settings.database_url)
    try:
        now = clock.now()
        # The sites were opened before the history below (a stay cannot start before its site).
        opened = ManualClock(now - timedelta(days=OPENED_DAYS_AGO))
        async with BedsUnitOfWork(db, plumbing, opened) as uow:
            if await uow.sites.get(NIGHT_SHELTER.id) is not None:
                return False
            for site in SITES:
                command = OpenSite(
                    name=site.name,
                    kind=site.kind,  # type: ignore[arg-type]
                    lat=site.lat,
                    lon=site.lon,
                    address=site.address,
                    rooms=site.rooms,
                    mats=site.mats,
                    confidential=site.confidential,
                    max_stay_days=site.max_stay_days,
                    cold_weather_mats=site.cold_weather_mats,
                    site_id=site.id,
                )
                await sites.open_site(command, DEMO_ADMIN, uow)
            await uow.commit()
        await _night_shelter(db, clock, now)
        await _residents(db, clock, now)
        return True
    finally:
        await db.dispose()


Arrival = tuple[Party, datetime, str, str | None]  # party, started_at, source, team key


async def _record(db: Database, clock: Clock, site: DemoSite, arrivals: list[Arrival]) -> None:
    """One site's arrivals, in one transaction, through the site floor's ordinary check-in."""
    now = clock.now()
    async with BedsUnitOfWork(db, plumbing, clock) as uow:
        floor = await uow.sites.floor(site.id, since=min(a[1] for a in arrivals))
        assert floor is not None
        for party, started_at, source, team in sorted(arrivals, key=lambda a: a[1]):
            floor.check_in(
                party, Needs(), now=now, started_at=started_at, source=source, team_id=TEAMS.get(team or "")
            )
        await uow.commit()


def _walk_in(n: int, at: datetime) -> Arrival:
    return Party(1, 0, GENDERS[n % len(GENDERS)]), at, SOURCES[n % len(SOURCES)], None


def night_shelter_arrivals(now: datetime) -> list[Arrival]:
    """Three past nights (the middle one over capacity), then tonight's arrivals so far: spread
    over the part of tonight that has passed, however little (seeded at 08:01, a minute)."""
    tz, rollover = zone("Europe/Kyiv"), DEFAULT_ROLLOVER
    tonight = night_of(now, tz, rollover)
    arrivals: list[Arrival] = []
    for nights_ago, people in zip((3, 2, 1), HISTORY, strict=True):
        evening = night_window(tonight - timedelta(days=nights_ago), tz, rollover)[0] + EVENING_FROM
        arrivals += [_walk_in(n, evening + timedelta(minutes=4 * n)) for n in range(people)]
    passed = now - night_window(tonight, tz, rollover)[0]
    every = min(TONIGHT_EVERY, passed / (TONIGHT_SO_FAR + 1))
    arrivals += [_walk_in(n, now - every * (n + 1)) for n in range(TONIGHT_SO_FAR)]
    return arrivals


async def _night_shelter(db: Database, clock: Clock, now: datetime) -> None:
    await _record(db, clock, NIGHT_SHELTER, night_shelter_arrivals(now))


async def _residents(db: Database, clock: Clock, now: datetime) -> None:
    """Crisis-room residents, some near or past the 10-day limit; families in the shelters."""
    placements: dict[str, list[Arrival]] = {
        "dnipro-crisis-room": [
            (Party(1, 2, "female"), now - timedelta(days=8.5), "mobile_team", "dnipro-mobile-1"),
            (Party(1, 0, "female"), now - timedelta(days=10.3), "police", "dnipro-mobile-2"),
            (Party(1, 0, "female"), now - timedelta(days=2), "phone", "dnipro-mobile-1"),
        ],
        "drohobych-crisis-room": [
            (Party(1, 1, "female"), now - timedelta(days=9.2), "mobile_team", "drohobych-mobile")
        ],
        "lviv-crisis-rooms": [
            (Party(1, 1, "female"), now - timedelta(days=6), "contact_centre", "lviv-contact-centre")
        ],
        "lviv-women-children-shelter": [
            (Party(1, 2, "female"), now - timedelta(days=12), "mobile_team", None),
            (Party(1, 1, "female"), now - timedelta(days=4), "walk_in", None),
        ],
        "cherkasy-temporary-shelter": [
            (Party(2, 2, "female"), now - timedelta(days=13), "walk_in", "cherkasy-mobile"),
            (Party(1, 3, "female"), now - timedelta(days=7), "mobile_team", "cherkasy-mobile"),
            (Party(1, 0, "male"), now - timedelta(days=3), "walk_in", None),
        ],
    }
    by_key = {site.key: site for site in SITES}
    for key, arrivals in placements.items():
        await _record(db, clock, by_key[key], arrivals)


def demo_summary() -> list[str]:
    return [f"{site.name}: {site.id}" for site in SITES]


__all__ = ["SITES", "TEAMS", "demo_summary", "seed_demo"]
