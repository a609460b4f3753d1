"""The part of every service's access table that is the same: look a message up (every command
and query must have an entry), answer what a hidden object answers — exactly what an absent one
does — and refuse a role the entry does not name (403). What each entry holds beyond its roles and
the record it names (the object rule) is the service's own: `services/<name>/domain/access.py`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Generic, Protocol, TypeVar

from common.errors import Forbidden, NotFound

# A route's `opt`: the message it dispatches (`sends(c.OpenSite)`), so the table's roles are
# checked at the door, before the body is even read; a route outside any bus names its roles
# (`callable_by(...)`). Every `/api/` route declares one or the other (tests/integration/
# test_authorization_matrix.py enumerates the apps' routes, so an undeclared route fails).
SENDS = "sends"
ROLES = "roles"


def sends(message: type, **opt: Any) -> dict[str, Any]:
    return {SENDS: message, **opt}


def callable_by(roles: Iterable[str], **opt: Any) -> dict[str, Any]:
    return {ROLES: frozenset(roles), **opt}


class Entry(Protocol):
    @property
    def roles(self) -> frozenset[str]: ...

    @property
    def record(self) -> str: ...


E = TypeVar("E", bound=Entry)


class AccessTable(Generic[E]):
    def __init__(self, entries: Mapping[type, E], absent: Mapping[Any, tuple[str, str]]):
        """`absent`: for each record an entry names, the detail and code of its 404."""
        missing = {entry.record for entry in entries.values()} - set(absent)
        if missing:
            raise ValueError(f"no 'absent' answer for records {sorted(missing)}")
        self.entries = dict(entries)
        self._absent = dict(absent)

    def entry(self, message: object) -> E:
        try:
            return self.entries[type(message)]
        except KeyError:
            raise LookupError(f"{type(message).__name__} has no entry in the access table") from None

    def absent(self, message: object) -> NotFound:
        detail, code = self._absent[self.entry(message).record]
        return NotFound(detail, code=code)

    def may_call(self, message: object, role: str) -> None:
        """The role part of the table, before anything is loaded (403)."""
        refuse_unless(role, self.entry(message).roles)

    def roles_of(self, opt: Mapping[str, Any]) -> frozenset[str] | None:
        """Who may call a route, from what it declares (None: it declares nothing)."""
        if SENDS in opt:
            message: type = opt[SENDS]
            if message not in self.entries:
                raise LookupError(f"{message.__name__} has no entry in the access table")
            return self.entries[message].roles
        roles: frozenset[str] | None = opt.get(ROLES)
        return roles


def refuse_unless(role: str, allowed: frozenset[str]) -> None:
    if role not in allowed:
        needs = ", ".join(sorted(allowed)) or "no role a token carries"
        raise Forbidden(f"The {role} role may not do this; it needs one of: {needs}.")
