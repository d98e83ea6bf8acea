"""Post-draw actions (§14): the replay against a plain reading of §14.2, and its properties."""

from __future__ import annotations

from collections import deque

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from test_allocation_support import Draw, School, Unit, draws, outcome_of

from lottery.allocation import Move, PostDrawAction, allocate, replay_actions


def reference_replay(
    d: Draw,
    outcome_school: dict[str, int | None],
    waitlists: list[list[str]],
    removed_order: list[str],
) -> tuple[dict[str, int | None], list[list[tuple[str, int | None, int]]]]:
    """§14.2 read literally, on application numbers."""
    unit_of = {a: u for u in d.units for a in u.applications()}
    school = {a: outcome_school[unit_of[a].key] for a in unit_of}
    removed: set[str] = set()
    all_moves = []
    for gone in removed_order:
        moves: list[tuple[str, int | None, int]] = []
        removed.add(gone)
        queue: deque[int] = deque()
        if school[gone] is not None:
            queue.append(school[gone])  # type: ignore[arg-type]
        school[gone] = None
        while queue:
            t = queue.popleft()
            free = d.schools[t].seats - sum(1 for a in school if school[a] == t)
            groups: list[list[str]] = []
            for a in waitlists[t]:  # the published waitlist, grouped by units
                if groups and unit_of[groups[-1][0]] is unit_of[a]:
                    groups[-1].append(a)
                else:
                    groups.append([a])
            for members in groups:
                members = [a for a in members if a not in removed]
                if not members:
                    continue
                unit = unit_of[members[0]]
                held = school[members[0]]
                if held == t or (held is not None and unit.prefs.index(held) < unit.prefs.index(t)):
                    continue
                if len(members) <= free:
                    for a in members:
                        moves.append((a, held, t))
                        school[a] = t
                    free -= len(members)
                    if held is not None:
                        queue.append(held)
        all_moves.append(moves)
    return school, all_moves


@st.composite
def draws_with_actions(draw: st.DrawFn) -> tuple[Draw, list[int]]:
    mode = draw(
        st.sampled_from(["single_school_lottery", "deferred_acceptance", "immediate_acceptance"])
    )
    d = draw(draws(mode, classes=False))
    n = sum(u.size for u in d.units)
    removed = draw(st.lists(st.integers(0, max(n - 1, 0)), unique=True, max_size=n)) if n else []
    return d, removed


@settings(max_examples=60, deadline=None)
@given(draws_with_actions())
def test_replay_matches_reference(case: tuple[Draw, list[int]]) -> None:
    d, removed = case
    problem = d.problem()
    allocation = allocate(problem)
    actions = tuple(
        PostDrawAction("decline" if i % 2 else "disqualify", a) for i, a in enumerate(removed)
    )
    placement, moves = replay_actions(problem, allocation, actions)
    ids = problem.applicant_ids
    outcome = outcome_of(d, allocation)
    school, expected_moves = reference_replay(
        d, outcome.school, outcome.waitlists, [ids[a] for a in removed]
    )
    assert [
        [(ids[m.applicant], m.from_school, m.to_school) for m in action_moves]
        for action_moves in moves
    ] == expected_moves
    assert {
        ids[a]: (None if s < 0 else s) for a, s in enumerate(placement.applicant_school.tolist())
    } == school
    # the plan still holds, the removed are nowhere, and groups stay together
    for s, rules in enumerate(problem.schools):
        assert int((placement.applicant_school == s).sum()) <= rules.seats
    assert np.all(placement.applicant_school[placement.removed] == -1)
    for u in range(len(problem.unit_keys)):
        here = placement.applicant_school[(problem.applicant_unit == u) & ~placement.removed]
        assert len(set(here.tolist())) <= 1


def test_a_declined_seat_goes_to_the_first_on_the_waitlist_that_fits() -> None:
    """Seats 2: A and B admitted; twins T (2) and C wait in that order. B declines: one seat
    frees, T does not fit, C moves in (§14.2)."""
    d = Draw(
        "single_school_lottery",
        [School(2)],
        [
            Unit("a:A", (0,)),
            Unit("a:B", (0,)),
            Unit("g:T", (0,), males=(True, True)),
            Unit("a:C", (0,)),
        ],
        tickets={"a:A": 1, "a:B": 2, "g:T": 3, "a:C": 4},
    )
    problem = d.problem()
    allocation = allocate(problem)
    ids = list(problem.applicant_ids)
    assert [ids[a] for a in allocation.waitlists[0].tolist()] == ["T-0", "T-1", "C"]
    placement, moves = replay_actions(
        problem, allocation, (PostDrawAction("decline", ids.index("B")),)
    )
    assert moves == ((Move(ids.index("C"), None, 0),),)
    # A leaves too: one seat, the twins do not fit and nobody else waits: the seat stays free.
    # Then C leaves: two seats, and the twins come in together.
    actions = tuple(
        PostDrawAction(kind, ids.index(who))
        for kind, who in (("decline", "B"), ("disqualify", "A"), ("decline", "C"))
    )
    placement, moves = replay_actions(problem, allocation, actions)
    assert moves[1] == ()
    assert moves[2] == (Move(ids.index("T-0"), None, 0), Move(ids.index("T-1"), None, 0))
    assert placement.applicant_school.tolist() == [-1, -1, -1, 0, 0]  # A, B, C, T-0, T-1
    assert placement.applicant_label.tolist() == [-1, -1, -1, 0, 0]


def test_a_move_up_frees_a_seat_that_is_filled_in_turn() -> None:
    """X holds its second choice S1 and waits for S0; when S0's holder declines, X moves up and
    its seat at S1 goes to Y, first on S1's waitlist (the queue of §14.2)."""
    d = Draw(
        "deferred_acceptance",
        [School(1), School(1)],
        [Unit("a:H", (0,)), Unit("a:X", (0, 1)), Unit("a:Y", (1,))],
        tickets={"a:H": 1, "a:X": 2, "a:Y": 3},
    )
    problem = d.problem()
    allocation = allocate(problem)
    ids = list(problem.applicant_ids)
    h, x, y = ids.index("H"), ids.index("X"), ids.index("Y")
    assert allocation.unit_school.tolist() == [0, 1, -1]
    _, moves = replay_actions(problem, allocation, (PostDrawAction("decline", h),))
    assert moves == ((Move(x, 1, 0), Move(y, None, 1)),)
