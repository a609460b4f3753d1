"""The page of every list endpoint of every service: `limit` (1..MAX_PAGE) and `offset`. Above
the cap the request is refused with a 400 problem that names the parameter and its bounds, and
the bounds are in each service's OpenAPI (issue 24: a list never answers with everything)."""

from __future__ import annotations

from typing import Annotated

from litestar.params import QueryParameter

MAX_PAGE = 200
MAX_OFFSET = 1_000_000

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description=f"at most {MAX_PAGE} per page")]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="how many to skip")]
