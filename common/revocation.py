"""The deny list of revoked tokens (a lost or stolen phone): one `jti` per line with the time the
token would have expired anyway, in the data dir's `revoked-tokens` file that every service
started on that data dir reads. `shelterbeds revoke` appends to it; a service re-reads it when
the file changes (one `stat` per request), so a revocation holds from the next request on, in
every service, without a restart. Entries past their expiry are dropped on the next revocation:
an expired token is refused anyway.

Services on different machines share the file as they share the secret (a mounted volume, a
Kubernetes Secret); see docs/security.md.

Sign-in links are single-use the same way: the `jti` of every link exchanged for a session is
kept in `used-sign-in-links` beside it (until the link would have expired), so a link seen in a
chat history or a proxy log opens nothing the second time, across restarts and replicas. The
check and the write are one step under an exclusive lock on the file's `.lock` beside it."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REVOKED_FILE = "revoked-tokens"
USED_LINKS_FILE = "used-sign-in-links"


class DenyList:
    def __init__(self, path: Path):
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._revoked: frozenset[str] = frozenset()

    def is_revoked(self, jti: str) -> bool:
        self._refresh()
        return jti in self._revoked

    def _refresh(self) -> None:
        try:
            status = os.stat(self.path)
        except FileNotFoundError:
            self._stamp, self._revoked = None, frozenset()
            return
        stamp = (status.st_mtime_ns, status.st_size)
        if stamp != self._stamp:
            self._revoked = frozenset(jti for jti, _ in read_entries(self.path))
            self._stamp = stamp


def read_entries(path: Path) -> list[tuple[str, int]]:
    entries: list[tuple[str, int]] = []
    if not path.exists():
        return entries
    for line in path.read_text().splitlines():
        jti, _, expires = line.strip().partition(" ")
        if jti and not jti.startswith("#"):
            entries.append((jti, int(expires) if expires.isdigit() else 0))
    return entries


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One writer at a time, across processes sharing the data dir (flock on a file beside it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path.with_suffix(".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _add(path: Path, jti: str, expires_at: int, now: float | None) -> bool:
    """Adds `jti` unless it is there; False if it was. Drops entries long expired. Under the lock."""
    moment = time.time() if now is None else now
    entries = read_entries(path)
    if jti in {j for j, _ in entries}:
        return False
    kept = [(j, e) for j, e in entries if e == 0 or e > moment]
    kept.append((jti, expires_at))
    _write(path, kept)
    return True


def revoke(path: Path, jti: str, expires_at: int, now: float | None = None) -> None:
    """Adds `jti` (kept until `expires_at`, epoch seconds) and drops entries long expired."""
    with _locked(path):
        _add(path, jti, expires_at, now)


def spend(path: Path, jti: str, expires_at: int, now: float | None = None) -> bool:
    """A single-use token's one use: True the first time its `jti` is seen, False after."""
    with _locked(path):
        return _add(path, jti, expires_at, now)


class SpentLinks:
    """The used sign-in links of a data dir, as `Tokens` asks for them."""

    def __init__(self, path: Path):
        self.path = path

    def spend(self, jti: str, expires_at: int) -> bool:
        return spend(self.path, jti, expires_at)


def _write(path: Path, kept: list[tuple[str, int]]) -> None:
    partial = path.with_suffix(".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write("".join(f"{j} {e}\n" for j, e in kept))
    os.replace(partial, path)  # readers see the old list or the new one, never half of it
