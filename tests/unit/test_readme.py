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


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[_canonical(name)] = version
    return pins


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_both_readme_commands_install_the_pinned_versions() -> None:
    for command in readme_commands():
        assert "-c constraints.txt" in command


def test_every_dependency_the_project_names_is_pinned() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    named = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        named += extra
    pins = _pins()
    missing = [
        spec for spec in named if _canonical(re.split(r"[\[<>=!~ ;]", spec, maxsplit=1)[0]) not in pins
    ]
    assert not missing, f"not pinned in constraints.txt: {missing}"
    assert all(re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", version) for version in pins.values())
