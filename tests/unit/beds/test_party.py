"""Who is coming: a party of 1 to 20 adults and 0 to 20 children."""

from __future__ import annotations

import pytest

from common.errors import RuleViolation
from services.beds.domain.party import MAX_ADULTS, MAX_CHILDREN, Party


@pytest.mark.parametrize(
    ("adults", "children"),
    [(0, 0), (MAX_ADULTS + 1, 0), (0, MAX_CHILDREN + 1), (-1, 2), (1, -1), (21, 21)],
)
def test_a_party_outside_the_rules_is_refused(adults: int, children: int) -> None:
    with pytest.raises(RuleViolation) as refused:
        Party(adults=adults, children=children, gender="female")
    assert refused.value.code == "invalid-party"


@pytest.mark.parametrize(("adults", "children"), [(1, 0), (0, 1), (MAX_ADULTS, MAX_CHILDREN), (20, 0)])
def test_a_party_within_the_rules_is_accepted(adults: int, children: int) -> None:
    party = Party(adults=adults, children=children, gender="other")
    assert party.size == adults + children


def test_an_empty_party_is_refused() -> None:
    with pytest.raises(RuleViolation, match="at least one person"):
        Party(adults=0, children=0, gender="male")


def test_more_than_twenty_adults_is_refused() -> None:
    with pytest.raises(RuleViolation):
        Party(adults=21, children=0, gender="male")


@pytest.mark.parametrize(
    ("adults", "children", "is_family", "adults_only"),
    # Anyone with a child, or several adults together, is placed as a family (one room, together).
    [(1, 0, False, True), (2, 0, True, True), (1, 2, True, False), (0, 1, True, False), (0, 2, True, False)],
)
def test_who_counts_as_a_family(adults: int, children: int, is_family: bool, adults_only: bool) -> None:
    party = Party(adults=adults, children=children, gender="female")
    assert party.is_family is is_family
    assert party.adults_only is adults_only
