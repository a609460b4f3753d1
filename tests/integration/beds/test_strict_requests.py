"""Bad input that used to get through or answer 500 (issue 17, items 9-13): every one is now a 4xx
problem that names what was wrong, and changes nothing."""

from __future__ import annotations

import uuid

from tests.integration.beds.helpers import (
    HOLDS,
    LEDGER,
    assert_problem,
    hold_url,
    open_site,
    raw,
    room_url,
    site_url,
    snapshot,
    stay_url,
)
from tests.support.events import EventTap
from tests.support.service import Service, wait_until
from tests.support.sites import night_shelter, party


async def test_the_ledger_names_from_and_to_when_they_are_not_dates(beds: Service) -> None:
    supervisor = beds.token("supervisor")
    for name in ("from", "to"):
        body = assert_problem(await beds.get(f"{LEDGER}?{name}=garbage", supervisor), 400)
        assert body["detail"].startswith(f"{name}:"), body
        assert "start" not in body["detail"] and "end" not in body["detail"]


async def test_the_ledger_takes_a_date_or_an_rfc_3339_time(beds: Service) -> None:
    site = await open_site(beds, night_shelter())
    supervisor = beds.token("supervisor")
    for start, end in [
        ("2026-11-01", "2026-11-23"),
        ("2026-11-01T08:00:00+02:00", "2026-11-23T20:00:00Z"),
    ]:
        query = {"site_id": site["id"], "from": start, "to": end}
        response = await beds.get(LEDGER, supervisor, params=query)
        assert response.status_code == 200, response.text
    naive = await beds.get(LEDGER, supervisor, params={"from": "2026-11-01T08:00:00"})
    assert "from" in assert_problem(naive, 400)["detail"]


async def test_far_off_dates_are_refused_not_a_server_error(beds: Service) -> None:
    site = await open_site(beds, night_shelter())
    supervisor = beds.token("supervisor")
    staff = beds.token("shelter_staff", sites=[site["id"]])
    before = await snapshot(beds)
    for query in ("to=0001-01-01", "from=0001-01-01", "to=9999-12-31", "from=9999-12-31T23:59:59-05:00"):
        assert_problem(await beds.get(f"{LEDGER}?{query}", supervisor), 400)
    for started_at in ("0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"):
        body = {"party": party(), "started_at": started_at}
        refused = assert_problem(await beds.post(site_url(site["id"], "checkins"), staff, body), 400)
        assert "started_at" in refused["detail"]
    assert await snapshot(beds) == before


async def test_deeply_nested_json_is_a_400_and_a_huge_body_a_413(beds: Service) -> None:
    patrol = beds.token("patrol")
    before = await snapshot(beds)
    deep = ('{"party":' + "[" * 968 + "]" * 968 + "}").encode()
    assert "deep" in assert_problem(await raw(beds, "POST", HOLDS, patrol, deep), 400)["detail"]
    nested_in_a_string = {"site_id": str(uuid.uuid4()), "party": party(), "source": "[" * 968}
    assert_problem(await beds.post(HOLDS, patrol, nested_in_a_string), 400)  # an unknown source
    huge = b'{"party": {"adults": 1, "gender": "male"}, "site_id": "' + b"x" * 2_000_000 + b'"}'
    assert_problem(await raw(beds, "POST", HOLDS, patrol, huge), 413)
    assert await snapshot(beds) == before


async def test_a_body_that_is_not_json_is_415(beds: Service) -> None:
    site = await open_site(beds, night_shelter())
    patrol = beds.token("patrol")
    before = await snapshot(beds)
    json_text = f'{{"site_id": "{site["id"]}", "party": {{"adults": 1, "gender": "male"}}}}'.encode()
    for content_type, content in [
        ("text/plain", json_text),
        ("application/x-www-form-urlencoded", b"site_id=" + site["id"].encode() + b"&adults=1"),
        ("application/xml", b"<hold><adults>1</adults></hold>"),
        ("", json_text),
    ]:
        response = await raw(beds, "POST", HOLDS, patrol, content, **{"content-type": content_type})
        assert_problem(response, 415)
    assert await snapshot(beds) == before
    assert (await raw(beds, "POST", HOLDS, patrol, json_text)).status_code == 201


async def test_numbers_sent_as_text_are_refused(beds: Service) -> None:
    site = await open_site(beds, night_shelter())
    patrol = beds.token("patrol")
    staff = beds.token("shelter_staff", sites=[site["id"]])
    before = await snapshot(beds)
    hold = {"site_id": site["id"], "party": {**party(), "adults": "1"}}
    assert "party.adults" in assert_problem(await beds.post(HOLDS, patrol, hold), 400)["detail"]
    checkin = {"party": party(), "needs": {"pet": "true"}}
    refused = await beds.post(site_url(site["id"], "checkins"), staff, checkin)
    assert "needs.pet" in assert_problem(refused, 400)["detail"]
    assert await snapshot(beds) == before


async def test_a_name_and_phone_as_referral_id_is_refused_and_never_reaches_nats(
    beds: Service, events: EventTap
) -> None:
    site = await open_site(beds, night_shelter())
    staff = beds.token("shelter_staff", sites=[site["id"]])
    patrol = beds.token("patrol")
    free_text = "Olena Testova +380501112233"
    checkin = {"party": party(), "referral_id": free_text}
    refused = await beds.post(site_url(site["id"], "checkins"), staff, checkin)
    assert "referral_id" in assert_problem(refused, 400)["detail"]
    hold = {"site_id": site["id"], "party": party(), "referral_id": free_text}
    assert "referral_id" in assert_problem(await beds.post(HOLDS, patrol, hold), 400)["detail"]
    named_site = {"site_id": free_text, "party": party()}
    assert "site_id" in assert_problem(await beds.post(HOLDS, patrol, named_site), 400)["detail"]
    referral = str(uuid.uuid4())
    by_id = {"party": party(), "referral_id": referral}
    placed = await beds.post(site_url(site["id"], "checkins"), staff, by_id)
    assert placed.status_code == 201, placed.text
    await beds.relayed()
    await wait_until(lambda: any(referral.encode() in msg.data for _, _, msg in events.received))
    assert not any(free_text.encode() in msg.data for _, _, msg in events.received)
    assert not any(b"Olena" in msg.data or b"380501112233" in msg.data for _, _, msg in events.received)


async def test_a_path_id_that_is_not_a_uuid_is_the_same_404_as_a_missing_one(beds: Service) -> None:
    site = await open_site(beds, night_shelter())
    admin, supervisor, patrol = beds.token("admin"), beds.token("supervisor"), beds.token("patrol")
    staff = beds.token("shelter_staff", sites=[site["id"]])
    missing = str(uuid.uuid4())
    before = await snapshot(beds)
    for url_of, token, method in [
        (site_url, admin, "GET"),
        (lambda i: site_url(i, "board"), supervisor, "GET"),
        (lambda i: site_url(i, "checkins"), staff, "POST"),
        (stay_url, supervisor, "GET"),
        (lambda i: stay_url(i, "checkout"), staff, "POST"),
        (hold_url, patrol, "GET"),
        (hold_url, patrol, "DELETE"),
        (lambda i: room_url(i, "retire"), admin, "POST"),
    ]:
        body = {"party": party()} if method == "POST" and "checkins" in url_of("x") else None
        absent = assert_problem(await beds.call(method, url_of(missing), token, body), 404)
        for guess in ("Olena Testova", "1", missing.upper().replace("-", "")):
            answer = assert_problem(await beds.call(method, url_of(guess), token, body), 404)
            assert {k: answer[k] for k in ("type", "title", "detail")} == {
                k: absent[k] for k in ("type", "title", "detail")
            }
    ledger = await beds.get(LEDGER, supervisor, params={"site_id": "Olena Testova"})
    assert "site_id" in assert_problem(ledger, 400)["detail"]
    assert await snapshot(beds) == before
