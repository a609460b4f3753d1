"""The checks every change must pass, run with the tests so they cannot be forgotten: ruff (lint
and format) and mypy --strict — which catches, for example, a method called but never defined."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing() -> None:
    lint = run(str(BIN / "ruff"), "check", ".")
    assert lint.returncode == 0, lint.stdout[-3000:]
    fmt = run(str(BIN / "ruff"), "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout[-3000:]


def test_mypy_strict_finds_nothing() -> None:
    typing = run(str(BIN / "mypy"))
    assert typing.returncode == 0, typing.stdout[-3000:]
