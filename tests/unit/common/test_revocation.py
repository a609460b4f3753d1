"""The deny list file every service reads (common/revocation.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common.revocation import USED_LINKS_FILE, DenyList, read_entries, revoke, spend


def test_a_revocation_is_seen_on_the_next_check_without_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "revoked-tokens"
    denied = DenyList(path)
    assert not denied.is_revoked("jti-1")
    revoke(path, "jti-1", expires_at=2_000_000_000, now=1_000)
    assert denied.is_revoked("jti-1")
    assert not denied.is_revoked("jti-2")


def test_expired_entries_are_dropped_and_a_jti_is_kept_once(tmp_path: Path) -> None:
    path = tmp_path / "revoked-tokens"
    revoke(path, "old", expires_at=500, now=100)
    revoke(path, "new", expires_at=5_000, now=1_000)
    revoke(path, "new", expires_at=5_000, now=1_000)
    assert read_entries(path) == [("new", 5_000)]
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_link_is_spent_once_when_many_try_at_the_same_moment(tmp_path: Path) -> None:
    spent = tmp_path / USED_LINKS_FILE
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: spend(spent, "the-jti", 2_000_000_000), range(32)))
    assert answers.count(True) == 1
    assert [jti for jti, _ in read_entries(spent)] == ["the-jti"]
