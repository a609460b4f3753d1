"""Every benchmark in bench/ runs, at tiny sizes, the way its command in the README runs it
(issue 25: every figure is reproducible by the command printed beside it). Two broke unnoticed
when the rate limits landed (their writes got 429s): here each one's exit status and results file
are checked — counts equal what was asked, nothing failed, every ratio positive.

Each runs as `python -m bench.<name>` in a subprocess with this venv's python, its result file
sent to a tmp dir (`SHELTERBEDS_BENCH_RESULTS`), never into bench/results/, and the per-token
write limit inherited as 1 a minute: tiny runs would stay under the real 120, so a bench that does
not lift the limit for its own services (the breakage above) fails here too. Where a benchmark has
a PostgreSQL mode that adds little time it runs too, against the test server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bench._support import RESULTS_ENV
from tests.support.databases import POSTGRES

ROOT = Path(__file__).resolve().parents[2]
Check = Callable[[dict[str, Any]], None]


def positive(*values: Any) -> None:
    for value in values:
        assert isinstance(value, int | float), value
        assert value > 0, value


def latency(figures: dict[str, Any], n: int | None = None) -> None:
    positive(figures["p50_ms"], figures["p99_ms"])
    assert figures["p99_ms"] >= figures["p50_ms"]
    if n is not None:
        assert figures["n"] == n, figures


def backends(r: dict[str, Any]) -> list[str]:
    """SQLite always; PostgreSQL where the run was given --postgres."""
    assert "sqlite" in r
    return [b for b in ("sqlite", "postgres") if b in r]


def check_alert_latency(r: dict[str, Any]) -> None:
    assert r["events"] == 10
    latency(r["jetstream_round_trip"])
    latency(r["event_to_webhook"])
    positive(r["cpu_ms_per_event"], r["ratio_p50"], r["ratio_p99"])


def check_availability(r: dict[str, Any]) -> None:
    for backend in backends(r):
        got = r[backend]
        assert (got["sites"], got["places"], got["queries"]) == (20, 20 * 50, 5)
        positive(got["ms"]["search"]["p50"], got["ms"]["naive"]["p50"], got["speedup_p50"])
        http = got["http"]
        assert (http["small"]["sites"], http["large"]["sites"]) == (5, 20)
        for size in ("small", "large"):
            assert http[size]["queries"] == 10
            latency(http[size]["availability"])
            latency(http[size]["health"])
            positive(http[size]["p99_vs_health"])
        positive(http["growth_p99"])


def check_board_live(r: dict[str, Any]) -> None:
    assert r["check_ins"] == 5
    for step in ("check_in_round_trip", "check_in_seen_on_the_board", "seen_after_the_answer"):
        latency(r[step], n=5)
    positive(r["ratio_p50"], r["ratio_p99"])


def check_city_rush(r: dict[str, Any]) -> None:
    assert (r["sites"], r["arrivals"]) == (3, 20)
    assert "postgres" not in r
    assert "postgres_2_replicas" not in r
    for configuration in backends(r):
        got = r[configuration]
        assert got["arrivals"] == 20
        assert got["failed"] == {}, got["failed"]
        assert got["refused"] == {}, got["refused"]  # 3 sites have room for 20 arrivals
        assert got["webhooks"] == got["alerts"] > 0
        assert got["webhook_ids_seen_twice"] == 0
        steps = got["steps"]
        assert (steps["checkin"]["n"], steps["hold"]["n"], steps["referral_post"]["n"]) == (8, 6, 6)
        assert steps["referral_held"]["n"] == 6
        assert steps["event_to_webhook"]["n"] == got["alerts"]
        for name in steps:
            latency(steps[name])
        for processes in got["peak_rss_mb"].values():
            assert len(processes) == 1
            positive(*processes)
        assert got["baseline"]["health_live"]["n"] == 40
        assert got["baseline"]["raw_jetstream_round_trip"]["n"] == 20
        positive(got["arrivals_per_s"], *got["ratios"].values())


def check_door_throughput(r: dict[str, Any]) -> None:
    assert backends(r) == ["sqlite", "postgres"]
    for backend in backends(r):
        got = r[backend]
        assert (got["ops"], got["sites"]) == (20, 2)
        for concurrency in ("c8", "c32"):
            at = got[concurrency]
            assert at["health"]["requests"] == 20
            assert at["health"]["failed"] == {}
            for kind in ("checkins", "holds"):
                assert at[kind]["requests"] == 20
                assert at[kind]["failed"] == {}, at[kind]["failed"]
                assert at[f"{kind}_storage_floor"]["requests"] == 20
                positive(at[kind]["per_second"], *at[f"{kind}_ratios"].values())
            for thin in ("thin_health", "checkins_thin_service"):
                assert at[thin]["requests"] == 20
                assert at[thin]["failed"] == {}, at[thin]["failed"]
            positive(*at["thin_service_ratios"].values())
        positive(*got["events_per_op"].values())


def check_referral_placement(r: dict[str, Any]) -> None:
    assert r["referrals"] == 5
    latency(r["raw_round_trip"], n=5)
    latency(r["referral_to_held"], n=5)
    for hop in r["hops"].values():
        assert hop["n"] == 5
    positive(r["ratio_p50"], r["ratio_p99"], r["beds_cpu_ms_per_referral"], r["intake_cpu_ms_per_referral"])


def check_relay_throughput(r: dict[str, Any]) -> None:
    assert r["events"] == 200
    assert backends(r) == ["sqlite", "postgres"]
    for backend in ("sqlite", "postgres"):
        for fsync in ("sync_always", "lazy_fsync"):
            got = r[backend][fsync]
            positive(got["naive_msgs_per_s"], got["relay_msgs_per_s"], got["ratio"])


def check_reports(r: dict[str, Any]) -> None:
    assert r["command"] == "python -m bench.reports --sites 3 --nights 3 --requests 2"
    assert r["data"]["sites"] == 3
    for name in ("health_live", "summary_city_year", "summary_one_site_year", "bed_nights_csv_year"):
        positive(r[name]["p50_ms"])
    positive(r["ratio_summary_to_live_p50"])


def check_site_import(r: dict[str, Any]) -> None:
    assert backends(r) == ["sqlite", "postgres"]
    for backend in backends(r):
        got = r[backend]
        assert (got["api_sites"], got["import_sites"], got["chunk"]) == (4, 6, 2)
        positive(got["api_sites_per_s"], got["import_sites_per_s"], got["ratio"])


def check_sse_memory(r: dict[str, Any]) -> None:
    assert (r["feeds"], r["teams"]) == (5, 2)
    assert r["every_feed_got_every_alert"] is True
    positive(r["rss_mb_one_feed"], r["rss_mb_all_feeds"], r["one_feed_ms_median"])
    positive(r["all_feeds_last_ms_median"], r["ratio_last_of_all_to_one_feed"])
    assert r["service_cpu_seconds_in_10s_idle_with_all_feeds"] >= 0


PG = ["--postgres", POSTGRES]
# (module, result file's name, arguments, check), the slowest first so that two workers finish
# together. PostgreSQL where it adds little (relay_throughput in process; door_throughput and
# site_import one more beds process); availability and city_rush would start two and three
# service processes again (each start costs seconds of imports), past the file's budget.
BENCHES: list[tuple[str, str, list[str], Check]] = [
    ("city_rush", "city-rush",
     ["--sites", "3", "--arrivals", "20", "--health-requests", "40", "--bus-round-trips", "20",
      "--no-postgres", "--no-replicas"], check_city_rush),
    ("availability", "availability",
     ["--sites", "20", "--queries", "5", "--http-queries", "10", "--small-sites", "5"],
     check_availability),
    ("door_throughput", "door-throughput", ["--ops", "20", "--sites", "2", *PG], check_door_throughput),
    ("sse_memory", "sse-memory",
     ["--feeds", "5", "--teams", "2", "--alerts", "1", "--rest-seconds", "0.5", "--idle-seconds", "1"],
     check_sse_memory),
    ("site_import", "site-import", ["--api-sites", "4", "--import-sites", "6", "--chunk", "2", *PG],
     check_site_import),
    ("referral_placement", "referral_placement", ["--referrals", "5"], check_referral_placement),
    ("board_live", "board-live", ["--check-ins", "5"], check_board_live),
    ("reports", "reports", ["--sites", "3", "--nights", "3", "--requests", "2"], check_reports),
    ("relay_throughput", "relay-throughput", ["--events", "200", "--rounds", "1", *PG],
     check_relay_throughput),
    ("alert_latency", "alert-latency", ["--events", "10"], check_alert_latency),
]  # fmt: skip


def test_every_benchmark_is_here() -> None:
    modules = {p.stem for p in (ROOT / "bench").glob("*.py") if not p.stem.startswith("_")}
    assert modules == {name for name, *_ in BENCHES}


@pytest.mark.parametrize(
    ("module", "name", "args", "check"),
    [
        pytest.param(m, n, a, c, id=m, marks=[pytest.mark.postgres] if "--postgres" in a else [])
        for m, n, a, c in BENCHES
    ],
)
def test_benchmark_runs_small(
    module: str, name: str, args: list[str], check: Check, tmp_path: Path, postgres_ok: bool
) -> None:
    if "--postgres" in args and not postgres_ok:
        message = "PostgreSQL is not reachable (set SHELTERBEDS_TEST_POSTGRES)"
        if os.environ.get("CI"):
            pytest.fail(message + " — CI must run the PostgreSQL tests, not skip them")
        pytest.skip(message)
    results = tmp_path / "results"
    # the command as a reader runs it: none of the suite's own settings, results to tmp
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHELTERBEDS_")}
    env[RESULTS_ENV] = str(results)
    # a bench whose service keeps the per-token write limit (as two did when the limits landed)
    # meets it here at tiny sizes as it would at full size: every bench must lift it itself
    env["SHELTERBEDS_WRITES_PER_MINUTE"] = "1"
    env["TMPDIR"] = str(tmp_path)  # the benches' throwaway data dirs go with the test's
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{module}", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=170,
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    files = sorted(results.glob("*.json"))
    assert [f.name.rsplit("-", 1)[0] for f in files] == [name], files
    assert not list((ROOT / "bench" / "results").glob(f"{name}-*.tmp"))
    found = json.loads(files[0].read_text())
    assert found["benchmark"] == name
    check(found)
