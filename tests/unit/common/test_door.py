"""What the door refuses before decoding: too deep, not a UUID, a date out of any sane range."""

from __future__ import annotations

from datetime import date

import pytest

from common.bodies import MAX_DEPTH, too_deep
from common.ids import is_uuid
from common.times import OutOfRange, day_or_time


@pytest.mark.parametrize(
    ("body", "deep"),
    [
        (b"[" * MAX_DEPTH + b"]" * MAX_DEPTH, False),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), True),
        (b'{"party":' + b"[" * 968 + b"]" * 968 + b"}", True),
        (b'{"a": "' + b"[" * 100 + b'"}', False),  # brackets inside a string
        (b'{"a": "\\"' + b"[" * 100 + b'"}', False),  # ...after an escaped quote
        (b'{"a": "\\\\"' + b"[" * 40 + b"]" * 40 + b"}", True),  # an escaped backslash ends nothing
        (b"[" + b"[]," * 100 + b"[]]", False),  # wide is not deep
        (b'{"rooms": [' + b'{"beds": [1, {"b": [2]}]},' * 50 + b"{}]}", False),
    ],
)
def test_nesting_is_measured_outside_strings(body: bytes, deep: bool) -> None:
    assert too_deep(body) is deep


def test_a_hostile_megabyte_is_measured_in_one_pass() -> None:
    # an unterminated string full of escaped quotes made a regex scan quadratic (hours for this);
    # the suite's timeout is what would fail here, not a timing assertion
    assert too_deep(b'"' + b'\\"' * 500_000 + b"[" * 40) is False
    assert too_deep(b"[" * 999_000) is True
    assert too_deep(b"[]" * 500_000) is False


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("3f2b8c1e-5d4a-4b6f-9e2d-7a1c0b9e8f10", True),
        ("3F2B8C1E-5D4A-4B6F-9E2D-7A1C0B9E8F10", True),
        ("3f2b8c1e5d4a4b6f9e2d7a1c0b9e8f10", False),
        ("{3f2b8c1e-5d4a-4b6f-9e2d-7a1c0b9e8f10}", False),
        ("Olena Testova +380501112233", False),
        ("", False),
    ],
)
def test_only_hyphenated_uuids_are_ids(value: str, ok: bool) -> None:
    assert is_uuid(value) is ok


def test_a_day_is_a_date_or_an_rfc_3339_time() -> None:
    assert day_or_time("from", "2026-11-23") == date(2026, 11, 23)
    assert day_or_time("from", "2026-11-23T23:30:00-05:00") == date(2026, 11, 23)
    for bad in ("garbage", "2026-11-23T20:00:00", "23.11.2026", "0001-01-01", "9999-12-31T23:59:59Z"):
        with pytest.raises(OutOfRange, match="from"):
            day_or_time("from", bad)
