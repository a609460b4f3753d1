"""The page of every list endpoint of every service: `limit` (1..MAX_PAGE) and `offset`. Above
the cap the request is refused with a 400 problem that names the parameter and its bounds, and
the bounds are in each service's OpenAPI (issue 24: a list never answers with everything)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, TypeVar

from litestar.params import QueryParameter

MAX_PAGE = 200
MAX_OFFSET = 1_000_000

# Rows of a figures table (one per site and night): many small rows, so a larger page.
MAX_ROWS = 5000

Limit = Annotated[
    int,
    QueryParameter(
        ge=1,
        le=MAX_PAGE,
        description=f"at most {MAX_PAGE} per page (more is a 400); a page shorter than `limit` is the last",
    ),
]
RowLimit = Annotated[
    int,
    QueryParameter(
        ge=1,
        le=MAX_ROWS,
        description=f"at most {MAX_ROWS} rows per page (more is a 400); a shorter page is the last",
    ),
]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="how many to skip")]
T = TypeVar("T")


def page_of(items: Sequence[T], limit: int | None, offset: int = 0) -> list[T]:
    """One page of an ordered list; `limit` None: all of it (a caller inside the service)."""
    return list(items[offset:] if limit is None else items[offset : offset + limit])
