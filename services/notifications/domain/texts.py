# ruff: noqa: RUF001 - Ukrainian texts are Cyrillic on purpose
"""What a team reads on a phone's lock screen: short, in its language (Ukrainian by default),
with the site, the party's size and the time left. Built only from an alert's facts, which hold
no names or phones; a confidential site is "crisis room" and a short id, never its name or
address. A DV referral's alerts (and a referral held at a confidential site) say "crisis room",
the referral's id and what happened: nothing more, not even the site's id."""

from __future__ import annotations

from datetime import datetime

from services.notifications.domain.alerts import Alert
from services.notifications.domain.teams import Language

TEMPLATES: dict[str, dict[Language, str]] = {
    "on_the_way": {
        "uk": "{site}: їдуть {party} ос., бронь ще {left}",
        "en": "{site}: {party} on the way, hold {left} left",
    },
    "on_the_way_unacknowledged": {
        "uk": "Без відповіді: {site}, {party} ос. в дорозі, бронь ще {left}",
        "en": "No answer: {site}, {party} on the way, hold {left} left",
    },
    "on_the_way_acknowledged": {
        "uk": "{site} знає, що ви їдете ({party} ос.)",
        "en": "{site} knows you are coming ({party})",
    },
    "hold_expiring": {"uk": "{site}: бронь спливає за {left}", "en": "{site}: hold ends in {left}"},
    "hold_expired": {"uk": "{site}: бронь скінчилась", "en": "{site}: hold expired"},
    "overflow": {
        "uk": "{site}: ліжка зайняті, у хід пішли мати ({count})",
        "en": "{site}: beds full, mats in use ({count})",
    },
    "over_capacity": {"uk": "{site}: понад місткість ({count})", "en": "{site}: over capacity ({count})"},
    "stay_limit_approaching": {
        "uk": "{site}: ліміт перебування за {left}",
        "en": "{site}: stay limit in {left}",
    },
    "stay_limit_reached": {"uk": "{site}: ліміт перебування досягнуто", "en": "{site}: stay limit reached"},
    "cold_weather": {
        "uk": "{site}: режим холоду, матів {count}",
        "en": "{site}: cold-weather mode, {count} mats",
    },
    "beds_free_again": {"uk": "{site}: знову є ліжка ({count})", "en": "{site}: beds free again ({count})"},
    "referral_received": {
        "uk": "Направлення #{ref} прийнято: {party} ос., шукаємо місце",
        "en": "Referral #{ref} received: {party}, looking for a place",
    },
    "referral_placed": {
        "uk": "Направлення #{ref}: місце в {site} для {party} ос., ще {left}",
        "en": "Referral #{ref}: place at {site} for {party}, {left} left",
    },
    "referral_waitlisted": {
        "uk": "Направлення #{ref} в черзі, позиція {count}",
        "en": "Referral #{ref} waitlisted, position {count}",
    },
    "referral_offered": {
        "uk": "Направлення #{ref}: пропонують {site} для {party} ос.",
        "en": "Referral #{ref}: {site} offered for {party}",
    },
    "referral_expiring": {
        "uk": "Направлення #{ref}: бронь ({site}) спливає за {left}",
        "en": "Referral #{ref}: hold at {site} ends in {left}",
    },
    "referral_expired": {"uk": "Направлення #{ref}: час вийшов", "en": "Referral #{ref}: expired"},
    "referral_arrived": {
        "uk": "Направлення #{ref}: прибули ({site})",
        "en": "Referral #{ref}: arrived at {site}",
    },
    "referral_released": {
        "uk": "Направлення #{ref}: місце ({site}) звільнено",
        "en": "Referral #{ref}: place at {site} released",
    },
    "referral_cancelled": {"uk": "Направлення #{ref} скасовано", "en": "Referral #{ref} cancelled"},
}

# A DV referral, or one held at a confidential site: "crisis room", the referral's id, what happened.
IN_CONFIDENCE: dict[str, dict[Language, str]] = {
    "on_the_way_acknowledged": {"uk": "знають, що ви їдете", "en": "they know you are coming"},
    "referral_received": {"uk": "шукаємо місце", "en": "looking for a place"},
    "referral_placed": {"uk": "місце є", "en": "place held"},
    "referral_waitlisted": {"uk": "у черзі", "en": "waitlisted"},
    "referral_offered": {"uk": "пропонують місце", "en": "place offered"},
    "referral_expiring": {"uk": "бронь спливає", "en": "hold ending"},
    "referral_expired": {"uk": "час вийшов", "en": "expired"},
    "referral_arrived": {"uk": "прибули", "en": "arrived"},
    "referral_released": {"uk": "місце звільнено", "en": "place released"},
    "referral_cancelled": {"uk": "скасовано", "en": "cancelled"},
}

CRISIS_ROOM: dict[Language, str] = {"uk": "кризова кімната", "en": "crisis room"}
SITE: dict[Language, str] = {"uk": "притулок", "en": "site"}
MINUTES: dict[Language, str] = {"uk": "хв", "en": "min"}
HOURS: dict[Language, str] = {"uk": "год", "en": "h"}
DAYS: dict[Language, str] = {"uk": "дн", "en": "d"}


def short_id(value: str | None) -> str:
    return (value or "")[:8]


def site_label(alert: Alert, public_name: str | None, language: Language) -> str:
    facts = alert.facts
    if facts.site_id is None:
        return ""
    if facts.confidential:
        return f"{CRISIS_ROOM[language]} #{short_id(facts.site_id)}"
    return public_name or f"{SITE[language]} #{short_id(facts.site_id)}"


def time_left(due: datetime | None, now: datetime, language: Language) -> str:
    if due is None:
        return "?"
    minutes = max(0, int((due - now).total_seconds() // 60))
    if minutes < 120:
        return f"{minutes} {MINUTES[language]}"
    if minutes < 48 * 60:
        return f"{minutes // 60} {HOURS[language]}"
    return f"{minutes // (24 * 60)} {DAYS[language]}"


def text(alert: Alert, *, language: Language, public_name: str | None, now: datetime) -> str:
    if alert.facts.confidential and alert.kind in IN_CONFIDENCE:
        what = IN_CONFIDENCE[alert.kind][language]
        return f"{CRISIS_ROOM[language]} · #{short_id(alert.facts.subject_id)}: {what}"
    template = TEMPLATES[alert.kind][language]
    return template.format(
        ref=short_id(alert.facts.subject_id),
        site=site_label(alert, public_name, language),
        party=alert.facts.party_size if alert.facts.party_size is not None else "?",
        left=time_left(alert.facts.due_at, now, language),
        count=alert.facts.count if alert.facts.count is not None else "?",
    )
