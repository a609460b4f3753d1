"""The deny list of revoked tokens (a lost or stolen phone): one `jti` per line with the time the
token would have expired anyway, in the data dir's `revoked-tokens` file that every service
started on that data dir reads. `shelterbeds revoke` appends to it; a service re-reads it when
the file changes (one `stat` per request), so a revocation holds from the next request on, in
every service, without a restart. Entries past their expiry are dropped on the next revocation:
an expired token is refused anyway.

Services on different machines share the file as they share the secret (a mounted volume, a
Kubernetes Secret); see docs/security.md."""

from __future__ import annotations

import os
import time
from pathlib import Path

REVOKED_FILE = "revoked-tokens"


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


def revoke(path: Path, jti: str, expires_at: int, now: float | None = None) -> None:
    """Adds `jti` (kept until `expires_at`, epoch seconds) and drops entries long expired."""
    moment = time.time() if now is None else now
    kept = [(j, e) for j, e in read_entries(path) if e == 0 or e > moment]
    if jti not in {j for j, _ in kept}:
        kept.append((jti, expires_at))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write("".join(f"{j} {e}\n" for j, e in kept))
    os.replace(partial, path)  # readers see the old list or the new one, never half of it
