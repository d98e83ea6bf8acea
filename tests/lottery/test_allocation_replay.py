"""Post-draw actions (§14): the replay against a plain reading of §14.2, and its properties."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from test_allocation_support import Draw, Reference, School, Unit, draws, outcome_of

from lottery.allocation import Move, PostDrawAction, allocate, replay_actions


def reference_replay(
    d: Draw, outcome_school: dict[str, int | None], removed_order: list[str]
) -> tuple[dict[str, int | None], list[list[tuple[str, int | None, int]]]]:
    """§14.2 read literally, on application numbers, with §10.9's `Fill`."""
    reference = Reference(d)
    unit_of = {a: u for u in d.units for a in u.applications()}
    school = {a: outcome_school[unit_of[a].key] for a in unit_of}
    removed: set[str] = set()
    all_moves = []

    def live(unit: Unit) -> list[str]:
        return [a for a in sorted(unit.applications(), key=str.encode) if a not in removed]

    def free(t: int) -> int:
        return d.schools[t].seats - sum(1 for a in school if school[a] == t)

    for gone in removed_order:
        moves: list[tuple[str, int | None, int]] = []
        removed.add(gone)
        unit = unit_of[gone]
        held = school[gone]
        school[gone] = None
        listed = reference.preference_list(unit.key)
        queue = [] if held is None else [held]
        if live(unit):
            queue += listed if held is None else listed[: listed.index(held)]
        if d.mode == "zone_assignment":
            queue = []
        while queue:  # Fill(Q), §10.9
            t = queue.pop(0)
            candidates = []
            for u in d.units:
                members = live(u)
                listed_u = reference.preference_list(u.key)
                if not members or t not in listed_u:
                    continue
                now = school[members[0]]
                if now is None or listed_u.index(now) > listed_u.index(t):
                    candidates.append(u)
            candidates.sort(key=lambda u: reference.priority(u.key, t))
            for u in candidates:
                if free(t) == 0:
                    break
                members = live(u)
                if len(members) <= free(t):
                    now = school[members[0]]
                    for a in members:
                        moves.append((a, now, t))
                        school[a] = t
                    if now is not None:
                        queue.append(now)
        all_moves.append(moves)
    return school, all_moves


@st.composite
def draws_with_actions(draw: st.DrawFn) -> tuple[Draw, list[int]]:
    mode = draw(
        st.sampled_from(
            [
                "single_school_lottery",
                "deferred_acceptance",
                "immediate_acceptance",
                "zone_assignment",
            ]
        )
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
    school, expected_moves = reference_replay(d, outcome.school, [ids[a] for a in removed])
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


def test_a_twin_declines_and_the_other_takes_a_single_free_seat() -> None:
    """§14.2 second part: the pair never fitted S0's one seat; when one twin declines, the
    other, now a unit of one, is a candidate there and takes it."""
    d = Draw(
        "deferred_acceptance",
        [School(1), School(1)],
        [Unit("a:A", (1,)), Unit("g:T", (0,), males=(True, False))],
        tickets={"a:A": 1, "g:T": 2},
    )
    problem = d.problem()
    allocation = allocate(problem)
    ids = list(problem.applicant_ids)
    assert allocation.unit_school.tolist() == [1, -1]
    placement, moves = replay_actions(
        problem, allocation, (PostDrawAction("decline", ids.index("T-0")),)
    )
    assert moves == ((Move(ids.index("T-1"), None, 0),),)
    assert placement.applicant_school.tolist() == [1, -1, 0]
    assert [w.tolist() for w in placement.waitlists] == [[], []]


def test_zone_assignment_replay_moves_nobody() -> None:
    """§14.2: in zone_assignment a freed seat waits for the second round."""
    d = Draw("zone_assignment", [School(1), School(1)], [Unit("a:A"), Unit("a:B")])
    problem = d.problem()
    allocation = allocate(problem)
    placement, moves = replay_actions(problem, allocation, (PostDrawAction("decline", 0),))
    assert moves == ((),)
    assert placement.applicant_school[1] == allocation.unit_school[1]
