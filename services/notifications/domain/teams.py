"""Teams and their channels: who can be told, and how. Plain values, validated here so that a
controller, a test and the command line refuse the same bad input with the same words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit

from common.errors import RuleViolation

TeamKind = Literal["patrol", "mobile_crisis", "shelter_staff", "supervisors"]
Language = Literal["uk", "en"]
TeamStatus = Literal["on_call", "on_trip", "off"]
ChannelKind = Literal["webhook", "telegram", "email"]

# A channel that has failed every attempt for this long is marked broken and shown to admins.
BROKEN_AFTER = timedelta(days=1)


@dataclass
class Team:
    id: str
    kind: TeamKind
    name: str
    language: Language = "uk"
    site_ids: frozenset[str] = frozenset()
    status: TeamStatus = "off"
    lat: float | None = None
    lon: float | None = None
    status_at: datetime | None = None


def check_team(kind: TeamKind, site_ids: frozenset[str]) -> None:
    """Only a site's staff work at sites; a staff team without a site would hear nothing."""
    if kind == "shelter_staff" and not site_ids:
        raise RuleViolation(
            "A shelter_staff team names the sites it works at (sites: [...]).", code="no-sites"
        )
    if kind != "shelter_staff" and site_ids:
        raise RuleViolation(
            f"Only a shelter_staff team names sites; a {kind} team hears by its kind.",
            code="sites-not-allowed",
        )


@dataclass
class Channel:
    id: str
    team_id: str
    kind: ChannelKind
    target: str  # the webhook URL, the Telegram chat id, or the e-mail address
    secret: str | None = None
    created_at: datetime | None = None
    failing_since: datetime | None = None
    broken: bool = False


def check_webhook_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RuleViolation(
            "A webhook URL must be an http:// or https:// URL with a host.", code="bad-webhook-url"
        )


def check_email_address(address: str) -> None:
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in address):
        raise RuleViolation("An e-mail address looks like name@example.org.", code="bad-email-address")


def check_telegram_chat(chat_id: str) -> None:
    # A numeric chat id (groups are negative) or a public @channel name.
    numeric = chat_id.lstrip("-").isdigit()
    if not (numeric or (chat_id.startswith("@") and chat_id[1:].replace("_", "").isalnum())):
        raise RuleViolation(
            "A Telegram chat_id is a number (e.g. -1001234567890) or @channelname.", code="bad-chat-id"
        )


def status_with_place(status: TeamStatus, lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        raise RuleViolation("Give both lat and lon, or neither.", code="half-a-position")
