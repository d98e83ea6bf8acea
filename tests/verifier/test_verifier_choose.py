"""`Choose` of protocol §9.1, as the verifier runs it (special candidates one by one, runs of
plain single children as slices), against the rule read literally, candidate by candidate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.choice import UNIT_MASK, choose
from verifier.manifest import Reserved, School


@dataclass
class _Units:
    """The two unit facts `choose` reads from `Priorities`."""

    sizes: list[int]
    categories: list[str | None]


def _literal_choose(
    school: School, pool: list[int], units: _Units, seats_left: int, reserved_left: list[int]
) -> dict[int, str]:
    """§9.1 steps 1-3 exactly as written: every candidate looked at in priority order."""
    remaining, chosen = seats_left, {}
    for entry, avail in zip(school.reserved, reserved_left, strict=True):
        for candidate in pool:
            unit = candidate & UNIT_MASK
            if candidate in chosen or units.categories[unit] != entry.category:
                continue
            if units.sizes[unit] <= avail and units.sizes[unit] <= remaining:
                chosen[candidate] = "reserved:" + entry.category
                avail -= units.sizes[unit]
                remaining -= units.sizes[unit]
    for candidate in pool:
        size = units.sizes[candidate & UNIT_MASK]
        if candidate not in chosen and size <= remaining:
            chosen[candidate] = "open"
            remaining -= size
    return chosen


@st.composite
def _cases(draw: Any) -> tuple[School, list[int], _Units, int, list[int]]:
    count = draw(st.integers(0, 40))
    sizes = draw(st.lists(st.sampled_from([1, 1, 1, 1, 2, 3]), min_size=count, max_size=count))
    categories = draw(
        st.lists(st.sampled_from([None, None, None, "a", "b"]), min_size=count, max_size=count)
    )
    seats = draw(st.integers(1, 30))
    reserved = tuple(
        Reserved(category, draw(st.integers(1, 4)))
        for category in draw(st.lists(st.sampled_from(["a", "b"]), unique=True, max_size=2))
    )
    school = School("S", "S", seats, ("t",), ("t",), reserved, "primary", None, {"t": 0})
    # Packed keys: a random priority (high bits) over the unit index, all distinct.
    ranks = draw(st.lists(st.integers(0, 1000), min_size=count, max_size=count))
    pool = sorted(rank << 32 | unit for unit, rank in enumerate(ranks))
    seats_left = draw(st.integers(0, seats))
    reserved_left = [draw(st.integers(0, entry.seats)) for entry in reserved]
    return school, pool, _Units(sizes, categories), seats_left, reserved_left


@settings(max_examples=300, deadline=None)
@given(_cases())
def test_choose_equals_the_literal_rule(
    case: tuple[School, list[int], _Units, int, list[int]],
) -> None:
    school, pool, units, seats_left, reserved_left = case
    special = [c for c in pool if units.sizes[c & UNIT_MASK] > 1 or units.categories[c & UNIT_MASK]]
    choice = choose(
        school,
        pool,
        special,
        priorities=units,  # type: ignore[arg-type]
        seats_left=seats_left,
        reserved_left=reserved_left,
    )
    expected = _literal_choose(school, pool, units, seats_left, reserved_left)
    assert choice.kept == sorted(expected)
    assert sorted(choice.rejected) == sorted(set(pool) - set(expected))
    assert choice.kept_special == [c for c in choice.kept if c in special]
    assert {c: choice.reserved.get(c, "open") for c in choice.kept} == expected
