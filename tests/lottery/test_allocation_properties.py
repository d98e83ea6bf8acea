"""Properties every allocation must have, checked independently of any engine (protocol §9-§11)."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from test_allocation_support import MODES, Draw, Reference, draws

from lottery.allocation import Allocation, AllocationProblem, allocate


def _admitted_size(problem: AllocationProblem, allocation: Allocation, s: int) -> int:
    return int(problem.unit_size[allocation.unit_school == s].sum())


@settings(max_examples=60, deadline=None)
@given(draws())
def test_seats_and_reserved_seats_are_never_exceeded(d: Draw) -> None:
    problem = d.problem()
    allocation = allocate(problem)
    for s, school in enumerate(problem.schools):
        assert _admitted_size(problem, allocation, s) <= school.seats
        for category, seats in school.reserved:
            labelled = (allocation.unit_school == s) & (allocation.unit_label == 1 + category)
            assert int(problem.unit_size[labelled].sum()) <= seats
            # §9.1: a reserved label only ever goes to a unit of that category
            assert np.all(problem.unit_category[labelled] == category)


@settings(max_examples=60, deadline=None)
@given(draws())
def test_every_child_has_exactly_one_status(d: Draw) -> None:
    problem = d.problem()
    allocation = allocate(problem)
    unit = problem.applicant_unit
    admitted = allocation.unit_school[unit] >= 0
    on_lists = np.zeros(len(problem.applicant_ids), dtype=np.int64)
    for s, waitlist in enumerate(allocation.waitlists):
        assert len(set(waitlist.tolist())) == waitlist.size  # nobody twice on one list
        on_lists[waitlist] += 1
        # nobody waits for the school it has, or for one it likes less than its own (§10.6)
        assert not np.any(allocation.unit_school[unit[waitlist]] == s)
    assert np.all(allocation.unit_label[allocation.unit_school >= 0] >= 0)
    assert np.all(allocation.unit_label[allocation.unit_school < 0] == -1)
    if problem.mode == "zone_assignment":  # no waitlists (§10.5); §6.3 gives enough seats,
        assert on_lists.sum() == 0  # so every child alone is placed (groups may not fit)
        assert admitted[problem.unit_size[unit] == 1].all() or problem.unit_size.max() > 1
    # groups are never split: members share the unit's one school by construction; their
    # waitlist entries come together, in application order (§10.6)
    for waitlist in allocation.waitlists:
        units = unit[waitlist].tolist()
        runs = [k for k, _ in itertools.groupby(units)]
        assert len(runs) == len(set(runs))
        for u in set(units):
            members = waitlist[unit[waitlist] == u]
            assert members.size == problem.unit_size[u]
            assert np.all(np.diff(members) > 0)


@settings(max_examples=60, deadline=None)
@given(draws(classes=True))
def test_classes_hold_every_admitted_child_once_and_are_balanced(d: Draw) -> None:
    problem = d.problem()
    allocation = allocate(problem)
    for s, school in enumerate(problem.schools):
        classes = allocation.classes[s]
        if school.classes is None:
            assert classes is None
            continue
        assert classes is not None
        admitted = np.flatnonzero(allocation.unit_school[problem.applicant_unit] == s)
        placed = np.sort(np.concatenate([*classes, np.zeros(0, dtype=np.int32)]))
        assert placed.tolist() == admitted.tolist()
        if admitted.size == 0:
            assert classes == ()
            continue
        expected = school.classes.count or -(-admitted.size // school.classes.max_size)
        assert len(classes) == expected
        sizes = [c.size for c in classes]
        boys = [int(problem.applicant_male[c].sum()) for c in classes]
        girls = [c.size - b for c, b in zip(classes, boys, strict=True)]
        if school.classes.twins == "apart":  # §11.3
            for counts in (sizes, boys, girls):
                assert max(counts) - min(counts) <= 1
        else:  # §11.4: within the size of the largest unit, and units never split
            largest = int(problem.unit_size[allocation.unit_school == s].max())
            assert max(sizes) - min(sizes) <= largest
            for klass in classes:
                for u in set(problem.applicant_unit[klass].tolist()):
                    assert int((problem.applicant_unit[klass] == u).sum()) == problem.unit_size[u]


def _blocking_pairs(d: Draw, allocation: Allocation) -> list[tuple[str, int]]:
    """Pairs (u, s): u prefers s to its outcome and `Choose(s, A(s) + u)` takes u (§9.1)."""
    reference = Reference(d)
    held = {
        s: [unit.key for i, unit in enumerate(d.units) if allocation.unit_school[i] == s]
        for s in range(len(d.schools))
    }
    blocking = []
    for i, unit in enumerate(d.units):
        prefs = reference.preference_list(unit.key)
        mine = int(allocation.unit_school[i])
        better = prefs if mine < 0 else prefs[: prefs.index(mine)]
        for s in better:
            if unit.key in reference.choose(s, [*held[s], unit.key]):
                blocking.append((unit.key, s))
    return blocking


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["deferred_acceptance", "zone_assignment"]).flatmap(
        lambda mode: draws(mode, groups=False, classes=False)
    )
)
def test_deferred_acceptance_with_single_children_is_stable(d: Draw) -> None:
    """§10.3 (informative): with units of one, the result has no blocking pair."""
    allocation = allocate(d.problem())
    assert _blocking_pairs(d, allocation) == []
    reference = Reference(d)
    for s in range(len(d.schools)):  # and every school would choose its whole set again
        held = [u.key for i, u in enumerate(d.units) if allocation.unit_school[i] == s]
        assert set(reference.choose(s, held)) == set(held)


@settings(max_examples=60, deadline=None)
@given(draws("deferred_acceptance", groups=False, classes=False))
def test_deferred_acceptance_is_student_optimal_among_stable_matchings(d: Draw) -> None:
    """Every stable matching, found by brute force, is weakly worse for every unit."""
    if len(d.units) > 6:
        d = dataclasses.replace(d, units=d.units[:6])
    problem = d.problem()
    ours = allocate(problem)
    reference = Reference(d)
    options = [[*u.prefs, -1] for u in d.units]
    for choice in itertools.product(*options):
        candidate = dataclasses.replace(ours, unit_school=np.array(choice, dtype=np.int32))
        full = any(
            sum(u.size for u, c in zip(d.units, choice, strict=True) if c == s) > school.seats
            for s, school in enumerate(d.schools)
        )
        if full:
            continue
        held = {
            s: [u.key for u, c in zip(d.units, choice, strict=True) if c == s]
            for s in range(len(d.schools))
        }
        if any(set(reference.choose(s, keys)) != set(keys) for s, keys in held.items()):
            continue
        if _blocking_pairs(d, candidate):
            continue
        for i, unit in enumerate(d.units):  # a stable matching: ours is at least as good
            rank = {s: k for k, s in enumerate(unit.prefs)}
            mine, theirs = int(ours.unit_school[i]), choice[i]
            assert rank.get(mine, len(rank)) <= rank.get(theirs, len(rank))


@settings(max_examples=60, deadline=None)
@given(draws("single_school_lottery", classes=False))
def test_single_school_lottery_respects_priority_order(d: Draw) -> None:
    """§9.1: a rejected child alone is rejected only when open seats ran out before it."""
    problem = d.problem()
    allocation = allocate(problem)
    reference = Reference(d)
    for i, unit in enumerate(d.units):
        if unit.size != 1 or allocation.unit_school[i] >= 0:
            continue
        s = unit.prefs[0]
        assert _admitted_size(problem, allocation, s) == problem.schools[s].seats
        for j, other in enumerate(d.units):
            if allocation.unit_school[j] == s and allocation.unit_label[j] == 0:
                assert reference.priority(other.key, s) < reference.priority(unit.key, s)


def _relabelled(problem: AllocationProblem, order: list[int]) -> AllocationProblem:
    """The same units in another index order, each keeping its ticket (keys renamed in order)."""
    old = np.array(order, dtype=np.int64)  # new unit i is old unit order[i]
    new_of_old = np.empty_like(old)
    new_of_old[old] = np.arange(old.size)
    pref_lists = [
        problem.pref_school[problem.pref_start[u] : problem.pref_start[u + 1]] for u in old
    ]
    rank_slices = [slice(problem.rank_start[u], problem.rank_start[u + 1]) for u in old]
    return dataclasses.replace(
        problem,
        unit_keys=tuple(f"a:R{i:03d}" for i in range(old.size)),
        unit_size=problem.unit_size[old],
        unit_category=problem.unit_category[old],
        ticket=problem.ticket[old],
        pref_start=np.cumsum([0] + [p.size for p in pref_lists]).astype(np.int64),
        pref_school=np.concatenate([*pref_lists, np.zeros(0, np.int32)]).astype(np.int32),
        rank_start=np.cumsum([0] + [r.stop - r.start for r in rank_slices]).astype(np.int64),
        rank_school=np.concatenate(
            [problem.rank_school[r] for r in rank_slices] + [np.zeros(0, np.int32)]
        ).astype(np.int32),
        rank_value=np.concatenate(
            [problem.rank_value[r] for r in rank_slices] + [np.zeros(0, np.int32)]
        ).astype(np.int32),
        applicant_unit=new_of_old[problem.applicant_unit].astype(np.int32),
    )


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(MODES[:3]).flatmap(lambda mode: draws(mode, classes=False)),
    st.randoms(use_true_random=False),
)
def test_unit_order_does_not_matter(d: Draw, shuffler: object) -> None:
    """Re-indexing the units (tickets kept) changes nothing for any child (§8.4, §10)."""
    d.tie_breaking = "single"  # per-school numbers are drawn from the keys, renamed here
    problem = d.problem()
    order = list(range(len(problem.unit_keys)))
    shuffler.shuffle(order)  # type: ignore[attr-defined]
    before, after = allocate(problem), allocate(_relabelled(problem, order))
    unit_before, unit_after = problem.applicant_unit, _relabelled(problem, order).applicant_unit
    assert before.unit_school[unit_before].tolist() == after.unit_school[unit_after].tolist()
    assert before.unit_label[unit_before].tolist() == after.unit_label[unit_after].tolist()
    assert [w.tolist() for w in before.waitlists] == [w.tolist() for w in after.waitlists]
    assert before.cutoffs == after.cutoffs
