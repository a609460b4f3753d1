"""Failures the domain can name, free of HTTP: the API layer turns them into problem details."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request that breaks a rule of the domain. `code` is a stable, machine-readable slug."""

    code = "rule-violated"

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.extra = extra


class NotFound(DomainError):
    """The object does not exist — or the caller may not see it (same answer, on purpose)."""

    code = "not-found"


class Conflict(DomainError):
    """The request is valid but the current state does not allow it (e.g. nothing fits)."""

    code = "conflict"


class RuleViolation(DomainError):
    """The request is well-formed but asks for something the rules forbid."""

    code = "rule-violated"


class Forbidden(DomainError):
    code = "forbidden"
