"""Settings: one typed object per service, from the environment and flags."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from common.settings import database_url_for, load_secret, settings_from_env


def test_sqlite_files_live_in_the_data_dir(tmp_path: Path) -> None:
    assert database_url_for("beds", None, tmp_path) == f"sqlite+aiosqlite:///{tmp_path.resolve()}/beds.db"


def test_each_service_gets_its_own_database_on_a_postgres_server(tmp_path: Path) -> None:
    server = "postgresql+asyncpg://app:pw@db:5432/"
    assert (
        database_url_for("intake", server, tmp_path)
        == "postgresql+asyncpg://app:pw@db:5432/shelterbeds_intake"
    )
    assert database_url_for("beds", "postgresql://app@db/", tmp_path, "training_").endswith("/training_beds")
    assert database_url_for("beds", "postgresql+asyncpg://app@db/custom", tmp_path).endswith("/custom")


def test_the_environment_sets_everything(tmp_path: Path) -> None:
    env = {
        "SHELTERBEDS_DATA_DIR": str(tmp_path),
        "SHELTERBEDS_SECRET": "s" * 40,
        "SHELTERBEDS_DATABASE_URL": "postgresql+asyncpg://u@h:5432/",
        "SHELTERBEDS_DATABASE_PREFIX": "x_",
        "SHELTERBEDS_NATS_URL": "nats://n:4222",
        "SHELTERBEDS_BEDS_PORT": "9001",
        "SHELTERBEDS_TIME_SCALE": "60",
        "SHELTERBEDS_CLOCK_ANCHOR": "100.5:200.25",
        "SHELTERBEDS_STREAM_REPLICAS": "3",
    }
    settings = settings_from_env("beds", env=env)
    assert settings.database_url == "postgresql+asyncpg://u@h:5432/x_beds"
    assert (settings.port, settings.nats_url, settings.stream_replicas) == (9001, "nats://n:4222", 3)
    assert (settings.time_scale, settings.clock_anchor) == (60.0, (100.5, 200.25))
    assert settings.secret == "s" * 40


def test_nonsense_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(msgspec.ValidationError):
        settings_from_env("beds", env={"SHELTERBEDS_DATA_DIR": str(tmp_path), "SHELTERBEDS_TIME_SCALE": "-1"})


def test_the_secret_is_made_once_and_kept_private(tmp_path: Path) -> None:
    first = load_secret(tmp_path, env={})
    assert load_secret(tmp_path, env={}) == first
    assert len(first) >= 32
    assert (tmp_path / "secret").stat().st_mode & 0o777 == 0o600
    assert load_secret(tmp_path, env={"SHELTERBEDS_SECRET": "from-env" * 5}) == "from-env" * 5
