"""The shared part of every access table: an unknown message is a programming error, a hidden
object answers like an absent one, and a role the entry does not name is refused."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from common.access_table import AccessTable
from common.errors import Forbidden, NotFound


@dataclass(frozen=True)
class Entry:
    roles: frozenset[str]
    record: str


class ShowThing:
    pass


class Unlisted:
    pass


TABLE = AccessTable(
    {ShowThing: Entry(frozenset({"supervisor"}), "thing")}, {"thing": ("No thing.", "thing-nf")}
)


def test_a_hidden_thing_answers_like_an_absent_one() -> None:
    found = TABLE.absent(ShowThing())
    assert isinstance(found, NotFound) and (found.detail, found.code) == ("No thing.", "thing-nf")


def test_a_role_the_entry_does_not_name_is_refused() -> None:
    TABLE.may_call(ShowThing(), "supervisor")
    with pytest.raises(Forbidden):
        TABLE.may_call(ShowThing(), "patrol")


def test_every_message_needs_an_entry_and_every_record_an_absent_answer() -> None:
    with pytest.raises(LookupError):
        TABLE.entry(Unlisted())
    with pytest.raises(ValueError, match="absent"):
        AccessTable({ShowThing: Entry(frozenset(), "other")}, {})
