"""What `shelterbeds import` prints: refused rows with their line numbers on stderr, a progress
bar while writing (in a terminal only), and one summary line on stdout."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from common.clock import Clock
from common.logging import configure_logging
from common.migrations import upgrade
from common.settings import settings_from_env
from shelterbeds.registry import SERVICES
from shelterbeds.site_csv import Parsed, Problem, parse_sites
from shelterbeds.site_import import ImportReport, import_sites
from shelterbeds.up import TrainingClock

MAX_PROBLEMS_SHOWN = 50


def _read(file: Path, rules_at: datetime | None) -> Parsed | str:
    if str(file) == "-":
        return parse_sites(sys.stdin, rules_at)
    try:
        with file.open(newline="", encoding="utf-8-sig") as rows:
            return parse_sites(rows, rules_at)
    except FileNotFoundError:
        return f"no such file: {file}"
    except UnicodeDecodeError:
        return f"{file} is not UTF-8 text (save the sheet as CSV UTF-8)"


def _show_problems(report_problems: Sequence[Problem]) -> None:
    for problem in report_problems[:MAX_PROBLEMS_SHOWN]:
        print(f"error: {problem}", file=sys.stderr)
    if len(report_problems) > MAX_PROBLEMS_SHOWN:
        print(f"error: ... and {len(report_problems) - MAX_PROBLEMS_SHOWN} more", file=sys.stderr)


def run_import(file: Path, env: Mapping[str, str], *, chunk: int, check_only: bool) -> int:
    if chunk < 1:
        print("error: --chunk must be at least 1", file=sys.stderr)
        return 2
    data_dir = Path(env["SHELTERBEDS_DATA_DIR"])
    clock = TrainingClock(data_dir, 1.0).clock()
    parsed = _read(file, clock.now() if check_only else None)
    if isinstance(parsed, str):
        print(f"error: {parsed}", file=sys.stderr)
        return 2
    if check_only:
        _show_problems(parsed.problems)
        rooms = sum(len(site.rooms) for site in parsed.sites)
        verdict = "refused" if parsed.problems else "fine"
        print(f"{file}: {len(parsed.sites)} sites, {rooms} rooms; {len(parsed.problems)} problems: {verdict}")
        return 1 if parsed.problems else 0
    configure_logging("warning")
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = settings_from_env("beds", env=env)
    report = asyncio.run(_write(settings.database_url, clock, parsed, chunk))
    _show_problems(report.problems)
    print(_summary(file, report))
    return 0 if report.ok else 1


async def _write(database_url: str, clock: Clock, parsed: Parsed, chunk: int) -> ImportReport:
    await upgrade(database_url, SERVICES["beds"].migrations)
    with ExitStack() as stack:
        advance = _progress_bar(stack, len(parsed.sites))
        return await import_sites(database_url, clock, parsed, chunk_size=chunk, progress=advance)


def _progress_bar(stack: ExitStack, total: int) -> Callable[[int], None]:
    if not sys.stderr.isatty():
        return lambda _: None
    bar = stack.enter_context(
        Progress(
            TextColumn("importing sites"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=True,
        )
    )
    task = bar.add_task("sites", total=total)
    return lambda done: bar.advance(task, done)


def _summary(file: Path, report: ImportReport) -> str:
    parts = [f"{report.created} sites ({report.rooms} rooms) imported from {file}"]
    if report.already_present:
        parts.append(f"{report.already_present} already present")
    if report.refused_sites:
        parts.append(f"{report.refused_sites} sites not imported: fix the lines above and import again")
    elif report.problems:
        parts.append("nothing imported: fix the lines above")
    return "; ".join(parts)
