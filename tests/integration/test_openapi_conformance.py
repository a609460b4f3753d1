"""The OpenAPI document says what the service does (issue 17, item 14): schemathesis sends what
the document allows, and what it forbids, to each live service; every answer must be one the
document lists (status and content type), and none may be a server error."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import hypothesis.errors
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, Phase
from litestar import Litestar
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from services.beds.app import create_app as create_beds
from services.intake.app import create_app as create_intake
from services.notifications.app import create_app as create_notifications
from tests.support.databases import Databases
from tests.support.nats_server import free_port
from tests.support.service import service_settings
from tests.support.sites import night_shelter

APPS: dict[str, Callable[..., Litestar]] = {
    "beds": create_beds,
    "intake": create_intake,
    "notifications": create_notifications,
}
EXAMPLES_PER_OPERATION = 6
PROBLEM = "application/problem+json"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]


class LiveService:
    """The app served by uvicorn on a free port, in a thread with its own event loop (the
    runtime's connections belong to that loop), as a client would reach it."""

    def __init__(self, app: Litestar):
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    async def __aenter__(self) -> LiveService:
        self.thread.start()
        for _ in range(400):
            if self.server.started:
                return self
            await asyncio.sleep(0.05)
        raise TimeoutError("uvicorn did not start")

    async def __aexit__(self, *exc: object) -> None:
        self.server.should_exit = True
        await asyncio.to_thread(self.thread.join, 30)

    def token(self, role: str, **kwargs: Any) -> str:
        return str(self.app.state.runtime.tokens.issue(role, **kwargs))


@pytest.fixture(params=list(APPS))
async def live(
    request: pytest.FixtureRequest, databases: Databases, nats_url: str, data_dir: Path
) -> AsyncIterator[tuple[str, LiveService]]:
    service = str(request.param)
    settings = service_settings(
        service, database_url=await databases.fresh(service, "sqlite"), nats_url=nats_url, data_dir=data_dir
    )
    async with LiveService(APPS[service](settings)) as running:
        yield service, running


def fuzz(url: str, callers: dict[str, dict[str, str]]) -> list[str]:
    """Every operation, positive and negative cases, each case sent as every caller (generating
    the cases is most of the cost, and derandomized they were the same for each caller anyway);
    the failures, one line each."""
    schema = schemathesis.openapi.from_url(f"{url}/schema/openapi.json")
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                failures += fuzz_one(operation, mode, url, callers)
            except hypothesis.errors.Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE, operation.label  # nothing there to break
    return failures


def fuzz_one(operation: Any, mode: GenerationMode, url: str, callers: dict[str, dict[str, str]]) -> list[str]:
    failures: list[str] = []

    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis.settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def one(case: Any) -> None:
        for caller, headers in callers.items():
            response = case.call(base_url=url, headers=headers, timeout=30)
            try:
                case.validate_response(response, checks=CHECKS)
            except (Failure, FailureGroup) as exc:
                failures.append(
                    f"as {caller}: {operation.label} [{mode}] {response.status_code}: {exc}"[:600]
                )

    one()
    return failures


async def test_every_answer_is_in_the_openapi_document_and_none_is_a_server_error(
    live: tuple[str, LiveService],
) -> None:
    service, running = live
    admin = running.token("admin")
    callers = {"admin": admin, "anonymous": None}
    if service == "beds":
        # one real site, so that some generated calls get past "not found", and its staff
        async with httpx.AsyncClient(base_url=running.url) as client:
            created = await client.post(
                "/api/v1/sites", json=night_shelter(), headers={"Authorization": f"Bearer {admin}"}
            )
            assert created.status_code == 201, created.text
        callers["staff"] = running.token("shelter_staff", site_ids=[created.json()["id"]])
    headers = {
        caller: {"Authorization": f"Bearer {token}"} if token else {} for caller, token in callers.items()
    }
    failures = await asyncio.to_thread(fuzz, running.url, headers)
    assert not failures, "\n".join(failures[:20])


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    methods = {"get", "post", "put", "patch", "delete"}
    return [(path, m, op) for path, item in doc["paths"].items() for m, op in item.items() if m in methods]


@pytest.mark.parametrize("service", list(APPS))
async def test_every_operation_documents_its_errors_as_problem_details(
    service: str, databases: Databases, nats_url: str, data_dir: Path
) -> None:
    settings = service_settings(
        service, database_url=await databases.fresh(service, "sqlite"), nats_url=nats_url, data_dir=data_dir
    )
    async with (
        LiveService(APPS[service](settings)) as running,
        httpx.AsyncClient(base_url=running.url) as client,
    ):
        doc = (await client.get("/schema/openapi.json")).json()
    problem = doc["components"]["schemas"]["ProblemDetails"]
    assert {"type", "title", "status", "detail"} <= set(problem["required"])
    for path, method, operation in _operations(doc):
        public = path.startswith(("/health/", "/metrics", "/schema", "/api/v1/open-data/"))
        errors = {code: r for code, r in operation["responses"].items() if int(code) >= 400}
        for code, response in errors.items():
            assert list(response["content"]) == [PROBLEM], (method, path, code)
            assert response["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/ProblemDetails"}
        if public:
            assert operation["security"] == [], (method, path)
        else:
            assert "401" in errors and "WWW-Authenticate" in errors["401"]["headers"], (method, path)
            assert "security" not in operation, (method, path)
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= set(errors), (method, path)
        if method in {"post", "patch", "delete"} and not public:
            names = [p["name"] for p in operation.get("parameters", [])]
            assert "Idempotency-Key" in names, (method, path)
    if service == "beds":
        schemas = doc["components"]["schemas"]
        assert "at least one person" in schemas["PartyIn"]["description"].lower()
        for name in ("SiteIn", "RoomIn", "PartyIn", "NeedsIn", "HoldIn", "CheckinIn", "SitePatch"):
            assert schemas[name]["additionalProperties"] is False, name
        assert "503" in doc["paths"]["/health/ready"]["get"]["responses"]
    assert doc["paths"]["/schema/openapi.json"]["get"]["security"] == []
