"""Request bodies for the beds API, built the way a client would send them."""

from __future__ import annotations

from typing import Any


def room(
    name: str = "hall", beds: int = 2, restriction: str = "any", accessible: bool = False, **kw: Any
) -> dict[str, Any]:
    return {"name": name, "restriction": restriction, "accessible": accessible, "beds": beds, **kw}


def night_shelter(name: str = "Night shelter", beds: int = 2, mats: int = 1, **kw: Any) -> dict[str, Any]:
    rooms = kw.pop("rooms", [room("hall", beds)])
    return {
        "name": name,
        "kind": "night_shelter",
        "lat": 49.84,
        "lon": 24.03,
        "address": f"{name} street 1",
        "mats": mats,
        "rooms": rooms,
        **kw,
    }


def crisis_room(name: str = "Crisis room", **kw: Any) -> dict[str, Any]:
    rooms = kw.pop("rooms", [room("A", 3, "family"), room("B", 3, "women")])
    return {
        "name": name,
        "kind": "crisis_room",
        "lat": 48.46,
        "lon": 35.04,
        "address": "made-up street 5",
        "rooms": rooms,
        **kw,
    }


def party(adults: int = 1, children: int = 0, gender: str = "male") -> dict[str, Any]:
    return {"adults": adults, "children": children, "gender": gender}
