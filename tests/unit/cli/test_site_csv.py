"""The CSV layout of `shelterbeds import`: one row per room, every refused row named by its line."""

# ruff: noqa: E501 - a CSV row reads best on one line, as in the file

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shelterbeds.site_csv import Parsed, parse_sites

NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
HEADER = "id,name,kind,lat,lon,address,timezone,max_stay_days,confidential,mats,room_name,restriction,accessible,beds"
SHELTER_ID = "3f1b0c4e-1111-4c1e-9a53-5d2f0b8e7a10"


def parse(*rows: str, header: str = HEADER) -> Parsed:
    return parse_sites([f"{line}\n" for line in (header, *rows)], NOW)


def problems(*rows: str, header: str = HEADER) -> list[str]:
    return [str(p) for p in parse(*rows, header=header).problems]


def test_a_sites_rows_become_one_site_with_its_rooms() -> None:
    parsed = parse(
        f'{SHELTER_ID},Нічний притулок,night_shelter,49.8458,24.0401,"вул. Кирилівська, 7",,,,12,Чоловіча,men,false,16',
        f'{SHELTER_ID},Нічний притулок,night_shelter,49.8458,24.0401,"вул. Кирилівська, 7",,,,12,Жіноча,women,,12',
        ",Кризова кімната,crisis_room,48.47,35.04,вул. Умовна 5,Europe/Kyiv,10,yes,0,Кімната 1,family,true,3",
    )
    assert parsed.problems == []
    shelter, crisis = parsed.sites
    assert (shelter.lines, shelter.site_id) == ([2, 3], SHELTER_ID)
    args = shelter.create_arguments()
    assert (args["name"], args["kind"], args["mats"], args["address"]) == (
        "Нічний притулок", "night_shelter", 12, "вул. Кирилівська, 7",
    )  # fmt: skip
    assert [(r.name, r.restriction, r.accessible, r.beds) for r in args["rooms"]] == [
        ("Чоловіча", "men", False, 16),
        ("Жіноча", "women", False, 12),
    ]
    crisis_args = crisis.create_arguments()
    assert (crisis_args["site_id"], crisis_args["confidential"], crisis_args["max_stay_days"]) == (
        None,
        True,
        10,
    )
    assert crisis_args["rooms"][0].accessible is True


def test_optional_columns_may_be_left_out_and_a_site_may_have_no_rooms() -> None:
    parsed = parse(
        "Mats only,night_shelter,50.45,30.52,Kyiv,,,8", header="name,kind,lat,lon,address,room_name,beds,mats"
    )
    assert parsed.problems == []
    args = parsed.sites[0].create_arguments()
    assert (args["rooms"], args["mats"], args["timezone"]) == ((), 8, None)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (",A,night_shelter,north,24,a,,,,0,R,men,false,4", "line 2: lat 'north' is not a number"),
        (",A,night_shelter,95,24,a,,,,0,R,men,false,4", "line 2: lat: Expected `float` <= 90.0"),
        (",A,hostel,49,24,a,,,,0,R,men,false,4", "line 2: kind: Invalid enum value 'hostel'"),
        (
            ",A,night_shelter,49,24,a,,,,0,R,martians,false,4",
            "line 2: restriction: Invalid enum value 'martians'",
        ),
        (",A,night_shelter,49,24,a,,,,0,R,men,maybe,4", "line 2: accessible 'maybe' is not true or false"),
        (",A,night_shelter,49,24,a,,,,0,R,men,false,", "line 2: beds is empty"),
        (",A,night_shelter,49,24,a,,,,0,R,men,false,4.5", "line 2: beds '4.5' is not a whole number"),
        ("not-a-uuid,A,night_shelter,49,24,a,,,,0,R,men,false,4", "line 2: id 'not-a-uuid' is not a UUID"),
        (",A,night_shelter,49,24,a,Mars/Base,,,0,R,men,false,4", "line 2: Unknown timezone 'Mars/Base'"),
        (",,night_shelter,49,24,a,,,,0,R,men,false,4", "line 2: name is empty"),
        (",A,night_shelter,49,24,a,,,,0,R,men", "line 2: 12 cells, but the header names 14 columns"),
    ],
)
def test_a_bad_cell_is_refused_with_its_line(row: str, expected: str) -> None:
    found = problems(row)
    assert len(found) == 1 and found[0].startswith(expected), found


def test_a_bad_room_is_named_by_its_own_line() -> None:
    found = problems(
        ",A,night_shelter,49,24,a,,,,0,R1,men,false,4",
        ",A,night_shelter,49,24,a,,,,0,R2,men,false,100000",
    )
    assert len(found) == 1 and found[0].startswith("line 3: beds: Expected `int` <="), found


def test_room_names_must_differ_within_a_site_as_in_the_api() -> None:
    found = problems(
        ",A,night_shelter,49,24,a,,,,0,R,men,false,4", ",A,night_shelter,49,24,a,,,,0,R,men,false,4"
    )
    assert found == ["line 2: Room names must differ within a site."]


def test_a_sites_rows_must_agree_and_stay_together() -> None:
    found = problems(
        f"{SHELTER_ID},A,night_shelter,49,24,a,,,,0,R1,men,false,4",
        f"{SHELTER_ID},A,night_shelter,49,24,a,,,,5,R2,men,false,4",
        ",B,night_shelter,49,24,b,,,,0,R1,men,false,4",
        f"{SHELTER_ID},A,night_shelter,49,24,a,,,,0,R3,men,false,4",
    )
    assert found == [
        "line 3: site columns (mats) differ from line 2",
        "line 5: this site's rows began at line 2: keep a site's rows together",
    ]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("name,kind,lat,lon,address,room_name,beds,colour", "line 1: unknown column 'colour'"),
        ("name,kind,lat,lon,room_name,beds", "line 1: column 'address' is missing"),
        ("name,name,kind,lat,lon,address,room_name,beds", "line 1: column 'name' appears twice"),
    ],
)
def test_a_bad_header_is_refused(header: str, expected: str) -> None:
    found = problems(",A,night_shelter,49,24,a,R,4", header=header)
    assert found and found[0].startswith(expected), found


def test_a_problem_keeps_its_whole_chunk_out_and_only_that_chunk() -> None:
    rows = [f",S{n},crisis_room,49,24,a{n},,,,0,R,family,false,4" for n in range(5)]
    rows[3] = rows[3].removesuffix(",4") + ",many"  # line 5: the fourth site
    parsed = parse(*rows)
    chunks = parsed.chunks(2)
    assert [[s.first_line for s in c.sites] for c in chunks] == [[2, 3], [4, 6]]
    assert [len(parsed.problems_in(c)) for c in chunks] == [0, 1]
    assert parsed.problems_in(chunks[1])[0].line == 5
