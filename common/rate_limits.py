"""Rate limits, with litestar's own middleware (`RateLimitConfig`), so that a stolen token or a
script cannot flood a service:

- every write (POST, PUT, PATCH, DELETE) per token subject: `writes_per_minute` (default 120,
  `SHELTERBEDS_WRITES_PER_MINUTE`) — a busy front desk does a few a minute;
- routes that need no token and could be hammered anonymously — sign-in (pages) and open data
  (reports) — per client address, `address_requests_per_minute` (default 60), when they say so:
  `opt={BY_ADDRESS: True}` (`by_address()`).

Over the limit: 429 problem with `RateLimit-*` headers, in every service's OpenAPI. The counts
live in each process's memory: behind N replicas a caller gets up to N times the limit, which
still bounds a flood; a shared store (litestar's Redis store) would make it exact."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig, get_remote_address

BY_ADDRESS = "rate_limited_by_address"
READS = frozenset({"GET", "HEAD", "OPTIONS"})


def by_address(**opt: Any) -> dict[str, Any]:
    return {BY_ADDRESS: True, **opt}


def _caller(request: Request[Any, Any, Any]) -> str:
    return f"token:{request.scope['user'].subject}"


def _address(request: Request[Any, Any, Any]) -> str:
    return f"address:{get_remote_address(request)}"


def _is_a_write_with_a_token(request: Request[Any, Any, Any]) -> bool:
    return request.method not in READS and request.scope.get("user") is not None


def _asks_by_address(request: Request[Any, Any, Any]) -> bool:
    return bool(request.scope["route_handler"].opt.get(BY_ADDRESS))


def rate_limits(writes_per_minute: int, address_requests_per_minute: int) -> list[DefineMiddleware]:
    return [
        RateLimitConfig(
            rate_limit=("minute", writes_per_minute),
            identifier_for_request=_caller,
            check_throttle_handler=_is_a_write_with_a_token,
            store="rate_limit_writes",
        ).middleware,
        RateLimitConfig(
            rate_limit=("minute", address_requests_per_minute),
            identifier_for_request=_address,
            check_throttle_handler=_asks_by_address,
            store="rate_limit_addresses",
        ).middleware,
    ]
