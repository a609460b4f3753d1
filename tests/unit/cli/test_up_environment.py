"""`up` starts the services with an environment of its own making: what the operator sets for the
notifications channels (a Telegram bot, an SMTP server) must still reach them."""

from __future__ import annotations

from pathlib import Path

import pytest

from shelterbeds.up import Supervisor, UpOptions


def test_channel_settings_from_the_operator_reach_the_services(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHELTERBEDS_TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("SHELTERBEDS_SMTP_HOST", "mail.example.org")
    monkeypatch.setenv("SHELTERBEDS_SOMETHING_ELSE", "not for the services")
    env = Supervisor(UpOptions(data_dir=tmp_path, nats_url="nats://127.0.0.1:1")).child_env()
    assert env["SHELTERBEDS_TELEGRAM_BOT_TOKEN"] == "123:abc"
    assert env["SHELTERBEDS_SMTP_HOST"] == "mail.example.org"
    assert "SHELTERBEDS_SOMETHING_ELSE" not in env
