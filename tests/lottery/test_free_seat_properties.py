"""Properties of free-seat filling (§10.9) after the draw and after post-draw actions (§14.2),
checked from the definitions, in every mode, with groups."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from test_allocation_support import MODES, Draw, Reference, draws

from lottery.allocation import PostDrawAction, allocate
from lottery.allocation.replay import Placement, replay_states


def _units_now(d: Draw, placement: Placement) -> tuple[list[int], list[int | None]]:
    """Each unit's live size and the school it holds (None: none) in a state."""
    problem = d.problem()
    sizes = [0] * len(d.units)
    held: list[int | None] = [None] * len(d.units)
    for a, u in enumerate(problem.applicant_unit.tolist()):
        if not placement.removed[a]:
            sizes[u] += 1
            school = int(placement.applicant_school[a])
            held[u] = None if school < 0 else school
    return sizes, held


def _free_seat_a_candidate_fits(d: Draw, placement: Placement) -> list[tuple[str, int]]:
    """(unit, school) where the school's free seats hold a candidate whole (§10.9)."""
    reference = Reference(d)
    sizes, held = _units_now(d, placement)
    taken = np.bincount(
        placement.applicant_school[placement.applicant_school >= 0], minlength=len(d.schools)
    )
    found = []
    for u, unit in enumerate(d.units):
        listed = reference.preference_list(unit.key)
        better = listed if held[u] is None else listed[: listed.index(held[u])]
        for t in better:
            if sizes[u] and sizes[u] <= d.schools[t].seats - int(taken[t]):
                found.append((unit.key, t))
    return found


@st.composite
def draws_and_declines(draw: st.DrawFn) -> tuple[Draw, list[int]]:
    d = draw(st.sampled_from(MODES).flatmap(lambda mode: draws(mode, classes=False)))
    n = sum(u.size for u in d.units)
    removed = draw(st.lists(st.integers(0, max(n - 1, 0)), unique=True, max_size=n)) if n else []
    return d, removed


@settings(max_examples=80, deadline=None)
@given(draws_and_declines())
def test_no_free_seat_fits_a_candidate_after_the_draw_or_any_action(
    case: tuple[Draw, list[int]],
) -> None:
    d, removed = case
    problem = d.problem()
    allocation = allocate(problem)
    actions = [PostDrawAction("decline", a) for a in removed]
    placements, _ = replay_states(problem, allocation, actions, list(range(len(actions) + 1)))
    assert _free_seat_a_candidate_fits(d, placements[0]) == []  # §10.9, every mode
    if d.mode == "zone_assignment":
        # §10.5, §10.9: no unit unplaced while a school has room for it whole
        sizes, held = _units_now(d, placements[0])
        taken = np.bincount(
            allocation.unit_school[allocation.unit_school >= 0].repeat(
                problem.unit_size[allocation.unit_school >= 0]
            ),
            minlength=len(d.schools),
        )
        free = [s.seats - int(taken[k]) for k, s in enumerate(d.schools)]
        for u in range(len(d.units)):
            if held[u] is None:
                assert max(free) < sizes[u]
        return  # §14.2: nobody moves in zone_assignment
    for placement in placements[1:]:  # §14.2: each action ends with Fill
        assert _free_seat_a_candidate_fits(d, placement) == []
        for s, school in enumerate(d.schools):
            assert int((placement.applicant_school == s).sum()) <= school.seats


@settings(max_examples=60, deadline=None)
@given(draws(classes=False))
def test_groups_without_room_are_exactly_those_of_the_definition(d: Draw) -> None:
    """§10.10 against its definition, and every named group is unassigned."""
    allocation = allocate(d.problem())
    reference = Reference(d)
    assigned = {
        unit.key: int(s) for unit, s in zip(d.units, allocation.unit_school, strict=True) if s >= 0
    }
    assert [d.units[u].key for u in allocation.groups_without_room] == (
        reference.groups_without_room(assigned)
    )
