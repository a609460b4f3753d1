"""Every list of every service is paged (issue 24: no list answers with everything): walked from
each service's own OpenAPI document, so a new list endpoint without a cap fails here. A list is
an answer that is a JSON array, or an object carrying its page in `items`. Each must declare a
`limit` query parameter with a documented maximum, refuse one above it with a 400 problem that
names `limit`, and take the maximum itself."""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.integration.test_authorization_matrix import (  # noqa: F401 (fixtures)
    MATRIX,
    backend,
    notifications,
    services,
)
from tests.support.service import Service


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _is_list(schema: dict[str, Any], document: dict[str, Any]) -> bool:
    schema = _resolve(schema, document)
    if schema.get("type") == "array":
        return True
    items = schema.get("properties", {}).get("items")
    return items is not None and _resolve(items, document).get("type") == "array"


# Values for the query parameters a list needs besides its page (nearest places need a point).
REQUIRED = {"lat": "49.84", "lon": "24.03"}


def required_query(operation: dict[str, Any]) -> str:
    needed = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query" and p.get("required")]
    missing = [name for name in needed if name not in REQUIRED]
    assert not missing, f"give a value for {missing}"
    return "".join(f"&{name}={REQUIRED[name]}" for name in needed)


def list_routes(service: Service) -> list[tuple[str, dict[str, Any]]]:
    document = service.app.openapi_schema.to_schema()
    found = []
    for path, operations in document["paths"].items():
        get = operations.get("get")
        if not path.startswith("/api/") or get is None:
            continue
        content = get.get("responses", {}).get("200", {}).get("content", {})
        answer = content.get("application/json", {}).get("schema")
        if answer is not None and _is_list(answer, document):
            found.append((path, get))
    return found


async def test_every_list_endpoint_of_every_service_caps_its_page(
    services: dict[str, Service],  # noqa: F811 (the fixture)
) -> None:
    walked: dict[str, list[str]] = {}
    for name, service in services.items():
        for path, operation in list_routes(service):
            where = f"{name} GET {path}"
            walked.setdefault(name, []).append(path)
            limit = next((p for p in operation.get("parameters", []) if p["name"] == "limit"), None)
            assert limit is not None and limit["in"] == "query", f"{where}: no `limit` parameter"
            maximum = limit["schema"].get("maximum")
            assert maximum is not None and maximum <= 5000, f"{where}: `limit` has no documented maximum"
            cap = int(maximum)
            role = sorted(MATRIX[name][("GET", path)])[0]
            token = service.token(role, team=str(uuid.uuid4()), sites=[str(uuid.uuid4())])
            url = re.sub(r"{\w+}", lambda _: str(uuid.uuid4()), path)
            others = required_query(operation)
            above = await service.call("GET", f"{url}?limit={cap + 1}{others}", token, None)
            assert above.status_code == 400, f"{where}: {above.status_code} {above.text[:200]}"
            assert above.headers["content-type"].startswith("application/problem+json"), where
            assert "limit" in above.text, where
            at_cap = await service.call("GET", f"{url}?limit={cap}{others}", token, None)
            assert at_cap.status_code in (200, 404), f"{where}: {at_cap.status_code} {at_cap.text[:200]}"
    # The lists named in issue 24, and every other one there is today: none slipped past the walk.
    assert {
        "/api/v1/sites",
        "/api/v1/extension-requests",
        "/api/v1/availability",
        "/api/v1/ledger",
        "/api/v1/audit",
    } <= set(walked["beds"])
    assert {"/api/v1/referrals", "/api/v1/trips", "/api/v1/sites", "/api/v1/audit"} <= set(walked["intake"])
    assert {
        "/api/v1/teams",
        "/api/v1/teams/{team_id}/channels",
        "/api/v1/alerts",
        "/api/v1/sites",
        "/api/v1/audit",
    } <= set(walked["notifications"])


async def test_a_page_of_sites_is_the_next_sites_in_order(services: dict[str, Service]) -> None:  # noqa: F811
    beds = services["beds"]
    admin = beds.token("admin")
    for n in range(3):
        body = {
            "name": f"Shelter {n}",
            "kind": "night_shelter",
            "lat": 49.84,
            "lon": 24.03,
            "address": "street",
            "mats": 1,
        }
        assert (await beds.post("/api/v1/sites", admin, body)).status_code == 201
    supervisor = beds.token("supervisor")
    everything = [s["name"] for s in (await beds.get("/api/v1/sites", supervisor)).json()]
    first = [s["name"] for s in (await beds.get("/api/v1/sites?limit=2", supervisor)).json()]
    rest = [s["name"] for s in (await beds.get("/api/v1/sites?limit=2&offset=2", supervisor)).json()]
    assert first + rest == everything and len(first) == 2
