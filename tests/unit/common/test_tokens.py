"""Bearer tokens: a role and a scope, signed, expiring; anything else is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from common.auth import InvalidToken, Principal, Tokens

SECRET = "unit-test-secret-that-is-long-enough-for-hs256"
SITE_A = "0a5d3c2e-7b1f-4c8e-9d6a-1e2f3a4b5c6d"
SITE_B = "0b5d3c2e-7b1f-4c8e-9d6a-1e2f3a4b5c6d"


def test_a_token_carries_role_team_and_sites() -> None:
    tokens = Tokens(SECRET)
    principal = tokens.verify(
        tokens.issue("shelter_staff", team_id="t-1", site_ids=[SITE_B, SITE_A], subject="door-1")
    )
    assert principal == Principal("door-1", "shelter_staff", "t-1", frozenset({SITE_A, SITE_B}))


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


def signed(**claims: object) -> str:
    now = datetime.now(UTC)
    body: dict[str, object] = {
        "iss": "shelterbeds",
        "aud": "shelterbeds",
        "sub": "door-1",
        "jti": "a-token",
        "role": "shelter_staff",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(hours=1)).timestamp()),
    }
    body.update(claims)
    return jwt.encode({k: v for k, v in body.items() if v is not None}, SECRET, algorithm="HS256")


@pytest.mark.parametrize(
    "claims",
    [
        {"sites": SITE_A},  # a string is not a list: it was read as the set of its characters
        {"sites": ["main street"]},
        {"sites": [SITE_A, 7]},
        {"sub": ""},
        {"sub": "   "},
        {"team": ""},
        {"team": 12},
        {"role": "janitor"},
        {"role": None},
    ],
)
def test_claims_are_decoded_strictly(claims: dict[str, object]) -> None:
    with pytest.raises(InvalidToken):
        Tokens(SECRET).verify(signed(**claims))


def test_well_formed_claims_are_read() -> None:
    principal = Tokens(SECRET).verify(signed(team="north", sites=[SITE_A]))
    assert principal == Principal("door-1", "shelter_staff", "north", frozenset({SITE_A}))


def test_only_site_ids_are_issued() -> None:
    with pytest.raises(ValueError, match="UUID"):
        Tokens(SECRET).issue("shelter_staff", site_ids=["s-1"])


NEW_SECRET = "the-next-unit-test-secret-long-enough-for-hs256"


def test_during_a_rollover_both_keys_are_accepted_and_new_tokens_name_the_new_key() -> None:
    before = Tokens(SECRET).issue("patrol", subject="old-phone")
    rolled = Tokens(NEW_SECRET, previous=SECRET)
    after = rolled.issue("patrol", subject="new-phone")
    assert rolled.verify(before).subject == "old-phone"
    assert rolled.verify(after).subject == "new-phone"
    assert jwt.get_unverified_header(after)["kid"] == rolled.kid != Tokens(SECRET).kid
    with pytest.raises(InvalidToken):  # the rollover is over: the old key is gone
        Tokens("a-third-unit-test-secret-long-enough-for-hs256", previous=NEW_SECRET).verify(before)
    assert SECRET not in rolled.kid and NEW_SECRET not in rolled.kid


def test_a_token_naming_an_unknown_key_is_refused() -> None:
    forged = jwt.encode(
        jwt.decode(signed(), options={"verify_signature": False}), SECRET, headers={"kid": "x"}
    )
    with pytest.raises(InvalidToken):
        Tokens(SECRET).verify(forged)


@pytest.mark.parametrize("algorithm", ["HS512", "HS384", "none"])
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_the_algorithm_is_pinned(algorithm: str) -> None:
    claims = jwt.decode(signed(), options={"verify_signature": False})
    key = None if algorithm == "none" else SECRET
    with pytest.raises(InvalidToken):
        Tokens(SECRET).verify(jwt.encode(claims, key, algorithm=algorithm))  # type: ignore[arg-type]


def test_tokens_are_short_lived() -> None:
    with pytest.raises(ValueError, match="at most 24 hours"):
        Tokens(SECRET).issue("patrol", ttl=timedelta(days=30))
    token = Tokens(SECRET).issue("patrol")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 12 * 3600


def test_a_revoked_token_is_refused_by_its_jti() -> None:
    revoked: set[str] = set()
    tokens = Tokens(SECRET, revoked=revoked.__contains__)
    lost, kept = tokens.issue("patrol"), tokens.issue("patrol")
    revoked.add(jwt.decode(lost, options={"verify_signature": False})["jti"])
    with pytest.raises(InvalidToken, match="revoked"):
        tokens.verify(lost)
    assert tokens.verify(kept).role == "patrol"


def test_a_token_without_a_jti_is_refused_it_could_not_be_revoked() -> None:
    with pytest.raises(InvalidToken):
        Tokens(SECRET).verify(signed(jti=None))
