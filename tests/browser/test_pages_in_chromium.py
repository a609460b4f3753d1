"""The pages in a real headless Chromium: the scenarios of issue 23."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, expect

from tests.browser.conftest import LiveBeds, screenshot

LVIV = (49.8397, 24.0297)


async def open_site(
    beds: LiveBeds, name: str = "Нічліжка на Кирилівській", at: tuple[float, float] = LVIV
) -> str:
    """A night shelter of 4 beds and 2 mats. The browser tests share one beds: a test that looks
    for its site among the nearest gives it a spot of its own (at LVIV, ties of distance between
    the other tests' sites are settled by id, and its site may fall past the list's end)."""
    admin = beds.token("admin")
    body = {
        "name": name,
        "kind": "night_shelter",
        "lat": at[0],
        "lon": at[1],
        "address": "Kyrylivska 7",
        "mats": 2,
        "rooms": [{"name": "Зала", "restriction": "any", "accessible": False, "beds": 4}],
    }
    answer = await beds.call("POST", "/api/v1/sites", admin, body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def open_crisis_room(beds: LiveBeds) -> str:
    body = {
        "name": "Кризова кімната «Берег»",
        "kind": "crisis_room",
        "lat": LVIV[0],
        "lon": LVIV[1],
        "address": "confidential",
        "rooms": [{"name": "Кімната 1", "restriction": "family", "accessible": False, "beds": 3}],
    }
    answer = await beds.call("POST", "/api/v1/sites", beds.token("admin"), body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def place_family(beds: LiveBeds, site: str, team: str) -> str:
    family = {"party": {"adults": 1, "children": 1, "gender": "female"}}
    placed = await beds.call("POST", f"/api/v1/sites/{site}/checkins", team, family)
    assert placed.status_code == 201, placed.text
    return str(placed.json()["stays"][0]["id"])


async def board(beds: LiveBeds, site: str) -> dict[str, Any]:
    answer = await beds.call("GET", f"/api/v1/sites/{site}/board", beds.token("supervisor"))
    return dict(answer.json())


async def until(predicate: Any, within: float = 10.0) -> Any:
    deadline = time.monotonic() + within
    while True:
        value = await predicate()
        if value:
            return value
        assert time.monotonic() < deadline, "condition not met"
        await asyncio.sleep(0.05)


async def test_a_check_in_from_a_hold_shows_live_on_a_second_board(
    live_beds: LiveBeds, open_context: Any
) -> None:
    site = await open_site(live_beds)
    staff = live_beds.token("shelter_staff", sites=(site,))
    held = await live_beds.call(
        "POST",
        "/api/v1/holds",
        live_beds.token("patrol"),
        {"site_id": site, "party": {"adults": 1, "children": 0, "gender": "male"}, "eta_minutes": 40},
    )
    assert held.status_code == 201, held.text
    door, desk = await (await open_context(staff)).new_page(), await (await open_context(staff)).new_page()
    await door.goto(f"/board/{site}")
    await desk.goto(f"/board/{site}")
    await expect(desk.locator("li[data-hold]")).to_have_count(1)
    await expect(desk.locator(".countdown")).to_have_text(re.compile(r"залишилось (39|40) хв"))
    await expect(desk.locator("#connection")).to_have_text("Наживо")
    await door.get_by_role("button", name="Прибули: заселити").click()
    tapped = time.monotonic()
    await expect(desk.locator("li[data-stay]")).to_have_count(1, timeout=5000)
    seen_after = time.monotonic() - tapped
    await expect(desk.locator("li[data-hold]")).to_have_count(0)
    print(f"check-in from a hold seen on the second board after {seen_after:.3f} s")
    await screenshot(desk, "board-live-second-browser")
    assert (await board(live_beds, site))["beds_occupied"] == 1


async def test_check_ins_made_offline_arrive_once_when_the_network_returns(
    live_beds: LiveBeds, open_context: Any
) -> None:
    site = await open_site(live_beds)
    context = await open_context(live_beds.token("shelter_staff", sites=(site,)))
    page = await context.new_page()
    await page.goto(f"/board/{site}")
    kept = "caches.open(document.body.dataset.cache).then((c) => c.match(location.pathname)).then(Boolean)"
    await until(lambda: page.evaluate(kept))  # evaluate, not wait_for_function: the CSP forbids eval
    await until(lambda: page.evaluate("navigator.serviceWorker.controller !== null"))
    await context.set_offline(True)
    await page.reload()  # the service worker serves the board with no network
    await expect(page.locator("h1")).to_have_text("Нічліжка на Кирилівській")
    for _ in range(2):
        await page.get_by_role("button", name="Заселити", exact=True).click()
    await expect(page.locator("#queue li")).to_have_count(2)
    await expect(page.locator("#connection")).to_have_class("connection off")
    await screenshot(page, "board-offline-queue")
    assert (await board(live_beds, site))["stays"] == []
    await context.set_offline(False)
    await until(lambda: _stays(live_beds, site, 2))
    await expect(page.locator("#queue")).to_be_hidden()
    await page.reload()  # a replay on load finds nothing left to send
    await expect(page.locator("li[data-stay]")).to_have_count(2)
    assert len((await board(live_beds, site))["stays"]) == 2


async def _stays(beds: LiveBeds, site: str, count: int) -> bool:
    return len((await board(beds, site))["stays"]) == count


async def test_a_patrol_finds_and_holds_a_bed_on_a_phone(live_beds: LiveBeds, open_context: Any) -> None:
    lychakiv = (LVIV[0] + 0.05, LVIV[1])
    site = await open_site(live_beds, "Притулок на Личакові", at=lychakiv)
    phone = await open_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = await phone.new_page()
    await page.goto("/patrol")
    await expect(page).to_have_url(f"{live_beds.url}/sign-in?next=/patrol")
    await page.get_by_label("Ваш токен", exact=False).fill(live_beds.token("patrol"))
    await page.get_by_role("button", name="Увійти").click()
    await expect(page.locator("h1")).to_have_text("Знайти й притримати місце")
    await page.get_by_label("Широта").fill(str(lychakiv[0] + 0.01))
    await page.get_by_label("Довгота").fill(str(lychakiv[1]))
    await page.get_by_role("button", name="Знайти найближчі місця").click()
    place = page.locator("#places li", has_text="Притулок на Личакові")
    await expect(place).to_contain_text("км")
    await place.get_by_role("button", name="Притримати").click()
    await expect(page.locator("#hold-left")).to_contain_text("хв")
    await screenshot(page, "patrol-360x740-hold")
    holds = (await board(live_beds, site))["holds"]
    assert len(holds) == 1 and holds[0]["party"]["adults"] == 1
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await phone.set_offline(True)  # the connection drops: the last answer stays, with its age
    await page.get_by_role("button", name="Знайти найближчі місця").click()
    await expect(page.locator("#answer-age")).to_contain_text("Остання відповідь, 0 хв тому")
    await expect(place).to_be_visible()
    await phone.set_offline(False)
    await page.get_by_role("button", name="Скасувати притримання").click()
    await until(lambda: _no_holds(live_beds, site))


async def _no_holds(beds: LiveBeds, site: str) -> bool:
    return (await board(beds, site))["holds"] == []


async def test_the_patrol_page_in_english_stays_english(live_beds: LiveBeds, open_context: Any) -> None:
    page = await (await open_context(live_beds.token("patrol"))).new_page()
    await page.goto("/patrol?lang=en")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.locator("h1")).to_have_text("Find and hold a place")
    await page.goto("/patrol")
    await expect(page.get_by_role("button", name="Find the nearest places")).to_be_visible()
    await screenshot(page, "patrol-english")


async def test_a_patrol_gets_a_friendly_page_not_a_board(live_beds: LiveBeds, open_context: Any) -> None:
    site = await open_site(live_beds)
    page = await (await open_context(live_beds.token("patrol"))).new_page()
    answer = await page.goto(f"/board/{site}")
    assert answer is not None and answer.status == 403
    await expect(page.locator("h1")).to_have_text("Ця сторінка не для вашої ролі")
    answer = await page.goto(f"/board/{site}?lang=en")
    assert answer is not None and answer.status == 403
    await expect(page.locator("h1")).to_have_text("This page is not for your role")


async def _no_violations(page: Page) -> None:
    results = await Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


async def test_the_pages_pass_an_accessibility_check(live_beds: LiveBeds, open_context: Any) -> None:
    site = await open_site(live_beds)
    team = live_beds.token("crisis_team", team="crisis-west")
    stay = await place_family(live_beds, await open_crisis_room(live_beds), team)
    asked = {"days": 2, "reason": "чекають на житло"}
    assert (await live_beds.call("POST", f"/api/v1/stays/{stay}/extension-requests", team, asked)).is_success
    staff = live_beds.token("supervisor")
    page = await (await open_context(staff)).new_page()
    for path in (f"/board/{site}", "/patrol", "/crisis", "/reports", "/sign-in"):
        await page.goto(path)
        await _no_violations(page)
    await page.goto("/reports")
    await expect(page.locator('svg[data-chart="crisis"] rect')).to_have_count(4)  # drawn, and checked above
    await screenshot(page, "reports-charts")
    crisis = await (await open_context(team)).new_page()
    await crisis.goto("/crisis")  # the team's view: its request waiting, the ask forms
    await _no_violations(crisis)
    await page.goto("/patrol")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.className") == "skip"


async def test_a_crisis_team_asks_for_an_extension_and_a_supervisor_grants_it_from_the_page(
    live_beds: LiveBeds, open_context: Any
) -> None:
    site = await open_crisis_room(live_beds)
    team = live_beds.token("crisis_team", team="crisis-east")
    stay = await place_family(live_beds, site, team)

    crisis = await (await open_context(team)).new_page()
    await crisis.goto("/crisis")
    row = crisis.locator("tr[data-placement]", has_text="Кризова кімната «Берег»")
    await row.get_by_label("Скільки днів додати").fill("4")
    await row.get_by_label("Чому (для керівника)").fill("засідання суду в понеділок")
    await row.get_by_role("button", name="Попросити керівника продовжити").click()
    await expect(row.locator("[data-request-status]")).to_have_text(
        "Запит на 4 дн.: чекає на рішення керівника"
    )
    await expect(row.get_by_role("button", name="Попросити керівника продовжити")).to_have_count(0)
    await screenshot(crisis, "crisis-extension-asked")

    desk = await (await open_context(live_beds.token("supervisor"))).new_page()
    await desk.goto("/crisis")
    waiting = desk.locator("#waiting li[data-request]", has_text="засідання суду в понеділок")
    await expect(waiting).to_contain_text("Кризова кімната «Берег»: ще 4 дн.")
    await waiting.get_by_role("button", name="Погодити продовження").click()
    await expect(waiting).to_have_count(0)
    await screenshot(desk, "crisis-extension-granted-by-supervisor")

    shown = await live_beds.call("GET", f"/api/v1/stays/{stay}", live_beds.token("supervisor"))
    assert shown.json()["extension_days"] == 4
    await crisis.reload()
    await expect(row.locator("[data-request-status]")).to_have_text("Погоджено: ще 4 дн.")


FOCUSED = "document.activeElement"
SHOWS_FOCUS = (
    "(() => { const s = getComputedStyle(document.activeElement);"
    " return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; })()"
)


async def tab_to(page: Page, found: str, most: int = 80) -> None:
    """Tab (only) until the focused element answers `found` (a JS expression on `el`); every stop
    on the way shows where the focus is."""
    for _ in range(most):
        await page.keyboard.press("Tab")
        assert await page.evaluate(SHOWS_FOCUS), await page.evaluate(f"{FOCUSED}.outerHTML")
        if await page.evaluate(f"(el => {found})({FOCUSED})"):
            return
    raise AssertionError(f"Tab never reached {found}")


def button_named(name: str) -> str:
    return f"el.tagName === 'BUTTON' && el.textContent.trim() === {name!r}"


async def test_the_board_and_the_patrol_page_work_with_the_keyboard_alone(
    live_beds: LiveBeds, open_context: Any
) -> None:
    zamarstyniv = (LVIV[0] - 0.05, LVIV[1] + 0.05)
    site = await open_site(live_beds, "Нічліжка на Замарстинівській", at=zamarstyniv)
    held = await live_beds.call(
        "POST",
        "/api/v1/holds",
        live_beds.token("patrol"),
        {"site_id": site, "party": {"adults": 1, "children": 0, "gender": "male"}, "eta_minutes": 30},
    )
    assert held.status_code == 201, held.text
    door = await (await open_context(live_beds.token("shelter_staff", sites=(site,)))).new_page()
    await door.goto(f"/board/{site}")
    await expect(door.locator("#connection")).to_have_text("Наживо")

    await tab_to(door, button_named("Прибули: заселити"))
    await screenshot(door, "keyboard-board-focus-on-arrival")
    await door.keyboard.press("Enter")
    await expect(door.locator("li[data-stay]")).to_have_count(1)
    # The live update replaced the board: the focus stays on it, not back at the top of the page.
    assert await door.evaluate(f"document.getElementById('live').contains({FOCUSED})")
    await tab_to(door, "el.id === 'adults'")
    await door.keyboard.press("Control+a")
    await door.keyboard.type("2")
    assert await door.evaluate(f"{FOCUSED}.value") == "2"
    await tab_to(door, button_named("Заселити"))
    await door.keyboard.press("Enter")
    await expect(door.locator("li[data-stay]")).to_have_count(3)
    assert (await board(live_beds, site))["beds_occupied"] == 3

    phone = await (await open_context(live_beds.token("patrol"))).new_page()
    await phone.goto("/patrol")
    await tab_to(phone, "el.id === 'lat'")
    await phone.keyboard.type(str(zamarstyniv[0]))
    await tab_to(phone, "el.id === 'lon'")
    await phone.keyboard.type(str(zamarstyniv[1] + 0.001))
    await tab_to(phone, button_named("Знайти найближчі місця"))
    await phone.keyboard.press("Enter")
    place = phone.locator("#places li", has_text="Нічліжка на Замарстинівській")
    await expect(place).to_contain_text("км")
    in_place = "el.closest('li')?.textContent.includes('Замарстинівській')"
    await tab_to(phone, f"el.tagName === 'BUTTON' && {in_place}")
    await screenshot(phone, "keyboard-patrol-focus-on-hold")
    await phone.keyboard.press("Enter")
    await expect(phone.locator("#hold-left")).to_contain_text("хв")
    assert len((await board(live_beds, site))["holds"]) == 1
    await _no_violations(phone)
