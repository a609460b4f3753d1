"""The README's test command is what CI runs, word for word."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    return [block.strip() for block in blocks[:2]]


def test_ci_runs_the_readme_test_command() -> None:
    start, test = readme_commands()
    assert "shelterbeds up" in start
    assert "pytest" in test
    assert test in (ROOT / ".ci" / "run").read_text().splitlines()
