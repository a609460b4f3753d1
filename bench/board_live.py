"""A check-in seen on an open board page over its live stream, against the check-in's own HTTP
round trip measured in the same run (the write the door already waits for).

    .venv/bin/python -m bench.board_live [--check-ins 200]

A real `shelterbeds serve beds` process (SQLite in a throwaway data dir, a throwaway nats-server
with JetStream fsync on every write, as `up` runs it). A board page's stream
(`GET /board/{id}/live`, with the sign-in cookie) is open; check-ins are posted one after
another; each is timed from the POST until the stream sends a board with one more stay. The
path: commit → outbox relay → JetStream → beds' core subscription → the board read again through
the access table → the fragment rendered → SSE. Goal (issue 23): within a second.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import httpx

from bench._support import ThrowawayNats, free_port, save, wait_ready
from bench.referral_placement import SECRET, _percentiles, _serve
from common.auth import Tokens

STAY_ROW = '<li class="row" data-stay='


async def _boards(stream: httpx.Response, seen: asyncio.Queue[tuple[float, int]]) -> None:
    data: list[str] = []
    async for line in stream.aiter_lines():
        if line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
        elif not line and data:
            await seen.put((time.perf_counter(), "\n".join(data).count(STAY_ROW)))
            data = []


async def check_ins_seen(url: str, count: int) -> tuple[list[float], list[float]]:
    tokens = Tokens(SECRET)
    admin = {"Authorization": f"Bearer {tokens.issue('admin')}"}
    site_body = {
        "name": "Night shelter",
        "kind": "night_shelter",
        "lat": 49.84,
        "lon": 24.03,
        "address": "Kyrylivska 7",
        "mats": 0,
        "rooms": [
            {"name": f"Hall {r}", "restriction": "any", "accessible": False, "beds": 50}
            for r in range(count // 50 + 1)
        ],
    }
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        site = (await http.post("/api/v1/sites", json=site_body, headers=admin)).json()["id"]
        staff = tokens.issue("shelter_staff", site_ids=[site])
        seen: asyncio.Queue[tuple[float, int]] = asyncio.Queue()
        writes, live = [], []
        async with http.stream(
            "GET", f"/board/{site}/live", headers={"cookie": f"shelterbeds_token={staff}"}
        ) as stream:
            reader = asyncio.create_task(_boards(stream, seen))
            await seen.get()  # the board as it is when the page opens
            body = {"party": {"adults": 1, "children": 0, "gender": "male"}}
            for n in range(count):
                started = time.perf_counter()
                answer = await http.post(
                    f"/api/v1/sites/{site}/checkins", json=body, headers={"Authorization": f"Bearer {staff}"}
                )
                assert answer.status_code == 201, answer.text
                writes.append(time.perf_counter() - started)
                while True:
                    at, stays = await asyncio.wait_for(seen.get(), 10)
                    if stays >= n + 1:
                        live.append(at - started)
                        break
            reader.cancel()
    return writes, live


async def run(check_ins: int) -> dict[str, Any]:
    server = ThrowawayNats(sync_always=True)
    data_dir = Path(mkdtemp(prefix="bench-board-live-"))
    port = free_port()
    process = _serve("beds", server.url, data_dir, port)
    try:
        url = f"http://127.0.0.1:{port}"
        await wait_ready(url, process, "beds")
        writes, live = await check_ins_seen(url, check_ins)
    finally:
        process.terminate()
        process.wait(30)
        server.stop()
    write, seen = _percentiles(writes), _percentiles(live)
    after = _percentiles([max(0.0, s - w) for s, w in zip(live, writes, strict=True)])
    return {
        "seen_after_the_answer": after,
        "check_ins": check_ins,
        "check_in_round_trip": write,
        "check_in_seen_on_the_board": seen,
        "ratio_p50": seen["p50_ms"] / write["p50_ms"],
        "ratio_p99": seen["p99_ms"] / write["p99_ms"],
        "goal_met": seen["p99_ms"] < 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check-ins", type=int, default=200)
    args = parser.parse_args()
    results = asyncio.run(run(args.check_ins))
    print(save("board-live", results))
    for key in ("check_in_round_trip", "check_in_seen_on_the_board", "seen_after_the_answer"):
        print(f"{key}: p50 {results[key]['p50_ms']:.1f} ms, p99 {results[key]['p99_ms']:.1f} ms")
    print(
        f"ratio: p50 {results['ratio_p50']:.1f}x, p99 {results['ratio_p99']:.1f}x;",
        f"p99 within a second: {results['goal_met']}",
    )


if __name__ == "__main__":
    main()
