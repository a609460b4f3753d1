"""One clock: real time in production, faster for training, still for tests."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from common.clock import ManualClock, ScaledClock, SystemClock, make_clock


def test_a_scaled_clock_runs_faster_from_its_anchor() -> None:
    anchor = time.time()
    clock = ScaledClock(60, anchor_real=anchor - 2, anchor_virtual=anchor)
    elapsed = clock.now() - datetime.fromtimestamp(anchor, UTC)
    assert timedelta(seconds=119) < elapsed < timedelta(seconds=125)  # two real seconds, 60x


def test_a_scaled_clock_says_how_long_to_wait_in_real_time() -> None:
    assert ScaledClock(60).real_seconds(timedelta(minutes=90)) == 90


def test_a_clock_needs_a_positive_scale() -> None:
    with pytest.raises(ValueError, match="positive"):
        ScaledClock(0)


def test_plain_time_is_the_system_clock() -> None:
    assert isinstance(make_clock(1.0), SystemClock)
    assert isinstance(make_clock(1.0, 100.0, 200.0), ScaledClock)  # a training anchor, even at 1x


def test_the_manual_clock_moves_only_when_told_and_only_in_utc() -> None:
    clock = ManualClock(datetime(2026, 11, 23, 20, 0, tzinfo=UTC))
    assert clock.now() == clock.now()
    clock.advance(timedelta(hours=12))
    assert clock.now() == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="aware"):
        ManualClock(datetime(2026, 11, 23))
