"""`shelterbeds token` signs with the secret of the data dir the services run on, or refuses."""

from __future__ import annotations

import uuid
from pathlib import Path

import jwt
import pytest

from shelterbeds.cli import main

SITE = str(uuid.uuid4())


@pytest.fixture(autouse=True)
def no_secret_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHELTERBEDS_SECRET", raising=False)
    monkeypatch.delenv("SHELTERBEDS_DATA_DIR", raising=False)


def test_a_token_from_a_folder_without_a_data_dir_is_refused_and_no_secret_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["token", "--role", "admin"]) == 2
    err = capsys.readouterr()
    assert err.out == ""
    assert str(tmp_path / ".shelterbeds") in err.err
    assert "--data-dir" in err.err and "SHELTERBEDS_DATA_DIR" in err.err
    assert not (tmp_path / ".shelterbeds").exists()


def test_a_token_is_signed_with_the_secret_of_the_data_dir_named_by_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "secret").write_text("the-secret-of-this-data-dir-0123456789abcdef\n")
    monkeypatch.setenv("SHELTERBEDS_DATA_DIR", str(data_dir))
    monkeypatch.chdir(tmp_path)
    assert main(["token", "--role", "shelter_staff", "--site", SITE]) == 0
    token = capsys.readouterr().out.strip()
    claims = jwt.decode(
        token, "the-secret-of-this-data-dir-0123456789abcdef", algorithms=["HS256"], audience="shelterbeds"
    )
    assert claims["sites"] == [SITE]


def test_a_token_with_shelterbeds_secret_needs_no_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SHELTERBEDS_SECRET", "from-the-environment-0123456789abcdef")
    monkeypatch.chdir(tmp_path)
    assert main(["token", "--role", "admin"]) == 0
    assert capsys.readouterr().out.strip().count(".") == 2
    assert not (tmp_path / ".shelterbeds").exists()


@pytest.mark.parametrize(("option", "value"), [("--site", "not-a-uuid"), ("--team", "lviv-patrol")])
def test_a_site_or_team_that_is_not_an_id_is_refused(
    option: str, value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SHELTERBEDS_SECRET", "from-the-environment-0123456789abcdef")
    assert main(["token", "--role", "patrol", option, value]) == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert option in out.err and value in out.err and "UUID" in out.err
