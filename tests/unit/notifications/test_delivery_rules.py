"""Signing, backoff and the access table: the rules of delivery, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from common.errors import Forbidden, NotFound, RuleViolation
from services.notifications.adapters.senders import sign
from services.notifications.domain import commands as c
from services.notifications.domain.access import Actor, check_team_access, may_call
from services.notifications.domain.delivery import RetryPolicy
from services.notifications.domain.teams import check_team, check_webhook_url

NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
TEAM, OTHER = "3f2b8c1e-5d4a-4b6f-9e2d-7a1c0b9e8f10", "7a1c0b9e-8f10-4b6f-9e2d-3f2b8c1e5d4a"


def test_a_webhook_is_signed_as_the_standard_webhooks_example_says() -> None:
    # the example in the Standard Webhooks specification
    signature = sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        b'{"test": 2432232314}',
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_retries_back_off_exponentially_with_jitter_up_to_ten_minutes() -> None:
    policy = RetryPolicy()
    waits = [policy.next_attempt_at(NOW, n, 0.999) - NOW for n in range(1, 12)]
    assert waits == sorted(waits) and waits[-1] <= timedelta(minutes=10)
    assert policy.next_attempt_at(NOW, 3, 0.0) - NOW == timedelta(seconds=4)  # half of 8 s fixed
    assert policy.next_attempt_at(NOW, 3, 0.5) > policy.next_attempt_at(NOW, 3, 0.0)


def test_a_channel_is_broken_after_failing_for_a_day() -> None:
    policy = RetryPolicy()
    assert not policy.broken(None, NOW)
    assert not policy.broken(NOW - timedelta(hours=23), NOW)
    assert policy.broken(NOW - timedelta(days=1), NOW)


@pytest.mark.parametrize("url", ["ftp://example.org/", "javascript:alert(1)", "https://", "example.org/hook"])
def test_a_webhook_url_is_http_or_https_with_a_host(url: str) -> None:
    with pytest.raises(RuleViolation):
        check_webhook_url(url)
    check_webhook_url("https://example.org/hook")


def test_a_staff_team_names_sites_and_only_a_staff_team_does() -> None:
    with pytest.raises(RuleViolation):
        check_team("shelter_staff", frozenset())
    with pytest.raises(RuleViolation):
        check_team("patrol", frozenset({TEAM}))


def test_only_admins_set_up_teams_and_a_team_sees_only_its_own_alerts() -> None:
    patrol = Actor("p", "patrol", TEAM)
    with pytest.raises(Forbidden):
        may_call(c.CreateTeam(name="x", kind="patrol"), patrol)
    query = c.ListAlerts(team_id=OTHER)
    may_call(query, patrol)
    with pytest.raises(NotFound):
        check_team_access(query, patrol, OTHER)
    check_team_access(query, patrol, TEAM)
    check_team_access(query, Actor("s", "supervisor"), OTHER)
    with pytest.raises(NotFound):  # supervisors see alerts, but acknowledging is the team's
        check_team_access(c.AckAlert(alert_id=OTHER), Actor("s", "supervisor"), OTHER)
