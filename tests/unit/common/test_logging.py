"""Logs are JSON lines (or console lines in a terminal), and personal data never reaches them."""

from __future__ import annotations

import io
import json
import logging

import pytest

from common.logging import REDACTED, configure_logging, get_logger, resolve_log_format


def test_log_lines_are_json_without_personal_data_or_local_variables() -> None:
    stream = io.StringIO()
    configure_logging("info", stream=stream)
    try:
        log = get_logger("test")
        log.info("checked_in", stay_id="s-1", name="Olena Kovalenko", phone="+380501234567", reason="private")
        try:
            secret_local = "Olena Kovalenko"  # noqa: F841 - must not appear in the traceback
            raise ValueError("boom")
        except ValueError as exc:
            log.error("failed", exc_info=exc)
    finally:
        configure_logging("warning")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines[0]["event"] == "checked_in"
    assert lines[0]["stay_id"] == "s-1"
    assert (lines[0]["name"], lines[0]["phone"], lines[0]["reason"]) == (REDACTED, REDACTED, REDACTED)
    assert "Kovalenko" not in stream.getvalue()
    assert lines[1]["exception"][0]["exc_type"] == "ValueError"


def test_library_logs_become_json_too() -> None:
    stream = io.StringIO()
    configure_logging("info", stream=stream)
    try:
        logging.getLogger("uvicorn.error").info("Started server process")
    finally:
        configure_logging("warning")
    assert json.loads(stream.getvalue())["event"] == "Started server process"


def test_console_lines_in_a_terminal_keep_personal_data_out_too() -> None:
    stream = io.StringIO()
    configure_logging("info", stream=stream, fmt="console")
    try:
        log = get_logger("test")
        log.info("checked_in", stay_id="s-1", name="Olena Kovalenko", phone="+380501234567", notes="private")
        logging.getLogger("nats.aio.client").warning("reconnecting")
        try:
            secret_local = "Olena Kovalenko"  # noqa: F841 - must not appear in the traceback
            raise ValueError("boom")
        except ValueError as exc:
            log.error("failed", exc_info=exc)
    finally:
        configure_logging("warning")
    text = stream.getvalue()
    first = text.splitlines()[0]
    assert "checked_in" in first and "stay_id=s-1" in first
    assert not first.lstrip().startswith("{"), "a human-readable line, not JSON"
    assert f"name={REDACTED}" in first and f"phone={REDACTED}" in first and f"notes={REDACTED}" in first
    assert "reconnecting" in text
    assert "ValueError: boom" in text
    assert "Kovalenko" not in text and "380501234567" not in text and "private" not in text


def test_the_log_format_follows_the_terminal_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("SHELTERBEDS_LOG_FORMAT", raising=False)
    assert resolve_log_format(None, Terminal()) == "console"
    assert resolve_log_format(None, io.StringIO()) == "json"
    assert resolve_log_format("json", Terminal()) == "json"
    monkeypatch.setenv("SHELTERBEDS_LOG_FORMAT", "console")
    assert resolve_log_format(None, io.StringIO()) == "console"
    with pytest.raises(ValueError, match="log format"):
        resolve_log_format("xml")
