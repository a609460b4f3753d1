"""`shelterbeds token` signs with the secret of the data dir the services run on, or refuses."""

from __future__ import annotations

import uuid
from pathlib import Path

import jwt
import pytest

from common.auth import InvalidToken
from common.runtime import ServiceRuntime
from common.settings import settings_from_env
from services.beds.adapters.orm import plumbing as beds_plumbing
from services.beds.adapters.unit_of_work import BedsUnitOfWork
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


def data_dir_with_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "secret").write_text("the-secret-of-this-data-dir-0123456789abcdef\n")
    monkeypatch.setenv("SHELTERBEDS_DATA_DIR", str(data_dir))
    monkeypatch.delenv("SHELTERBEDS_PREVIOUS_SECRET", raising=False)
    return data_dir


def test_an_unknown_role_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir_with_secret(tmp_path, monkeypatch)
    with pytest.raises(SystemExit) as refused:
        main(["token", "--role", "janitor"])
    assert refused.value.code == 2


@pytest.mark.parametrize(("ttl", "seconds"), [("90m", 5400), ("8h", 28800), ("1d", 86400)])
def test_the_ttl_is_asked_for_and_capped(
    ttl: str,
    seconds: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data_dir_with_secret(tmp_path, monkeypatch)
    assert main(["token", "--role", "patrol", "--ttl", ttl]) == 0
    claims = jwt.decode(capsys.readouterr().out.strip(), options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == seconds
    assert main(["token", "--role", "patrol", "--ttl", "30d"]) == 2
    assert main(["token", "--role", "patrol", "--ttl", "soon"]) == 2


def test_a_lost_phones_token_is_revoked_and_refused_by_the_services_of_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = data_dir_with_secret(tmp_path, monkeypatch)
    assert main(["token", "--role", "patrol"]) == 0
    lost = capsys.readouterr().out.strip()
    settings = settings_from_env("beds", env={"SHELTERBEDS_DATA_DIR": str(data_dir)})
    tokens = ServiceRuntime(settings, beds_plumbing, BedsUnitOfWork).tokens
    assert tokens.verify(lost).role == "patrol"

    assert main(["revoke", lost]) == 0

    with pytest.raises(InvalidToken, match="revoked"):
        tokens.verify(lost)


def test_rotating_the_key_keeps_the_old_tokens_valid_until_the_next_rotation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = data_dir_with_secret(tmp_path, monkeypatch)
    assert main(["token", "--role", "patrol", "--subject", "old"]) == 0
    old = capsys.readouterr().out.strip()

    assert main(["rotate-key"]) == 0
    assert main(["token", "--role", "patrol", "--subject", "new"]) == 0
    new = capsys.readouterr().out.strip().splitlines()[-1]

    env = {"SHELTERBEDS_DATA_DIR": str(data_dir)}
    tokens = ServiceRuntime(settings_from_env("beds", env=env), beds_plumbing, BedsUnitOfWork).tokens
    assert (tokens.verify(old).subject, tokens.verify(new).subject) == ("old", "new")
    assert main(["rotate-key"]) == 0
    tokens = ServiceRuntime(settings_from_env("beds", env=env), beds_plumbing, BedsUnitOfWork).tokens
    with pytest.raises(InvalidToken):
        tokens.verify(old)
    assert tokens.verify(new).subject == "new"
