"""One Prometheus registry per service process, with the metrics every service shares.

Labels are route templates, event types and consumer names: never ids, never personal data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST
# litestar appends `; charset=utf-8` to every text/* media type itself; naming it here too
# answered it twice.
MEDIA_TYPE = CONTENT_TYPE.removesuffix("; charset=utf-8")


class ServiceMetrics:
    def __init__(self, service: str):
        self.service = service
        self.registry = r = CollectorRegistry(auto_describe=True)
        self.info = Gauge(
            "shelterbeds_service_info", "Which service this process runs", ["service"], registry=r
        )
        self.info.labels(service=service).set(1)
        self.http_requests = Counter(
            "shelterbeds_http_requests_total",
            "HTTP requests by route template and status",
            ["method", "route", "status"],
            registry=r,
        )
        self.http_duration = Histogram(
            "shelterbeds_http_request_duration_seconds",
            "HTTP request latency by route template",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=r,
        )
        self.events_published = Counter(
            "shelterbeds_events_published_total",
            "Events relayed from the outbox to JetStream",
            ["type"],
            registry=r,
        )
        self.events_consumed = Counter(
            "shelterbeds_events_consumed_total",
            "Events handled by a consumer, by outcome (applied, duplicate, ignored, retried, parked)",
            ["consumer", "type", "outcome"],
            registry=r,
        )
        self.events_parked = Counter(
            "shelterbeds_events_parked_total",
            "Poison events parked after the last try",
            ["consumer"],
            registry=r,
        )
        self.outbox_pending = Gauge(
            "shelterbeds_outbox_pending_events", "Events written but not yet relayed", registry=r
        )
        self.outbox_lag = Gauge(
            "shelterbeds_outbox_lag_seconds", "Age of the oldest event not yet relayed", registry=r
        )
        self.relay_errors = Counter(
            "shelterbeds_outbox_relay_errors_total",
            "Relay batches that failed and will be retried",
            registry=r,
        )
        self.clock_actions = Counter(
            "shelterbeds_clock_actions_total", "Due work done by the clocks", ["action"], registry=r
        )
        self.clock_leader = Gauge(
            "shelterbeds_clock_leader", "1 while this replica holds the clocks lease", registry=r
        )

        # What a service measures only when asked (beds: occupancy by site kind), run per scrape.
        self.refreshers: list[Callable[[], Awaitable[None]]] = []

    async def refresh(self) -> None:
        for refresh in self.refreshers:
            await refresh()

    def render(self) -> bytes:
        return generate_latest(self.registry)
