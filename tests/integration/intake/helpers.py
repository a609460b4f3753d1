"""Request bodies for the intake API, built the way a referrer's phone would send them."""

from __future__ import annotations

from typing import Any

from tests.support.sites import party

OLENA = {
    "name": "Olena Kovalenko",
    "birth_year": 1991,
    "phone": "+380501234567",
    "notes": "husband looks for her",
}


def referral(
    adults: int = 1,
    children: int = 0,
    gender: str = "male",
    *,
    source: str = "patrol",
    lat: float = 49.8412,
    lon: float = 24.0312,
    urgency: str = "urgent",
    **kw: Any,
) -> dict[str, Any]:
    return {
        "source": source,
        "party": party(adults, children, gender),
        "location": {"lat": lat, "lon": lon},
        "urgency": urgency,
        **kw,
    }
