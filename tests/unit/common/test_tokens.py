"""Bearer tokens: a role and a scope, signed, expiring; anything else is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from common.auth import InvalidToken, Principal, Tokens

SECRET = "unit-test-secret-that-is-long-enough-for-hs256"


def test_a_token_carries_role_team_and_sites() -> None:
    tokens = Tokens(SECRET)
    principal = tokens.verify(
        tokens.issue("shelter_staff", team_id="t-1", site_ids=["b", "a"], subject="door-1")
    )
    assert principal == Principal("door-1", "shelter_staff", "t-1", frozenset({"a", "b"}))


def test_every_token_has_its_own_subject_unless_named() -> None:
    tokens = Tokens(SECRET)
    assert tokens.verify(tokens.issue("patrol")).subject != tokens.verify(tokens.issue("patrol")).subject


@pytest.mark.parametrize(
    "bad",
    [
        Tokens("another-secret-that-is-long-enough-for-hs256").issue("admin"),
        Tokens(SECRET).issue("admin", now=datetime.now(UTC) - timedelta(days=2), ttl=timedelta(hours=1)),
        "not.a.token",
        "",
    ],
)
def test_forged_expired_or_garbled_tokens_are_refused(bad: str) -> None:
    with pytest.raises(InvalidToken):
        Tokens(SECRET).verify(bad)


def test_only_known_roles_are_issued() -> None:
    with pytest.raises(ValueError, match="unknown role"):
        Tokens(SECRET).issue("janitor")


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="256-bit"):
        Tokens("too-short")
