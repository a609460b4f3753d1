"""`shelterbeds import`: a city's sites from one CSV file, one transaction per chunk, seen through
the API and announced to the other services as if opened through `POST /api/v1/sites`."""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

from common.clock import ManualClock
from contracts.events import beds as ev
from services.beds.api.urls import SITES
from shelterbeds.site_csv import COLUMNS, parse_sites
from shelterbeds.site_import import import_sites
from tests.support.events import EventTap
from tests.support.service import Service

CITY = uuid.UUID("0c2e7d8a-4b3f-4a8e-9d61-7a5b3c2e1f00")
SITES_IN_THE_CITY = 200


def site_id(n: int) -> str:
    return str(uuid.uuid5(CITY, f"site/{n}"))


def city_rows(count: int = SITES_IN_THE_CITY, *, with_ids: bool = True) -> list[str]:
    rows = [",".join(COLUMNS)]
    for n in range(count):
        kind, confidential = ("crisis_room", "true") if n % 10 == 0 else ("night_shelter", "false")
        site = [
            site_id(n) if with_ids else "", f"Site {n}", kind, f"{50.40 + n / 1000:.4f}", "30.52",
            f'"Street {n}, Kyiv"', "Europe/Kyiv", "", confidential, "4",
        ]  # fmt: skip
        rows.append(",".join([*site, "Men", "men", "false", "10"]))
        rows.append(",".join([*site, "Women", "women", "true", "6"]))
    return [f"{row}\n" for row in rows]


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("".join(rows), encoding="utf-8")
    return path


async def test_a_city_of_sites_is_imported_and_seen_through_the_api(
    beds: Service, beds_url: str, data_dir: Path, events: EventTap
) -> None:
    csv_file = write_csv(data_dir / "city.csv", city_rows())
    # not subprocess.run: the service shares this event loop and must keep running meanwhile
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "shelterbeds", "import", str(csv_file), "--database-url", beds_url,
        "--data-dir", str(data_dir), "--chunk", "64",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()
    assert out.decode().startswith(f"{SITES_IN_THE_CITY} sites ({2 * SITES_IN_THE_CITY} rooms) imported")

    admin = beds.token("admin")
    listed = (await beds.get(SITES, admin)).json()
    assert {s["id"] for s in listed} == {site_id(n) for n in range(SITES_IN_THE_CITY)}
    site = (await beds.get(f"{SITES}/{site_id(7)}", admin)).json()
    assert (site["name"], site["kind"], site["address"]) == ("Site 7", "night_shelter", "Street 7, Kyiv")
    board = (await beds.get(f"{SITES}/{site_id(7)}/board", beds.token("supervisor"))).json()
    assert (board["beds_total"], board["mats_total"]) == (16, 4)
    patrol_sees = {s["id"] for s in (await beds.get(SITES, beds.token("patrol"))).json()}
    assert site_id(10) not in patrol_sees and site_id(11) in patrol_sees, "confidential stays confidential"

    created = await events.wait_for(ev.SiteCreated, count=SITES_IN_THE_CITY, timeout=30)
    assert {e.site_id for e in created} == {site_id(n) for n in range(SITES_IN_THE_CITY)}


async def test_importing_the_same_file_again_changes_nothing(
    beds: Service, beds_url: str, clock: ManualClock
) -> None:
    parsed = parse_sites(city_rows(30))
    first = await import_sites(beds_url, clock, parsed, chunk_size=8)
    again = await import_sites(beds_url, clock, parse_sites(city_rows(30)), chunk_size=8)
    assert (first.created, first.already_present, first.ok) == (30, 0, True)
    assert (again.created, again.already_present, again.ok) == (0, 30, True)
    assert len((await beds.get(SITES, beds.token("admin"))).json()) == 30


async def test_a_bad_row_keeps_its_chunk_out_and_the_other_chunks_go_in(
    beds: Service, beds_url: str, clock: ManualClock
) -> None:
    rows = city_rows(30, with_ids=False)
    bad_line = 2 * 12 + 2  # the thirteenth site's first room: in the second chunk of ten
    rows[bad_line - 1] = rows[bad_line - 1].replace(",men,false,10", ",men,false,lots")
    report = await import_sites(beds_url, clock, parse_sites(rows), chunk_size=10)
    assert [(p.line, p.message) for p in report.problems] == [(bad_line, "beds 'lots' is not a whole number")]
    assert (report.created, report.refused_sites) == (20, 10)
    names = {s["name"] for s in (await beds.get(SITES, beds.token("admin"))).json()}
    assert names == {f"Site {n}" for n in (*range(10), *range(20, 30))}


async def test_a_file_grown_since_the_last_import_adds_only_the_new_sites(
    beds: Service, beds_url: str, clock: ManualClock
) -> None:
    first = await import_sites(beds_url, clock, parse_sites(city_rows(3)), chunk_size=10)
    assert first.created == 3
    report = await import_sites(beds_url, clock, parse_sites(city_rows(5)), chunk_size=10)
    assert (report.created, report.already_present) == (2, 3)
    assert len((await beds.get(SITES, beds.token("admin"))).json()) == 5


async def test_a_site_the_domain_refuses_rolls_back_its_chunk_and_names_its_line(
    beds: Service, beds_url: str, clock: ManualClock
) -> None:
    rows = city_rows(6)
    bad_line = 2 * 4 + 2  # the fifth site, in the second chunk of three
    rows[bad_line - 1] = rows[bad_line - 1].replace("Europe/Kyiv", "Mars/Olympus")
    rows[bad_line] = rows[bad_line].replace("Europe/Kyiv", "Mars/Olympus")
    report = await import_sites(beds_url, clock, parse_sites(rows), chunk_size=3)
    assert [(p.line, p.message) for p in report.problems] == [
        (bad_line, "Unknown timezone 'Mars/Olympus'; use an IANA name like Europe/Kyiv.")
    ]
    assert (report.created, report.refused_sites) == (3, 3)
    listed = {s["id"] for s in (await beds.get(SITES, beds.token("admin"))).json()}
    assert listed == {site_id(n) for n in range(3)}
