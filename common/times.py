"""Dates and times from outside are kept within a sane span of years, so that no arithmetic on
them (a night's bounds, a time zone shift, "30 days before") can overflow into a 500."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

MIN_YEAR = 1970
MAX_YEAR = 2100

AwareTime = Annotated[datetime, msgspec.Meta(tz=True)]
_Day = Annotated[date, msgspec.Meta()]


class OutOfRange(ValueError):
    pass


def check_year(name: str, value: date | datetime | None) -> None:
    """Raises ValueError (msgspec turns it into a 400 naming the Struct) for a far-off year."""
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise OutOfRange(f"{name} must lie between the years {MIN_YEAR} and {MAX_YEAR}")


def day_or_time(name: str, value: str) -> date:
    """A date (`2026-11-23`) or an RFC 3339 time with offset (`2026-11-23T20:00:00+02:00`, the
    date it falls on where it was written), within the sane span of years."""
    day: date
    try:
        day = msgspec.convert(value, _Day)
    except msgspec.ValidationError:
        try:
            day = msgspec.convert(value, AwareTime).date()
        except msgspec.ValidationError:
            raise OutOfRange(
                f"{name} must be a date (2026-11-23) or an RFC 3339 time with offset "
                "(2026-11-23T20:00:00+02:00)"
            ) from None
    check_year(name, day)
    return day
