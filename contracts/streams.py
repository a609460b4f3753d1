"""JetStream streams: one per publishing service, plus one for parked (poison) messages.

The definitions are data so that every service, the `shelterbeds` command and the deploy
manifests create the same streams. Replicas default to 1 (one machine); production sets
`SHELTERBEDS_STREAM_REPLICAS=3` (see deploy/).
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.naming import SUBJECT_ROOT, service_subjects

DAY = 24 * 3600


@dataclass(frozen=True, slots=True)
class StreamSpec:
    name: str
    subjects: tuple[str, ...]
    description: str
    max_age_seconds: int = 30 * DAY
    # JetStream drops a re-published message with a Nats-Msg-Id it saw within this window;
    # consumers stay idempotent by event id anyway (relays can be down for longer).
    duplicate_window_seconds: int = 120


BEDS = StreamSpec("SHELTER_BEDS", (service_subjects("beds"),), "Sites, holds, stays, capacity, ledger")
INTAKE = StreamSpec("SHELTER_INTAKE", (service_subjects("intake"),), "Referrals")
NOTIFICATIONS = StreamSpec("SHELTER_NOTIFICATIONS", (service_subjects("notifications"),), "Alert deliveries")
PARKED = StreamSpec(
    "SHELTER_PARKED",
    (f"{SUBJECT_ROOT}.parked.>",),
    "Poison messages a consumer gave up on, with the reason in headers",
    max_age_seconds=90 * DAY,
)

ALL_STREAMS: tuple[StreamSpec, ...] = (BEDS, INTAKE, NOTIFICATIONS, PARKED)
STREAM_OF_SERVICE = {"beds": BEDS, "intake": INTAKE, "notifications": NOTIFICATIONS}
