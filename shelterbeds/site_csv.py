"""The CSV layout of `shelterbeds import`: one row per room, the site's columns repeated on each of
its rows, a site's rows next to each other.

    id,name,kind,lat,lon,address,timezone,max_stay_days,confidential,mats,room_name,restriction,accessible,beds
    ,Нічний притулок,night_shelter,49.8458,24.0401,"вул. Кирилівська, 7",,,,12,Чоловіча,men,false,16
    ,Нічний притулок,night_shelter,49.8458,24.0401,"вул. Кирилівська, 7",,,,12,Жіноча,women,false,12

Required columns: name, kind, lat, lon, address, room_name, beds. The others may be left out or
left empty (then the defaults of `POST /api/v1/sites` apply). A site without rooms is one row with
an empty room_name. Rows belong to one site while their `id` (or, without an id, their name and
address) stays the same; their other site columns must then agree. `id` (a UUID) makes an import
repeatable: a site whose id exists already is left as it is.

Every row is checked by the rules of `POST /api/v1/sites` (the same msgspec schema, then the
domain's rules), and every problem is reported with its line number, so a file can be fixed in
one pass (`shelterbeds import --check` checks without writing).
"""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec

from common.errors import DomainError
from services.beds.api.schemas import SiteIn
from services.beds.domain.floor import SiteFloor
from services.beds.domain.inventory import RoomSpec

SITE_COLUMNS = (
    "id",
    "name",
    "kind",
    "lat",
    "lon",
    "address",
    "timezone",
    "max_stay_days",
    "confidential",
    "mats",
)
ROOM_COLUMNS = ("room_name", "restriction", "accessible", "beds")
COLUMNS = SITE_COLUMNS + ROOM_COLUMNS
REQUIRED = ("name", "kind", "lat", "lon", "address", "room_name", "beds")
TRUE, FALSE = {"true", "yes", "1", "y"}, {"false", "no", "0", "n"}
END_OF_FILE = 2**62
_AT = re.compile(r"\s*-\s*at `\$(?:\.rooms\[(\d+)\])?\.?(\w*)`$")


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class SiteRows:
    """One site as read from the file: its lines, and what `OpenSite` needs."""

    lines: list[int]
    site_id: str | None
    fields: dict[str, Any]
    rooms: list[dict[str, Any]] = field(default_factory=list)
    room_lines: list[int] = field(default_factory=list)
    site: SiteIn | None = None

    @property
    def first_line(self) -> int:
        return self.lines[0]

    def create_arguments(self) -> dict[str, Any]:
        assert self.site is not None
        s = self.site
        return {
            "name": s.name,
            "kind": s.kind,
            "lat": s.lat,
            "lon": s.lon,
            "address": s.address,
            "rooms": tuple(
                RoomSpec(r.name, r.restriction, r.accessible, r.pets_allowed, r.beds) for r in s.rooms
            ),
            "mats": s.mats,
            "timezone": s.timezone,
            "max_stay_days": s.max_stay_days,
            "confidential": s.confidential,
            "site_id": self.site_id,
        }


@dataclass(frozen=True)
class Chunk:
    """Sites written in one transaction, and the lines of the file they span (with any refused
    row between them): a problem on one of those lines keeps the whole chunk out."""

    sites: list[SiteRows]
    first_line: int
    last_line: int


@dataclass
class Parsed:
    sites: list[SiteRows]
    problems: list[Problem]

    def chunks(self, size: int) -> list[Chunk]:
        if size < 1:
            raise ValueError("a chunk holds at least one site")
        groups = [self.sites[i : i + size] for i in range(0, len(self.sites), size)]
        starts = [2, *(group[0].first_line for group in groups[1:])]
        ends = [start - 1 for start in starts[1:]] + [END_OF_FILE]
        return [Chunk(group, start, end) for group, start, end in zip(groups, starts, ends, strict=True)]

    def problems_in(self, chunk: Chunk) -> list[Problem]:
        return [p for p in self.problems if p.line == 1 or chunk.first_line <= p.line <= chunk.last_line]


class _BadCell(ValueError):
    pass


def _cell(column: str, raw: str) -> Any:
    """The value of one cell, typed as the API body would carry it; None when empty."""
    text = raw.strip()
    if not text:
        return None
    if column in ("lat", "lon"):
        try:
            return float(text.replace(",", "."))
        except ValueError:
            raise _BadCell(f"{column} {text!r} is not a number") from None
    if column in ("max_stay_days", "mats", "beds"):
        try:
            return int(text)
        except ValueError:
            raise _BadCell(f"{column} {text!r} is not a whole number") from None
    if column in ("confidential", "accessible"):
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        raise _BadCell(f"{column} {text!r} is not true or false")
    if column == "id":
        try:
            return str(uuid.UUID(text))
        except ValueError:
            raise _BadCell(f"id {text!r} is not a UUID") from None
    return text


def _header_problems(header: list[str] | None) -> list[Problem]:
    if not header:
        return [Problem(1, "the file is empty: the first line names the columns")]
    names = [h.strip() for h in header]
    problems = [
        Problem(1, f"unknown column {n!r} (known: {', '.join(COLUMNS)})") for n in names if n not in COLUMNS
    ]
    problems += [Problem(1, f"column {n!r} is missing") for n in REQUIRED if n not in names]
    problems += [
        Problem(1, f"column {n!r} appears twice") for n in sorted({n for n in names if names.count(n) > 1})
    ]
    return problems


def parse_sites(lines: Iterable[str], rules_at: datetime | None = None) -> Parsed:
    """With `rules_at`, each site is also opened in memory at that moment, so the domain's rules
    are checked without a database (`--check`). The import itself leaves that to the `OpenSite` handler:
    opening every site twice would double its cost, and a refusal there names the line too."""
    reader = csv.reader(iter(lines))
    header = next(reader, None)
    problems = _header_problems(header)
    if problems:
        return Parsed([], problems)
    assert header is not None
    names = [h.strip() for h in header]
    sites: list[SiteRows] = []
    seen: dict[Any, int] = {}
    for number, values in _records(reader):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(names):
            problems.append(
                Problem(number, f"{len(values)} cells, but the header names {len(names)} columns")
            )
            continue
        row: dict[str, Any] = {}
        for name, raw in zip(names, values, strict=True):
            try:
                row[name] = _cell(name, raw)
            except _BadCell as bad:
                problems.append(Problem(number, str(bad)))
        if any(p.line == number for p in problems):
            continue
        site_part = {k: row.get(k) for k in SITE_COLUMNS}
        key = site_part["id"] or ("name+address", site_part["name"], site_part["address"])
        current = sites[-1] if sites else None
        if current is not None and key == (current.site_id or _key_of(current)):
            if site_part != current.fields:
                differing = sorted(k for k in SITE_COLUMNS if site_part[k] != current.fields[k])
                problems.append(
                    Problem(
                        number, f"site columns ({', '.join(differing)}) differ from line {current.first_line}"
                    )
                )
                continue
        else:
            if key in seen:
                problems.append(
                    Problem(
                        number, f"this site's rows began at line {seen[key]}: keep a site's rows together"
                    )
                )
                continue
            seen[key] = number
            current = SiteRows([], site_part["id"], site_part)
            sites.append(current)
        current.lines.append(number)
        if row.get("room_name") is not None:
            room = {"name": row["room_name"], "beds": row.get("beds")}
            room |= {k: row[k] for k in ("restriction", "accessible") if row.get(k) is not None}
            current.rooms.append(room)
            current.room_lines.append(number)
        elif row.get("beds") is not None:
            problems.append(Problem(number, "beds given without a room_name"))
    for site in sites:
        problems += _validate(site, rules_at)
    problems.sort(key=lambda p: p.line)
    return Parsed(sites, problems)


def _key_of(site: SiteRows) -> tuple[str, Any, Any]:
    return ("name+address", site.fields["name"], site.fields["address"])


def _records(reader: Any) -> Iterator[tuple[int, list[str]]]:
    start = reader.line_num + 1
    for values in reader:
        yield start, values
        start = reader.line_num + 1


def _validate(site: SiteRows, rules_at: datetime | None) -> list[Problem]:
    """Through the API's own schema and the domain's rules: what `POST /api/v1/sites` would
    refuse, the import refuses."""
    body = {k: v for k, v in site.fields.items() if k != "id" and v is not None}
    body["rooms"] = [{k: v for k, v in room.items() if v is not None} for room in site.rooms]
    try:
        site.site = msgspec.convert(body, SiteIn)
    except msgspec.ValidationError as error:
        return [_problem_at(site, str(error))]
    if rules_at is None:
        return []
    try:
        SiteFloor.open(now=rules_at, **site.create_arguments())
    except DomainError as refused:
        return [Problem(site.first_line, refused.detail)]
    return []


def _problem_at(site: SiteRows, message: str) -> Problem:
    match = _AT.search(message)
    if match is None:
        missing = re.match(r"Object missing required field `(\w+)`", message)
        return Problem(site.first_line, f"{missing.group(1)} is empty" if missing else message)
    text = message[: match.start()]
    room, column = match.groups()
    if room is not None:
        column = "room_name" if column == "name" else column
        line = site.room_lines[int(room)]
    else:
        line = site.first_line
    missing = re.match(r"Object missing required field `(\w+)`", text)
    if missing:
        wanted = missing.group(1)
        return Problem(line, f"{'room_name' if room is not None and wanted == 'name' else wanted} is empty")
    return Problem(line, f"{column}: {text}" if column else text)
