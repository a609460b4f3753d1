"""What every service answers the same way: health, readiness, metrics, OpenAPI with offline docs,
tokens (401/403 as problem details), and a request id on every answer."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest

from services.beds.app import create_app as create_beds
from services.intake.app import create_app as create_intake
from services.notifications.app import create_app as create_notifications
from tests.support.databases import Databases
from tests.support.nats_server import free_port
from tests.support.service import SECRET, Service, running, service_settings
from tests.support.sites import night_shelter

ELSEWHERE = "5b0c3a8e-1f2d-4e6a-9b7c-0d1e2f3a4b5c"
APPS = {"beds": create_beds, "intake": create_intake, "notifications": create_notifications}


@pytest.mark.parametrize("service", list(APPS))
async def test_every_service_answers_health_metrics_and_openapi(
    service: str, databases: Databases, backend: str, nats_url: str, data_dir: Path
) -> None:
    settings = service_settings(
        service, database_url=await databases.fresh(service, backend), nats_url=nats_url, data_dir=data_dir
    )
    async with running(APPS[service], settings) as app:
        assert (await app.get("/health/live")).json()["status"] == "ok"
        ready = (await app.get("/health/ready")).json()
        assert ready["checks"] == {"database": "ok", "nats": "ok"}
        metrics = await app.get("/metrics")
        assert metrics.status_code == 200
        assert metrics.headers["content-type"] == "text/plain; version=1.0.0; charset=utf-8"
        assert "shelterbeds_http_requests_total" in metrics.text
        spec = (await app.get("/schema/openapi.json")).json()
        assert spec["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
        assert any(path.startswith("/api/v1/") for path in spec["paths"])


async def test_not_ready_until_nats_answers(databases: Databases, data_dir: Path) -> None:
    nowhere = f"nats://127.0.0.1:{free_port()}"
    settings = service_settings(
        "beds", database_url=await databases.fresh("beds", "sqlite"), nats_url=nowhere, data_dir=data_dir
    )
    app = create_beds(settings)
    runtime = app.state.runtime
    await runtime.start()
    try:
        import httpx

        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            response = await client.get("/health/ready")
            assert response.status_code == 503
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["checks"]["database"] == "ok"
            assert response.json()["checks"]["nats"].startswith("failing")
            # ...while HTTP itself works: writes wait in the outbox for NATS.
            admin = runtime.tokens.issue("admin")
            created = await client.post(
                "/api/v1/sites", json=night_shelter(), headers={"Authorization": f"Bearer {admin}"}
            )
            assert created.status_code == 201
            assert await runtime.relay.pending_count() > 0
    finally:
        await runtime.stop()


async def test_metrics_count_routes_by_template_not_raw_path(beds: Service) -> None:
    admin = beds.token("admin")
    for _ in range(3):
        await beds.get("/api/v1/sites/some-id-that-does-not-exist", admin)
    text = (await beds.get("/metrics")).text
    assert 'route="/api/v1/sites/{site_id}"' in text
    assert "some-id-that-does-not-exist" not in text
    assert re.search(r'route="unmatched",status="404"', (await _after_unmatched(beds)).text)


async def _after_unmatched(beds: Service):  # type: ignore[no-untyped-def]
    await beds.get("/no/such/path")
    return await beds.get("/metrics")


async def test_the_docs_page_works_offline(beds: Service) -> None:
    page = await beds.get("/schema")
    assert page.status_code == 200
    assert "https://" not in page.text and "http://" not in page.text.replace("http://testserver", "")
    for asset in re.findall(r'(?:src|href)="(/schema/assets/[^"]+)"', page.text):
        assert (await beds.get(asset)).status_code == 200


async def test_every_answer_carries_a_request_id(beds: Service) -> None:
    response = await beds.get("/api/v1/sites", headers={"X-Request-ID": "door-tablet-42"})
    assert response.headers["x-request-id"] == "door-tablet-42"
    assert response.json()["request_id"] == "door-tablet-42"
    assert len((await beds.get("/health/live")).headers["x-request-id"]) == 32


def _forged(**claims: object) -> str:
    now = datetime.now(UTC)
    body = {
        "iss": "shelterbeds",
        "aud": "shelterbeds",
        "sub": "x",
        "role": "admin",
        "iat": int(now.timestamp()),
    }
    body["exp"] = int((now + timedelta(hours=1)).timestamp())
    body.update(claims)
    return jwt.encode(body, str(body.pop("_secret", SECRET)), algorithm="HS256")


@pytest.mark.parametrize(
    ("token", "why"),
    [
        (None, "no token"),
        ("not-a-jwt", "garbage"),
        (_forged(_secret="another-secret-that-is-long-enough-for-hs256"), "signed with another secret"),
        (_forged(exp=int((datetime.now(UTC) - timedelta(minutes=1)).timestamp())), "expired"),
        (_forged(role="janitor"), "unknown role"),
        (_forged(aud="elsewhere"), "wrong audience"),
        (_forged(role="shelter_staff", sites=ELSEWHERE), "sites as a string, not a list"),
        (_forged(role="shelter_staff", sites=["the shelter on Main street"]), "a site that is no id"),
        (_forged(sub=""), "empty subject"),
        (_forged(sub=7), "subject not a string"),
        (_forged(role="patrol", team=""), "empty team"),
        (_forged(role="patrol", team=["north"]), "team not a string"),
        (_forged(role=None), "no role"),
    ],
)
async def test_a_missing_forged_or_expired_token_gets_401_problem(
    beds: Service, token: str | None, why: str
) -> None:
    response = await beds.get("/api/v1/sites", token)
    assert response.status_code == 401, why
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert {"status", "title", "detail"} <= response.json().keys()


async def test_the_wrong_role_gets_403_problem(beds: Service) -> None:
    response = await beds.post("/api/v1/sites", beds.token("patrol"), night_shelter())
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "admin" in response.json()["detail"]


async def test_a_token_printed_by_shelterbeds_token_is_accepted(
    beds: Service, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from shelterbeds.cli import main

    monkeypatch.setenv("SHELTERBEDS_SECRET", SECRET)
    assert main(["token", "--role", "shelter_staff", "--site", ELSEWHERE, "--data-dir", str(data_dir)]) == 0
    token = capsys.readouterr().out.strip()
    assert (await beds.get("/api/v1/sites", token)).status_code == 200
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience="shelterbeds")
    assert claims["role"] == "shelter_staff" and claims["sites"] == [ELSEWHERE]


async def test_the_token_cookie_is_accepted_for_pages(beds: Service) -> None:
    token = beds.token("supervisor")
    response = await beds.http.get("/api/v1/sites", headers={"cookie": f"shelterbeds_token={token}"})
    assert response.status_code == 200, response.text
    forged = _forged(_secret="another-secret-that-is-long-enough-for-hs256")
    refused = await beds.http.get("/api/v1/sites", headers={"cookie": f"shelterbeds_token={forged}"})
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_public_paths_need_no_token(beds: Service) -> None:
    for path in ("/health/live", "/health/ready", "/metrics", "/schema/openapi.json", "/schema"):
        assert (await beds.get(path)).status_code == 200, path
    assert (await beds.get("/api/v1/sites")).headers["www-authenticate"] == "Bearer"
