"""The pages' frame over HTTP (no browser): sign-in and its cookie, the link, CSRF, security
headers, languages, friendly errors, and the weight of the board."""

from __future__ import annotations

import re
from argparse import Namespace
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from common.auth import COOKIE, SIGN_IN_LINK, InvalidToken, Tokens
from common.revocation import USED_LINKS_FILE, SpentLinks
from services.beds.pages.csrf import CSRF_COOKIE
from shelterbeds.token_command import sign_in_link
from tests.integration.beds.helpers import open_site as open_site_with
from tests.support.service import Service

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


async def open_site(beds: Service, *, kind: str = "night_shelter", confidential: bool = False) -> str:
    body = {
        "name": "Night shelter",
        "kind": kind,
        "lat": 49.84,
        "lon": 24.03,
        "address": "Kyrylivska 7",
        "mats": 1,
        "confidential": confidential,
        "rooms": [{"name": "Hall", "restriction": "any", "accessible": False, "beds": 2}],
    }
    return str((await open_site_with(beds, body))["id"])


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def cookies(response: httpx.Response) -> dict[str, str]:
    return {c.name: c.value for c in response.cookies.jar}


def set_cookie(response: httpx.Response, name: str) -> str:
    return next(h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}="))


async def csrf_pair(beds: Service) -> tuple[str, str]:
    page = await beds.http.get("/sign-in")
    match = CSRF_META.search(page.text)
    assert match
    return cookies(page)[CSRF_COOKIE], match.group(1)


async def test_a_stranger_is_sent_to_sign_in_and_comes_back(beds: Service) -> None:
    answer = await beds.http.get("/patrol")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=/patrol"
    cookie, token = await csrf_pair(beds)
    signed = await beds.http.post(
        "/sign-in",
        data={"token": beds.token("patrol"), "next": "/patrol", "_csrf_token": token},
        headers={"cookie": f"{CSRF_COOKIE}={cookie}"},
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/patrol"
    session = set_cookie(signed, COOKIE).lower()
    assert "httponly" in session and "secure" in session and "samesite=lax" in session


async def test_a_sign_in_without_its_csrf_token_is_refused_and_sets_nothing(beds: Service) -> None:
    cookie, _ = await csrf_pair(beds)
    refused = await beds.http.post(
        "/sign-in", data={"token": beds.token("patrol")}, headers={"cookie": f"{CSRF_COOKIE}={cookie}"}
    )
    assert refused.status_code == 403
    assert COOKIE not in cookies(refused)


async def test_a_bad_token_gets_the_form_again_in_ukrainian(beds: Service) -> None:
    cookie, token = await csrf_pair(beds)
    answer = await beds.http.post(
        "/sign-in",
        data={"token": "nonsense", "_csrf_token": token},
        headers={"cookie": f"{CSRF_COOKIE}={cookie}"},
    )
    assert answer.status_code == 401
    assert "недійсні" in answer.text and COOKIE not in cookies(answer)


async def test_only_local_paths_are_followed_after_sign_in(beds: Service) -> None:
    cookie, token = await csrf_pair(beds)
    for elsewhere in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        signed = await beds.http.post(
            "/sign-in",
            data={"token": beds.token("patrol"), "next": elsewhere, "_csrf_token": token},
            headers={"cookie": f"{CSRF_COOKIE}={cookie}"},
        )
        assert signed.headers["location"] == "/"


async def test_an_api_write_with_the_cookie_needs_the_csrf_header(beds: Service) -> None:
    site = await open_site(beds)
    staff = beds.token("shelter_staff", sites=[site])
    cookie, token = await csrf_pair(beds)
    body = {"party": {"adults": 1, "children": 0, "gender": "male"}}
    jar = f"{COOKIE}={staff}; {CSRF_COOKIE}={cookie}"
    forged = await beds.http.post(f"/api/v1/sites/{site}/checkins", json=body, headers={"cookie": jar})
    assert forged.status_code == 403
    board = await beds.get(f"/api/v1/sites/{site}/board", staff)
    assert board.json()["stays"] == []
    sent = await beds.http.post(
        f"/api/v1/sites/{site}/checkins", json=body, headers={"cookie": jar, "x-csrftoken": token}
    )
    assert sent.status_code == 201
    bearer = await beds.post(f"/api/v1/sites/{site}/checkins", staff, body)
    assert bearer.status_code == 201  # a bearer token is no ambient credential: no CSRF check


async def test_a_sign_in_link_signs_in_once_and_is_no_bearer_token(beds: Service) -> None:
    site = await open_site(beds)
    args = Namespace(role="shelter_staff", team=None, site=[site], subject=None, base_url="http://testserver")
    link = sign_in_link(beds.runtime.tokens, args)
    assert link.startswith("http://testserver/sign-in/link?token=")
    link_token = link.partition("token=")[2]
    assert (await beds.get("/api/v1/sites", link_token)).status_code == 401
    answer = await beds.http.get(link.removeprefix("http://testserver"))
    assert answer.status_code == 303 and answer.headers["location"] == f"/board/{site}"
    session = cookies(answer)[COOKIE]
    assert session != link_token
    assert (await beds.get(f"/api/v1/sites/{site}/board", session)).status_code == 200
    forged = await beds.http.get("/sign-in/link", params={"token": beds.token("admin")})
    assert forged.status_code == 401 and COOKIE not in cookies(forged)


async def test_a_sign_in_link_opens_nothing_the_second_time_even_after_a_restart(
    beds: Service, data_dir: Path
) -> None:
    site = await open_site(beds)
    args = Namespace(role="shelter_staff", team=None, site=[site], subject=None, base_url="http://testserver")
    first, second = sign_in_link(beds.runtime.tokens, args), sign_in_link(beds.runtime.tokens, args)
    used = await beds.http.get(first.removeprefix("http://testserver"))
    assert used.status_code == 303 and COOKIE in cookies(used)
    again = await beds.http.get(first.removeprefix("http://testserver"))
    assert again.status_code == 401 and COOKIE not in cookies(again)
    # What a restarted service reads: the same data dir's list of spent links.
    restarted = Tokens(beds.runtime.tokens.secret, spend_link=SpentLinks(data_dir / USED_LINKS_FILE).spend)
    with pytest.raises(InvalidToken, match="already used"):
        restarted.redeem_link(first.partition("token=")[2])
    assert restarted.redeem_link(second.partition("token=")[2]).role == "shelter_staff"  # its own jti
    assert (await beds.http.get(second.removeprefix("http://testserver"))).status_code == 401


async def test_a_link_token_made_to_live_longer_than_a_link_is_refused(beds: Service) -> None:
    long_lived = beds.runtime.tokens.issue("patrol", ttl=timedelta(hours=2), use=SIGN_IN_LINK)
    answer = await beds.http.get("/sign-in/link", params={"token": long_lived})
    assert answer.status_code == 401 and COOKIE not in cookies(answer)


async def test_an_expired_link_is_refused(beds: Service) -> None:
    from common.auth import Principal

    old = beds.runtime.tokens.sign_in_link(
        Principal("x", "patrol"), now=beds.runtime.clock.now() - timedelta(hours=1)
    )
    answer = await beds.http.get("/sign-in/link", params={"token": old})
    assert answer.status_code == 401


async def test_sign_out_forgets_the_cookie(beds: Service) -> None:
    cookie, token = await csrf_pair(beds)
    jar = f"{COOKIE}={beds.token('patrol')}; {CSRF_COOKIE}={cookie}"
    answer = await beds.http.post("/sign-out", data={"_csrf_token": token}, headers={"cookie": jar})
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in"
    assert (
        set_cookie(answer, COOKIE).startswith(f'{COOKIE}="";')
        or "max-age=0" in set_cookie(answer, COOKIE).lower()
    )


async def test_pages_carry_a_strict_content_security_policy(beds: Service) -> None:
    answer = await beds.http.get("/sign-in")
    policy = answer.headers["content-security-policy"]
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    )
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in answer.text and " style=" not in answer.text


async def test_english_is_asked_for_once_and_remembered(beds: Service) -> None:
    asked = await beds.http.get("/sign-in", params={"lang": "en"})
    assert '<html lang="en">' in asked.text and "Sign in" in asked.text
    lang = cookies(asked)["shelterbeds_lang"]
    again = await beds.http.get("/sign-in", headers={"cookie": f"shelterbeds_lang={lang}"})
    assert '<html lang="en">' in again.text
    assert '<html lang="uk">' in (await beds.http.get("/sign-in")).text


async def test_a_patrol_gets_a_friendly_404_for_a_confidential_site(beds: Service) -> None:
    crisis = await open_site(beds, kind="crisis_room", confidential=True)
    jar = {"cookie": f"{COOKIE}={beds.token('patrol')}"}
    for path in (f"/board/{crisis}", "/board/not-an-id", f"/board/{crisis}/live"):
        answer = await beds.http.get(path, headers=jar)
        assert answer.status_code in (403, 404), path
        assert answer.headers["content-type"].startswith("text/html")
        assert "Traceback" not in answer.text and crisis not in answer.text.replace(path, "")


async def test_the_board_is_small_on_first_load(beds: Service) -> None:
    site = await open_site(beds)
    jar = {"cookie": f"{COOKIE}={beds.token('shelter_staff', sites=[site])}"}
    page = await beds.http.get(f"/board/{site}", headers=jar)
    assert page.status_code == 200
    total = len(page.content)
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
        total += len((await beds.http.get(asset)).content)
    print(f"board first load: {total} bytes")
    assert total < 100_000, total


async def test_only_a_supervisor_gets_the_cold_weather_switch_and_it_works(beds: Service) -> None:
    site = await open_site(beds)
    staff_board = await beds.http.get(
        f"/board/{site}", headers={"cookie": f"{COOKIE}={beds.token('shelter_staff', sites=[site])}"}
    )
    assert 'data-action="cold-weather"' not in staff_board.text
    supervisor = beds.token("supervisor")
    board = await beds.http.get(f"/board/{site}", headers={"cookie": f"{COOKIE}={supervisor}"})
    assert 'data-action="cold-weather" data-on="true"' in board.text
    cookie, token = await csrf_pair(beds)
    switched = await beds.http.post(
        f"/api/v1/sites/{site}/cold-weather",
        json={"on": True},
        headers={"cookie": f"{COOKIE}={supervisor}; {CSRF_COOKIE}={cookie}", "x-csrftoken": token},
    )
    assert switched.status_code == 200
    after = await beds.http.get(f"/board/{site}", headers={"cookie": f"{COOKIE}={supervisor}"})
    assert 'data-action="cold-weather" data-on="false"' in after.text
