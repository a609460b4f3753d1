"""The figures a centre publishes (SPEC 8 reports), from a month of nights built through the API:
a night shelter with overflow nights and one over-capacity night, a confidential crisis room with
a 10-day stay that a supervisor extended, referrals from every source that end every way, trips,
people turned away at the full refuge, a referred person who comes back as a walk-in after she was
anonymised, and people anonymised on the way. Every figure is checked against a hand count."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta
from typing import Any

from common.clock import ManualClock
from tests.integration.beds.helpers import (
    assert_problem,
    audit_rows,
    checked_in,
    hold_url,
    open_site,
    stay_url,
)
from tests.integration.conftest import EVENING
from tests.integration.intake.helpers import OLENA, referral
from tests.integration.placement.flow import referral_in
from tests.support.service import Service, minutes, wait_until
from tests.support.sites import crisis_room, night_shelter, party, room

SUMMARY = "/api/v1/reports/summary"
BED_NIGHTS = "/api/v1/reports/bed-nights.csv"
OPEN_DATA = "/api/v1/open-data/capacity"
FIRST, LAST = date(2026, 11, 23), date(2026, 12, 22)  # 30 nights
MONTH = {"from": FIRST.isoformat(), "to": LAST.isoformat()}
PATROL_TEAM, CRISIS_TEAM = str(uuid.uuid4()), str(uuid.uuid4())
NEAR = {"lat": 49.845, "lon": 24.035}


def night(n: int) -> str:
    return (FIRST + timedelta(days=n)).isoformat()


class Month:
    """The month's story, one evening at a time (20:00 in Kyiv), each night closed at 08:00."""

    def __init__(self, beds: Service, intake: Service, clock: ManualClock):
        self.beds, self.intake, self.clock = beds, intake, clock
        self.patrol = intake.token("patrol", team=PATROL_TEAM)
        self.crisis_intake = intake.token("crisis_team", team=CRISIS_TEAM)
        self.crisis = beds.token("crisis_team", team=CRISIS_TEAM)
        self.supervisor = beds.token("supervisor")
        self.referrals: dict[str, str] = {}
        self.stays: dict[str, list[str]] = {}
        self.left: set[str] = set()

    async def open_sites(self) -> None:
        self.shelter = str((await open_site(self.beds, night_shelter("Shelter", 2, 1, **NEAR)))["id"])
        body = crisis_room("Refuge", rooms=[room("A", 6)], confidential=True, max_stay_days=10, **NEAR)
        self.refuge = str((await open_site(self.beds, body))["id"])
        self.staff = self.beds.token("shelter_staff", sites=[self.shelter])

    async def walk_in(self, source: str = "walk_in", **extra: Any) -> None:
        await checked_in(self.beds, self.shelter, self.staff, source=source, **extra)

    async def person_of(self, name: str, token: str) -> str:
        seen = (await self.intake.get(f"/api/v1/referrals/{self.referrals[name]}", token)).json()
        return str(seen["person"]["id"])

    async def turn_away(self, who: dict[str, Any]) -> None:
        """At the refuge, whose room is not accessible: nothing there fits a wheelchair."""
        response = await self.beds.post(
            f"/api/v1/sites/{self.refuge}/turnaways",
            self.crisis,
            {"party": who, "needs": {"accessible": True}, "reason": "needs_not_met"},
        )
        assert response.status_code == 201, response.text

    async def refer(self, name: str, token: str, status: str, **body: Any) -> dict[str, Any]:
        made = await self.intake.post("/api/v1/referrals", token, referral(**body))
        assert made.status_code == 202, made.text
        self.referrals[name] = made.json()["id"]
        return await referral_in(self.intake, made.json()["id"], token, status)

    async def arrive(self, name: str, held: dict[str, Any], after: float, token: str) -> None:
        self.clock.advance(minutes(after))
        response = await self.beds.post(hold_url(held["hold_id"], "checkin"), token)
        assert response.status_code == 201, response.text
        self.stays[name] = [stay["id"] for stay in response.json()["stays"]]

    async def check_out(self, name: str) -> None:
        for stay_id in self.stays[name]:
            response = await self.beds.post(stay_url(stay_id, "checkout"), self.crisis)
            assert response.status_code == 200, response.text
        self.left.add(name)

    async def roll_call(self) -> None:
        """The refuge's evening roll call: a stay nobody confirms for nights ends as "left"."""
        seen = [i for name in ("C1", "R2", "R3") if name not in self.left for i in self.stays.get(name, [])]
        if seen:
            response = await self.beds.post(
                f"/api/v1/sites/{self.refuge}/presence", self.crisis, {"stay_ids": seen}
            )
            assert response.status_code == 200, response.text

    async def trip(self, outcome: str, started: Any, **extra: Any) -> None:
        body = {"started_at": started.isoformat(), "area": "Railway station", "outcome": outcome, **extra}
        response = await self.intake.post("/api/v1/trips", self.patrol, body)
        assert response.status_code == 201, response.text

    async def anonymise(self, name: str, token: str) -> None:
        done = await self.intake.post(
            f"/api/v1/people/{await self.person_of(name, token)}/anonymise", self.intake.token("supervisor")
        )
        assert done.status_code == 200, done.text

    async def summary(self, **params: str) -> dict[str, Any]:
        response = await self.beds.get(SUMMARY, self.supervisor, params=params)
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def evening(self, d: int) -> None:
        await self.walk_in()
        if d in (5, 6, 7):  # overflow: the patrol brings two more, the second sleeps on the mat
            await self.walk_in("patrol")
            await self.walk_in("patrol")
        if d == 10:  # bed, mat, and one past the last mat: over capacity
            for source in ("police", "phone", "contact_centre"):
                await self.walk_in(source)
        if d == 0:
            await self.trip("no_contact", EVENING - timedelta(days=1))  # before the month
            await self.trip("consulted", EVENING - timedelta(hours=2))
        if d == 1:
            held = await self.refer("R1", self.patrol, "held", person=OLENA)
            await self.arrive("R1", held, 40, self.staff)
            await self.trip("placed", EVENING + timedelta(days=1, hours=-1), referral_id=self.referrals["R1"])
            await self.trip("refused", EVENING + timedelta(days=1, hours=-3))
        if d == 2:  # the crisis team brings a survivor straight in
            stays = await checked_in(
                self.beds, self.refuge, self.crisis, party(1, 0, "female"), source="mobile_team"
            )
            self.stays["C1"] = [stays[0]["id"]]
        if d == 3:
            held = await self.refer(
                "R2", self.crisis_intake, "held", adults=1, children=1, gender="female",
                source="mobile_team", needs={"dv": True}, person=OLENA,
            )  # fmt: skip
            await self.arrive("R2", held, 90, self.crisis)
            await self.trip("placed", EVENING + timedelta(days=3, hours=-2))
            await self.trip("no_contact", EVENING + timedelta(days=3, hours=-4))
        if d == 4:
            held = await self.refer(
                "R3", self.crisis_intake, "held", gender="female", source="police", needs={"dv": True}
            )
            await self.arrive("R3", held, 90, self.crisis)
        if d == 6:
            await self.turn_away(party(1, 2, "female"))
        if d == 13:  # R1's person, anonymised last night, comes back by herself: still one person
            await self.walk_in(person_id=await self.person_of("R1", self.patrol))
        if d == 9:
            extended = await self.beds.post(
                stay_url(self.stays["C1"][0], "extension"),
                self.supervisor,
                {"days": 3, "reason": "court date"},
            )
            assert extended.status_code == 200, extended.text
            self.clock.advance(minutes(90))
            await self.check_out("R2")  # six days to the minute
        if d == 14:
            await self.check_out("C1")  # twelve days to the minute
        if d == 15:
            await self.refer("R4", self.patrol, "held", source="phone")  # nobody comes: expires
        if d == 16:
            held = await self.refer("R5", self.patrol, "held", source="walk_in")
            await self.arrive("R5", held, 50, self.staff)
        if d == 17:
            await self.refer("R6", self.patrol, "held", source="contact_centre")
            cancelled = await self.intake.post(
                f"/api/v1/referrals/{self.referrals['R6']}/cancel", self.patrol
            )
            assert cancelled.status_code == 200, cancelled.text
        if d == 20:  # a wheelchair: no fitting bed and no mat; the wait lapses at 08:00
            await self.refer("R7", self.patrol, "waitlisted", needs={"accessible": True})
            await self.turn_away(party())
        if d == 29:  # still waiting when the month is counted
            self.clock.advance(minutes(30))
            await self.refer(
                "R8", self.crisis_intake, "waitlisted", source="mobile_team", needs={"accessible": True}
            )

    async def live(self) -> dict[str, Any]:
        await self.open_sites()
        before_anonymising: dict[str, Any] = {}
        for d in range(30):
            self.clock.set(EVENING + timedelta(days=d))
            if d == 12:
                before_anonymising = await self.summary(**{"from": night(0), "to": night(11)})
                await self.anonymise("R1", self.patrol)
                await self.anonymise("R2", self.crisis_intake)
                await self.intake.relayed()
            await self.evening(d)
            await self.roll_call()
            await self.intake.relayed()
            self.clock.set(EVENING + timedelta(days=d, hours=12))
            await self.beds.tick()
        return before_anonymising


EVERY_NIGHT = [night(n) for n in range(30)]


async def test_a_month_of_nights_adds_up_to_the_figures_a_centre_publishes(
    beds: Service, intake: Service, clock: ManualClock
) -> None:
    month = Month(beds, intake, clock)
    before_anonymising = await month.live()

    async def settled() -> dict[str, Any] | None:
        found = await month.summary(**MONTH)
        outcomes = found["referrals"]["by_outcome"]
        return found if found["trips"]["total"] == 5 and outcomes["cancelled"] == 1 else None

    summary = await wait_until(settled, within=15)
    assert (summary["from"], summary["to"], summary["site_id"]) == (night(0), night(29), None)
    assert (summary["nights"], summary["nights_closed"]) == (30, 30)
    # the shelter: 30 walk-ins, 6 patrol arrivals on three overflow nights, 3 more on night 10,
    # 2 from referrals, R1's person back on night 13 = 42 one-night stays; the refuge: 4 people
    # (one party of two), 50 nights. Stays naming a person: R1's two and R2's adult (her child
    # is anonymous) — 3 stays of 2 people, so one fewer distinct person than stays
    assert summary["people"] == {
        "served": 42 + 4,
        "distinct_people": 42 + 4 - 1,
        "named_people": 2,
        "person_nights": 42 + 50,
        "peak_people": 4,  # the refuge from night 4 (and the shelter on night 10): the first
        "peak_night": night(4),
    }
    # shelter beds: 23 nights of one, 3 nights of two (referrals, R1's return), 3 overflow
    # nights and night 10 of two each; the refuge: every person-night is a bed
    assert summary["bed_nights"] == 23 + 3 * 2 + 3 * 2 + 2 + 50
    assert summary["mat_nights"] == 3 + 1
    assert summary["over_capacity"] == {"nights": 1, "person_nights": 1, "peak": 1, "peak_night": night(10)}
    assert summary["arrivals_by_source"] == {
        "patrol": 6 + 1,
        "mobile_team": 1 + 2,
        "police": 1 + 1,
        "phone": 1,
        "walk_in": 30 + 1 + 1,
        "contact_centre": 1,
    }
    # C1 12 days (10 + an extension of 3, left after 12), R2's two 6 days, R3 still there:
    # from night 4 21:30 to the last morning 08:00, 25 days 10.5 hours; the average of the stays
    # as long as they were
    assert summary["crisis"] == {
        "placements": 4,
        "parties": 3,
        "still_staying": 1,
        "average_stay_days": round((12 + 6 + 6 + 25 + 10.5 / 24) / 4, 1),
        "max_stay_days": 25.4,
        "extended": 1,
        "extension_days": 3,
    }
    assert summary["referrals"] == {
        "made": 8,
        "by_outcome": {"placed": 4, "held": 0, "waitlisted": 1, "expired": 2, "cancelled": 1},
        "waited": 2,
        # R1 40, R5 50, R2 90, R3 90 minutes
        "time_to_placement": {"placed": 4, "p50_minutes": 70.0, "average_minutes": 67.5},
    }
    assert summary["trips"] == {
        "total": 5,
        "by_outcome": {"placed": 2, "consulted": 1, "refused": 1, "no_contact": 1},
    }
    # R4 expired on night 15, R6 cancelled on 17, R7's wait lapsed on 20; turned away at the
    # refuge: a mother and two children on night 6, one man on night 20
    unmet = {n.pop("night"): n for n in summary["unmet_demand"].pop("by_night")}
    assert list(unmet) == EVERY_NIGHT
    assert {n: v for n, v in unmet.items() if v["total"]} == {
        night(6): {"referrals": 0, "turned_away": 3, "total": 3},
        night(15): {"referrals": 1, "turned_away": 0, "total": 1},
        night(17): {"referrals": 1, "turned_away": 0, "total": 1},
        night(20): {"referrals": 1, "turned_away": 1, "total": 2},
    }
    assert summary["unmet_demand"] == {"referrals": 3, "turned_away": 4, "total": 7}

    # anonymising two people on night 12 changed nothing that had been counted
    assert await month.summary(**{"from": night(0), "to": night(11)}) == before_anonymising

    refuge = await month.summary(**MONTH, site_id=month.refuge)
    assert (refuge["people"]["served"], refuge["bed_nights"], refuge["crisis"]["placements"]) == (4, 50, 4)
    assert refuge["referrals"]["by_outcome"] == {
        "placed": 2,
        "held": 0,
        "waitlisted": 0,
        "expired": 0,
        "cancelled": 0,
    }
    assert refuge["trips"] is None
    assert (refuge["unmet_demand"]["referrals"], refuge["unmet_demand"]["turned_away"]) == (0, 4)
    shelter = await month.summary(**MONTH, site_id=month.shelter)
    assert shelter["referrals"]["by_outcome"] == {
        "placed": 2,
        "held": 0,
        "waitlisted": 0,
        "expired": 1,
        "cancelled": 1,
    }
    assert (shelter["people"]["served"], shelter["people"]["distinct_people"]) == (42, 41)
    assert (shelter["crisis"]["placements"], shelter["unmet_demand"]["turned_away"]) == (0, 0)

    exported = await beds.get(BED_NIGHTS, month.supervisor, params=MONTH)
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 2 * 30
    assert {(r["site_id"], r["night"]) for r in rows} == {
        (site, n) for site in (month.shelter, month.refuge) for n in EVERY_NIGHT
    }

    def total(column: str) -> int:
        return sum(int(r[column]) for r in rows)

    assert total("people") == summary["people"]["person_nights"]
    assert total("bed_nights") == summary["bed_nights"]
    assert total("mat_nights") == summary["mat_nights"]
    assert total("over_capacity") == summary["over_capacity"]["person_nights"]
    assert {s: total(f"arrivals_{s}") for s in summary["arrivals_by_source"]} == summary["arrivals_by_source"]


async def test_a_bad_range_is_a_clear_400_and_only_supervisors_get_reports(beds: Service) -> None:
    refuge = str((await open_site(beds, crisis_room("Refuge", confidential=True)))["id"])
    supervisor = beds.token("supervisor")
    for path in (SUMMARY, BED_NIGHTS):
        for params, says in (
            ({"from": "2026-12-02", "to": "2026-12-01"}, "`from` must not be after `to`"),
            ({"from": "2025-11-01", "to": "2026-11-02"}, "at most 366 nights"),
            ({"from": "2026-13-01", "to": "2026-12-01"}, "from"),
            ({"from": "yesterday"}, "from"),
        ):
            problem = assert_problem(await beds.get(path, supervisor, params=params), 400)
            assert says in problem["detail"], problem
        assert_problem(await beds.get(path, None, params=MONTH), 401)
        for role in ("patrol", "shelter_staff", "crisis_team", "admin"):  # admin: configuration only
            assert_problem(await beds.get(path, beds.token(role), params=MONTH), 403)
    assert_problem(await beds.get(SUMMARY, supervisor, params={"site_id": "nope"}), 400)
    assert_problem(await beds.get(SUMMARY, supervisor, params={"site_id": str(uuid.uuid4())}), 404)

    one_year = {"from": "2025-12-01", "to": "2026-12-01", "site_id": refuge}
    answer = await beds.get(SUMMARY, supervisor, params=one_year)
    assert answer.status_code == 200, answer.text
    assert answer.json()["nights"] == 366
    # a confidential site's figures are a read of its ledger: audited, like the ledger itself
    assert [row.action for row in await audit_rows(beds, refuge)] == ["ledger.read"]


async def test_open_data_lists_no_confidential_site_not_even_in_its_totals(beds: Service) -> None:
    shelter = str((await open_site(beds, night_shelter("Kyrylivska", 3, 2)))["id"])
    refuge = await open_site(beds, crisis_room("Refuge", confidential=True))
    await checked_in(beds, shelter, beds.token("shelter_staff", sites=[shelter]))
    await checked_in(beds, refuge["id"], beds.token("crisis_team"), party(1, 0, "female"))

    answer = await beds.get(OPEN_DATA)  # no token
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [service["id"] for service in body["services"]] == [shelter]
    [service] = body["services"]
    assert service["service_capacity"] == [
        {
            "unit": {"name": "Bed", "scheme": "shelterbeds", "identifier": "bed"},
            "available": 2,
            "maximum": 3,
            "description": "beds",
            "updated": body["generated_at"],
        },
        {
            "unit": {"name": "Mat", "scheme": "shelterbeds", "identifier": "mat"},
            "available": 2,
            "maximum": 2,
            "description": "overflow mats (laid out when the beds are full)",
            "updated": body["generated_at"],
        },
    ]
    assert body["totals"] == {
        "services": 1,
        "beds_maximum": 3,
        "beds_available": 2,
        "mats_maximum": 2,
        "mats_available": 2,
    }
    for secret in (refuge["id"], refuge["name"], refuge["address"], "crisis_room"):
        assert secret not in answer.text


async def test_open_data_is_rate_limited_per_client_with_a_429_problem(beds: Service) -> None:
    answers = [(await beds.get(OPEN_DATA)).status_code for _ in range(60)]
    assert set(answers) == {200}
    limited = assert_problem(await beds.get(OPEN_DATA), 429)
    assert limited["title"]


async def test_occupancy_gauges_count_by_site_kind_and_never_name_a_site(beds: Service) -> None:
    shelter = str((await open_site(beds, night_shelter("Kyrylivska", 2, 1)))["id"])
    refuge = await open_site(beds, crisis_room("Refuge", confidential=True))
    staff = beds.token("shelter_staff", sites=[shelter])
    for _ in range(4):  # two beds, the mat, and one over capacity
        await checked_in(beds, shelter, staff)
    await checked_in(beds, refuge["id"], beds.token("crisis_team"), party(1, 1, "female"))

    text = (await beds.get("/metrics")).text
    samples = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(("shelterbeds_places{", "shelterbeds_over_capacity_people{", "shelterbeds_sites{"))
    }
    assert samples['shelterbeds_places{kind="night_shelter",place="bed",state="total"}'] == 2
    assert samples['shelterbeds_places{kind="night_shelter",place="bed",state="free"}'] == 0
    assert samples['shelterbeds_places{kind="night_shelter",place="mat",state="free"}'] == 0
    assert samples['shelterbeds_over_capacity_people{kind="night_shelter"}'] == 1
    assert samples['shelterbeds_places{kind="crisis_room",place="bed",state="total"}'] == 6
    assert samples['shelterbeds_places{kind="crisis_room",place="bed",state="free"}'] == 4
    assert samples['shelterbeds_sites{kind="crisis_room"}'] == 1
    for secret in (refuge["id"], refuge["name"], shelter):
        assert secret not in text
