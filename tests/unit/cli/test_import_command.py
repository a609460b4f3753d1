"""`shelterbeds import --check`: the file's problems by line number, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from shelterbeds.cli import main
from shelterbeds.site_csv import COLUMNS

GOOD = ",Night shelter,night_shelter,49.84,24.03,Kyrylivska 7,,,,12,Men,men,false,16"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path / "data"


def write(path: Path, *rows: str) -> Path:
    path.write_text("\n".join([",".join(COLUMNS), *rows]) + "\n", encoding="utf-8")
    return path


def test_checking_a_good_file_says_so_and_writes_nothing(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sites = write(tmp_path / "sites.csv", GOOD, GOOD.replace(",Men,men,", ",Women,women,"))
    assert main(["import", str(sites), "--check", "--data-dir", str(data_dir)]) == 0
    assert capsys.readouterr().out.strip() == f"{sites}: 1 sites, 2 rooms; 0 problems: fine"
    assert not (data_dir / "beds.db").exists()


def test_checking_a_bad_file_names_every_bad_line(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sites = write(
        tmp_path / "sites.csv",
        GOOD,
        GOOD.replace("Night shelter", "Other").replace(",16", ",sixteen"),
        GOOD.replace("Night shelter", "Third").replace(",,,,12", ",Atlantis/Nowhere,,,12"),
    )
    assert main(["import", str(sites), "--check", "--data-dir", str(data_dir)]) == 1
    out = capsys.readouterr()
    assert out.err.splitlines() == [
        "error: line 3: beds 'sixteen' is not a whole number",
        "error: line 4: Unknown timezone 'Atlantis/Nowhere'; use an IANA name like Europe/Kyiv.",
    ]
    assert "2 problems: refused" in out.out


def test_a_missing_file_is_refused_plainly(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "nowhere.csv", "--data-dir", str(data_dir)]) == 2
    assert capsys.readouterr().err.strip() == "error: no such file: nowhere.csv"


def test_an_unknown_log_format_is_refused_before_anything_starts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SHELTERBEDS_LOG_FORMAT", "xml")
    assert main(["import", "nowhere.csv", "--check"]) == 2
    assert "SHELTERBEDS_LOG_FORMAT must be one of auto, json, console" in capsys.readouterr().err
