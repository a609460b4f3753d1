"""Logs are JSON lines, and personal data never reaches them."""

from __future__ import annotations

import io
import json
import logging

from common.logging import REDACTED, configure_logging, get_logger


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
