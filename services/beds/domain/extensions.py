"""A request to extend a stay past its limit: the crisis team (or the site's staff) asks, a
supervisor grants or refuses. Only a grant moves the limit (through the supervisor's own
extension, audited as before); the request keeps who asked, for how long and why, so that a
supervisor sees what is pending and the team sees the answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from common.errors import Conflict, RuleViolation
from services.beds.domain.stays import MAX_EXTENSION_DAYS, Stay

RequestStatus = Literal["pending", "granted", "refused"]
REQUEST_STATUSES: tuple[RequestStatus, ...] = ("pending", "granted", "refused")
MAX_REASON = 1000


@dataclass(eq=False)
class ExtensionRequest:
    id: str
    stay_id: str
    group_id: str
    site_id: str
    days: int
    reason: str
    requested_by: str
    requested_at: datetime
    team_id: str | None = None
    status: RequestStatus = "pending"
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str | None = None

    def decide(self, *, grant: bool, by: str, note: str | None, now: datetime) -> None:
        if self.status != "pending":
            raise Conflict(f"This request was already {self.status}.", code="extension-decided")
        if not grant and not (note or "").strip():
            raise RuleViolation("Say why the extension is refused.", code="reason-required")
        self.status = "granted" if grant else "refused"
        self.decided_by = by
        self.decided_at = now
        self.note = (note or "").strip() or None


def ask_for_extension(
    request_id: str,
    stay: Stay,
    days: int,
    reason: str,
    *,
    by: str,
    team_id: str | None,
    pending: ExtensionRequest | None,
    now: datetime,
) -> ExtensionRequest:
    """One pending request per family: a second would ask the supervisor the same thing twice."""
    if not reason.strip():
        raise RuleViolation("An extension request needs a reason.", code="reason-required")
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise RuleViolation(f"Ask for 1 to {MAX_EXTENSION_DAYS} days.", code="invalid-extension")
    if not stay.open:
        raise Conflict("This stay has already ended.", code="stay-ended")
    if stay.limit_at is None:
        raise RuleViolation("This stay has no limit to extend.", code="no-stay-limit")
    if pending is not None:
        raise Conflict(
            "An extension for this family is already waiting for a supervisor.", code="extension-pending"
        )
    return ExtensionRequest(
        id=request_id,
        stay_id=stay.id,
        group_id=stay.group_id,
        site_id=stay.site_id,
        days=days,
        reason=reason.strip(),
        requested_by=by,
        requested_at=now,
        team_id=team_id,
    )
