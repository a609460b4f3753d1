"""Who is coming (a party: adults, children, gender; a youth party) and what they need."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from common.errors import RuleViolation

Gender = Literal["female", "male", "other"]
MAX_ADULTS = 20
MAX_CHILDREN = 20


@dataclass(frozen=True)
class Party:
    adults: int
    children: int
    gender: Gender
    # Every member is 16-24 and unaccompanied: what a youth room takes (besides unaccompanied minors).
    youth: bool = False

    def __post_init__(self) -> None:
        if not (0 <= self.adults <= MAX_ADULTS and 0 <= self.children <= MAX_CHILDREN):
            raise RuleViolation(
                f"A party has 0 to {MAX_ADULTS} adults and 0 to {MAX_CHILDREN} children.",
                code="invalid-party",
            )
        if self.size == 0:
            raise RuleViolation("A party has at least one person.", code="invalid-party")

    @property
    def size(self) -> int:
        return self.adults + self.children

    @property
    def is_family(self) -> bool:
        return self.children > 0 or self.adults > 1

    @property
    def adults_only(self) -> bool:
        return self.children == 0

    @property
    def unaccompanied_minors(self) -> bool:
        return self.adults == 0


@dataclass(frozen=True)
class Needs:
    accessible: bool = False
    pet: bool = False
    # Fleeing domestic violence: placed only at confidential sites.
    dv: bool = False

    @property
    def special(self) -> bool:
        """Needs that a bare overflow mat cannot meet."""
        return self.accessible or self.pet or self.dv
