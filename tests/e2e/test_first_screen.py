"""What a new user sees when `shelterbeds up` starts: progress, the URLs, `ready`, and no error."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.system import System


def _stderr_of(system: System) -> list[str]:
    return (system.data_dir.parent / f"{system.data_dir.name}-up.log").read_text().splitlines()


def test_a_clean_start_logs_no_error(system: System) -> None:
    lines = _stderr_of(system)
    assert lines, "up and its services log something while starting"
    records = [json.loads(line) for line in lines]  # not a terminal: JSON lines
    errors = [r for r in records if r.get("level") in ("error", "critical")]
    assert errors == []
    assert not any("ConnectionRefused" in line for line in lines)


def test_up_shows_each_step_then_the_urls_then_ready(system: System) -> None:
    out = system.stdout[: system.stdout.index("ready") + 1]
    text = "\n".join(out)
    assert f"NATS started on {system.nats_url}" in text
    for name in ("beds", "intake", "notifications"):
        assert f"{name} database migrated" in text
        assert f"{name} serving on {system.url[name]}" in text
    steps = [next(i for i, line in enumerate(out) if marker in line) for marker in (
        "NATS started", "beds database migrated", "notifications database migrated",
        "serving on", "shelterbeds is up",
    )]  # fmt: skip
    assert steps == sorted(steps)
    assert out[-1] == "ready"


def test_the_services_log_as_up_was_asked_to(tmp_path: Path) -> None:
    console = System(tmp_path / "data", "--log-format", "console").start()
    try:
        lines = _stderr_of(console)
    finally:
        assert console.stop() == 0
    served = [line for line in lines if "serving" in line and "shelterbeds.serve" in line]
    assert len(served) == 3, lines
    assert not any(line.lstrip().startswith("{") for line in lines), "console lines, not JSON"
    assert all("service=" in line for line in served)
