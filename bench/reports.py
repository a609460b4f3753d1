"""A year of a city's nights: the report summary against `/health/live`, through HTTP, in the
same run on the same process.

    .venv/bin/python -m bench.reports [--sites 100] [--nights 365] [--requests 40]

The database holds what a year of 100 sites leaves behind: their nightly ledger (one row per site
and night) with the city's nightly sums, every stay (a night shelter's end each morning: ~1 M
rows), one in ten naming one of 2,000 regulars (with the ids each night kept), referrals with
their holds, turn-aways, and trips. It is written straight into the tables (through the API and
the clocks a year would take hours); then a real `shelterbeds serve beds` process answers over
HTTP. Measured: the city's summary for the whole year, one site's summary, and the year's
bed-nights CSV; the ratio is the summary's p50 over `/health/live`'s p50 (the HTTP stack, auth
and JSON alone).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import httpx
import sqlalchemy as sa

from bench._service import BedsProcess
from bench._support import ThrowawayNats, save
from common.db import Database
from common.logging import configure_logging
from common.migrations import upgrade
from common.settings import database_url_for
from contracts.events.base import Source
from services.beds.adapters.orm import (
    holds,
    ledger_city_nights,
    ledger_people,
    nightly_ledger,
    placements,
    report_trips,
    sites,
    stays,
    turnaways,
)
from shelterbeds.registry import SERVICES

SOURCES: tuple[Source, ...] = ("patrol", "mobile_team", "police", "phone", "walk_in", "contact_centre")
CAPACITY = {"night_shelter": 50, "crisis_room": 6, "shelter": 30}
CHUNK = 20_000
REGULARS = 2_000  # people known by id (a card, a referral) who come back
NAMED_SHARE = 0.1


def kind_of(n: int, count: int) -> str:
    share = n / count
    return "night_shelter" if share < 0.6 else "crisis_room" if share < 0.85 else "shelter"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


async def _insert(db: Database, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    for first in range(0, len(rows), CHUNK):
        async with db.engine.begin() as conn:
            await conn.execute(sa.insert(table), rows[first : first + CHUNK])


async def populate(db: Database, count: int, nights: int, seed: int = 21) -> dict[str, Any]:
    rng = random.Random(seed)
    last = datetime.now(UTC).date() - timedelta(days=1)
    first = last - timedelta(days=nights - 1)
    created = _at(first, 6) - timedelta(days=1)
    site_rows, ledger_rows, stay_rows = [], [], []
    named_rows: list[dict[str, Any]] = []
    regulars = [str(uuid.uuid4()) for _ in range(REGULARS)]

    def someone() -> str | None:
        return rng.choice(regulars) if rng.random() < NAMED_SHARE else None

    for n in range(count):
        site_id, kind = str(uuid.uuid4()), kind_of(n, count)
        site_rows.append(
            {
                "id": site_id, "name": f"Site {n}", "kind": kind, "lat": 49.8 + n / 1000, "lon": 24.0,
                "address": f"Street {n}", "timezone": "Europe/Kyiv",
                "max_stay_days": 10 if kind == "crisis_room" else None, "confidential": kind == "crisis_room",
                "created_at": created, "rollover": clock_time(8), "cold_weather": False,
                "cold_weather_mats": None, "retired_at": None, "ledger_closed_through": last,
                "ledger_due_at": _at(last + timedelta(days=1), 6) + timedelta(days=1),
            }
        )  # fmt: skip
        # crisis rooms and shelters: stays of days (start, end, person)
        staying: list[tuple[datetime, datetime, str | None]] = []
        for d in range(nights):
            night = first + timedelta(days=d)
            evening = _at(night, 18)
            named: dict[str, bool] = {}
            if kind == "night_shelter":
                people = rng.randint(30, 60)
                arrivals = [rng.choice(SOURCES) for _ in range(people)]
                for i, source in enumerate(arrivals):
                    person = someone()
                    if person is not None:
                        named[person] = True
                    stay_rows.append(
                        _stay(
                            site_id,
                            evening + timedelta(minutes=i),
                            evening + timedelta(hours=14),
                            source,
                            "bed",
                            person=person,
                        )
                    )
            else:
                staying = [(s, e, who) for s, e, who in staying if e > evening]
                named = {who: False for _, _, who in staying if who is not None}
                arrivals = []
                while len(staying) < CAPACITY[kind] and rng.random() < 0.5:
                    start = evening + timedelta(minutes=rng.randint(0, 240))
                    end = start + timedelta(days=rng.randint(1, 14), hours=rng.randint(0, 12))
                    person = someone()
                    staying.append((start, end, person))
                    if person is not None:
                        named[person] = True
                    source = rng.choice(SOURCES)
                    arrivals.append(source)
                    stay_rows.append(
                        _stay(site_id, start, end, source, "bed", extension=rng.random() < 0.1, person=person)
                    )
                people = len(staying)
            named_rows.extend(
                {"site_id": site_id, "night": night, "person_id": who, "arrived": came}
                for who, came in named.items()
            )
            beds = min(people, CAPACITY[kind])
            mats = min(people - beds, 8)  # a night shelter's busiest nights go over capacity
            ledger_rows.append(
                {
                    "site_id": site_id, "night": night, "people": people, "beds_used": beds,
                    "mats_used": mats,
                    "over_capacity": people - beds - mats,
                    "arrivals_by_source": {s: arrivals.count(s) for s in sorted(set(arrivals))},
                    "revision": 0, "closed_at": evening + timedelta(hours=14),
                }
            )  # fmt: skip
    referral_rows, hold_rows, trip_rows, turnaway_rows = [], [], [], []
    keeping_days = [site for site in site_rows if site["kind"] != "night_shelter"]
    for d in range(nights):
        night = first + timedelta(days=d)
        for _ in range(3):  # a full crisis room or shelter sends someone away
            turnaway_rows.append(
                {
                    "id": str(uuid.uuid4()), "site_id": rng.choice(keeping_days)["id"], "night": night,
                    "recorded_at": _at(night, 21), "adults": 1, "children": rng.randint(0, 2),
                    "gender": "female", "youth": False, "accessible": False, "pet": False, "dv": False,
                    "reason": "full", "team_id": None,
                }
            )  # fmt: skip
        for _ in range(30):
            referred = _at(night, 18) + timedelta(minutes=rng.randint(0, 600))
            hold_id = str(uuid.uuid4())
            status = rng.choice(("fulfilled", "fulfilled", "fulfilled", "expired", "cancelled", "waitlisted"))
            referral_rows.append(
                {
                    "referral_id": str(uuid.uuid4()),
                    "status": "waitlisted" if status == "waitlisted" else "held",
                    "team_id": None, "source": rng.choice(SOURCES), "adults": 1, "children": 0,
                    "gender": "male",
                    "youth": False, "accessible": False, "pet": False, "dv": False, "lat": 49.8, "lon": 24.0,
                    "urgency": "urgent", "urgency_rank": 1,
                    "hold_id": None if status == "waitlisted" else hold_id,
                    "referred_at": referred, "waitlisted_until": None, "updated_at": referred,
                }
            )  # fmt: skip
            if status != "waitlisted":
                hold_rows.append(
                    {
                        "id": hold_id, "site_id": rng.choice(site_rows)["id"], "status": status, "adults": 1,
                        "children": 0, "gender": "male", "accessible": False, "pet": False, "youth": False,
                        "dv": False, "placed_at": referred, "expires_at": referred + timedelta(minutes=90),
                        "warn_at": referred + timedelta(minutes=75), "warned_at": None,
                        "ended_at": referred + timedelta(minutes=rng.randint(10, 90)),
                        "holder_subject": "bench", "holder_role": "patrol", "holder_team_id": None,
                        "referral_id": None, "source": "patrol",
                    }
                )  # fmt: skip
        for _ in range(10):
            started = _at(night, 17) + timedelta(minutes=rng.randint(0, 600))
            trip_rows.append(
                {
                    "trip_id": str(uuid.uuid4()), "team_id": None, "started_at": started,
                    "ended_at": started + timedelta(hours=1), "referral_id": None,
                    "outcome": rng.choice(("placed", "consulted", "refused", "no_contact")),
                }
            )  # fmt: skip
    for table, rows in (
        (sites, site_rows),
        (nightly_ledger, ledger_rows),
        (ledger_city_nights, city_nights(ledger_rows)),
        (ledger_people, named_rows),
        (turnaways, turnaway_rows),
        (stays, stay_rows),
        (holds, hold_rows),
        (placements, referral_rows),
        (report_trips, trip_rows),
    ):
        await _insert(db, table, rows)
    return {
        "sites": len(site_rows),
        "ledger_rows": len(ledger_rows),
        "stays": len(stay_rows),
        "named_stays": sum(1 for row in stay_rows if row["person_id"]),
        "ledger_people_rows": len(named_rows),
        "turnaways": len(turnaway_rows),
        "referrals": len(referral_rows),
        "trips": len(trip_rows),
        "first_night": first.toordinal(),
        "last_night": last.toordinal(),
    }


def city_nights(ledger_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What closing each site's night adds up for the city (`LedgerRepository._add_up_city`)."""
    city: dict[date, dict[str, Any]] = {}
    for row in ledger_rows:
        sums = city.setdefault(
            row["night"],
            {
                "night": row["night"], "sites": 0, "people": 0, "beds_used": 0, "mats_used": 0,
                "over_capacity": 0, "over_capacity_sites": 0, "peak_people": 0, "peak_over_capacity": 0,
                **{f"arrivals_{source}": 0 for source in SOURCES},
            },
        )  # fmt: skip
        sums["sites"] += 1
        for figure in ("people", "beds_used", "mats_used", "over_capacity"):
            sums[figure] += row[figure]
        sums["over_capacity_sites"] += row["over_capacity"] > 0
        sums["peak_people"] = max(sums["peak_people"], row["people"])
        sums["peak_over_capacity"] = max(sums["peak_over_capacity"], row["over_capacity"])
        for source, count in row["arrivals_by_source"].items():
            sums[f"arrivals_{source}"] += count
    return list(city.values())


def _stay(
    site_id: str,
    start: datetime,
    end: datetime,
    source: str,
    kind: str,
    *,
    extension: bool = False,
    person: str | None = None,
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()), "site_id": site_id, "place_id": None, "place_kind": kind,
        "group_id": str(uuid.uuid4()), "started_at": start, "recorded_at": start, "source": source,
        "is_child": False, "scheduled_end": None, "limit_at": None, "extension_days": 3 if extension else 0,
        "limit_warned_at": None, "limit_reached_at": None, "ended_at": end, "end_reason": "checkout",
        "hold_id": None, "referral_id": None, "team_id": None, "person_id": person,
    }  # fmt: skip


async def timed(client: httpx.AsyncClient, path: str, n: int, **params: str) -> dict[str, Any]:
    latencies = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = await client.get(path, params=params)
        latencies.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.text
    ordered = sorted(latencies)
    return {
        "requests": n,
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[int(0.99 * (n - 1))] * 1000, 2),
        "bytes": len(response.content),
    }


async def measure(beds: BedsProcess, first: date, last: date, requests: int, site_id: str) -> dict[str, Any]:
    year = {"from": first.isoformat(), "to": last.isoformat()}
    headers = {"Authorization": f"Bearer {beds.tokens().issue('supervisor')}"}
    async with httpx.AsyncClient(base_url=beds.base_url, headers=headers, timeout=120) as client:
        await timed(client, "/api/v1/reports/summary", 3, **year)  # warm
        await timed(client, "/health/live", 20)
        live = await timed(client, "/health/live", requests * 5)
        summary = await timed(client, "/api/v1/reports/summary", requests, **year)
        one_site = await timed(client, "/api/v1/reports/summary", requests, **year, site_id=site_id)
        export = await timed(client, "/api/v1/reports/bed-nights.csv", max(3, requests // 10), **year)
    return {
        "health_live": live,
        "summary_city_year": summary,
        "summary_one_site_year": one_site,
        "bed_nights_csv_year": export,
        "ratio_summary_to_live_p50": round(summary["p50_ms"] / live["p50_ms"], 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--nights", type=int, default=365)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    if args.sites < 3:  # the first 60 % are night shelters; turn-aways and one site's year need others
        parser.error("--sites must be at least 3 (night shelters, and a crisis room)")
    configure_logging("warning")
    data_dir = Path(mkdtemp(prefix="bench-reports-"))
    url = database_url_for("beds", None, data_dir)
    await upgrade(url, SERVICES["beds"].migrations)
    db = Database(url)
    t0 = time.perf_counter()
    data = await populate(db, args.sites, args.nights)
    async with db.engine.connect() as conn:
        site_id = (
            await conn.execute(sa.select(sites.c.id).where(sites.c.kind == "crisis_room").limit(1))
        ).scalar_one()
    await db.engine.dispose()
    data["populate_seconds"] = round(time.perf_counter() - t0, 1)
    print(f"populated: {data}")
    nats = ThrowawayNats(sync_always=False)
    os.environ["SHELTERBEDS_TICK_SECONDS"] = "3600"  # the clocks have nothing to do in a closed year
    beds = BedsProcess(nats, data_dir=data_dir, log_level="warning")
    try:
        beds.wait_ready()
        first, last = date.fromordinal(data["first_night"]), date.fromordinal(data["last_night"])
        results = await measure(beds, first, last, args.requests, site_id)
    finally:
        beds.stop()
        nats.stop()
    command = (
        f"python -m bench.reports --sites {args.sites} --nights {args.nights} --requests {args.requests}"
    )
    path = save("reports", {"command": command, "database": "sqlite", "data": data, **results})
    for name, figures in results.items():
        print(f"{name}: {figures}")
    print(f"saved {path}")


if __name__ == "__main__":
    asyncio.run(main())
