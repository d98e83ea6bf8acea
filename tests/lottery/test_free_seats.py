"""Free seats (§10.9), groups without room (§10.10), cutoffs per seat label (§10.8) and tier
counts by child (§12.2), on hand-made draws whose outcome can be followed by hand."""

from __future__ import annotations

from sample_draws import Child, rules_for, run_test_draw, tiers
from test_allocation_support import Draw, Reference, School, Unit, outcome_of

from lottery import School as ManifestSchool
from lottery.allocation import Cutoff, allocate
from lottery.allocation.choice import choice_rules
from lottery.allocation.deferred import deferred_acceptance
from lottery.allocation.pairs import build_pairs


def _late_displacement() -> Draw:
    """Twins G hold both seats of S0 and push A to S1; B (sibling tier at S0) is pushed out of
    S1 by A, comes to S0 and displaces the twins, who do not fit the one seat left. §10.3
    ends with a seat free at S0 while A, who listed S0 first, sits at S1."""
    return Draw(
        "deferred_acceptance",
        [School(2, tier_count=2), School(1)],
        [
            Unit("a:A", (0, 1)),
            Unit("a:B", (1, 0), ranks=((0, 0),)),
            Unit("g:G", (0,), males=(True, False)),
        ],
        tickets={"g:G": 1, "a:A": 2, "a:B": 3},
    )


def test_rounds_alone_leave_a_seat_that_a_child_listed_higher() -> None:
    problem = _late_displacement().problem()
    pairs = build_pairs(problem)
    held = deferred_acceptance(pairs, choice_rules(problem, pairs))
    schools = [int(pairs.pair_school[g]) if g >= 0 else None for g in held.tolist()]
    assert schools == [1, 0, None]  # A at S1, B at S0 with one seat free there, G nowhere


def test_fill_gives_the_freed_seat_to_the_best_candidate_that_fits() -> None:
    """§10.9: at S0 the twins come first but do not fit; A moves up to S0, and S1, which A
    leaves, goes to B (its first choice)."""
    d = _late_displacement()
    allocation = allocate(d.problem())
    outcome = outcome_of(d, allocation)
    assert outcome.school == {"a:A": 0, "a:B": 1, "g:G": None}
    assert outcome == Reference(d).run()
    # §10.8: the twins' key at S0 is better than the open cutoff (A): passed over, two children
    assert allocation.cutoffs[0] == (Cutoff(0, (1, 2), 2),)
    assert outcome.waitlists[0] == ["G-0", "G-1"]
    # §10.10: one seat free at S0 for a pair: not a group without room
    assert allocation.groups_without_room == ()


def test_zone_assignment_leaves_nobody_out_while_a_school_has_room() -> None:
    """A zone draw (seed chosen so) where §10.3 alone leaves B without a seat while S00 has one
    free: a group displaced late. §10.9 seats B."""
    d = Draw(
        "zone_assignment",
        [School(2), School(2), School(2)],
        [
            Unit("a:A"),
            Unit("a:B"),
            Unit("g:T2", males=(True, True)),
            Unit("g:U2", males=(True,) * 2),
        ],
        seed=(148).to_bytes(32, "big"),
    )
    problem = d.problem()
    pairs = build_pairs(problem)
    held = deferred_acceptance(pairs, choice_rules(problem, pairs))
    assert held[1] == -1  # B: no seat after the rounds
    allocation = allocate(problem)
    assert (allocation.unit_school >= 0).all()
    assert outcome_of(d, allocation) == Reference(d).run()


def test_a_group_without_room_is_named() -> None:
    """§10.10: seats 3 + 3 cannot hold three pairs; the pair left out is named, its members
    unplaced (zone_assignment has no waitlists)."""
    pairs = [Unit(f"g:P{i}", males=(True, False)) for i in range(3)]
    d = Draw("zone_assignment", [School(3), School(3)], pairs)
    allocation = allocate(d.problem())
    left_out = [d.units[u].key for u in allocation.groups_without_room]
    assert len(left_out) == 1
    assert sum(1 for s in allocation.unit_school.tolist() if s < 0) == 1


def test_cutoffs_per_label_and_passed_over() -> None:
    """§10.8: seats 3, one reserved for C0. Reserved: the C0 twins (number 3) do not fit its
    one seat, R (9) takes it. Open, 2 seats: A (1), then the twins do not fit the seat left,
    B (5) takes it. Both cutoffs have the twins, two children, passed over."""
    d = Draw(
        "single_school_lottery",
        [School(3, reserved=((0, 1),))],
        [
            Unit("a:A", (0,)),
            Unit("g:G2", (0,), category=0, males=(True, False)),
            Unit("a:B", (0,)),
            Unit("a:R", (0,), category=0),
        ],
        tickets={"a:A": 1, "g:G2": 3, "a:B": 5, "a:R": 9},
    )
    allocation = allocate(d.problem())
    outcome = outcome_of(d, allocation)
    assert outcome.label == {"a:A": "open", "a:B": "open", "a:R": "reserved:C0", "g:G2": None}
    assert outcome.cutoffs == [[("open", (0, 5), 2), ("reserved:C0", (0, 9), 2)]]
    assert outcome == Reference(d).run()


def test_a_label_nobody_holds_has_a_null_cutoff() -> None:
    d = Draw(
        "single_school_lottery",
        [School(2, reserved=((1, 1),))],
        [Unit("a:A", (0,))],
        tickets={"a:A": 7},
    )
    assert allocate(d.problem()).cutoffs == ((Cutoff(0, (0, 7), 0), Cutoff(2, None, 0)),)


def test_by_tier_counts_each_child_under_its_own_tier() -> None:
    """§12.2: twins of whom only one has a sibling there rank with the better tier (§8.4) but
    count as one sibling admission and one general admission."""
    school = ManifestSchool(id="S01", name="School S01", seats=2, tiers=tiers("SIB", "G"))
    children = [
        Child("G001", tiers={"S01": "SIB"}, group="T1"),
        Child("G002", group="T1"),
        Child("A001"),
    ]
    result = run_test_draw(rules_for([school]), children)
    entry = result.results["schools"][0]
    assert entry["by_tier"] == [["SIB", 1], ["G", 1]]
    assert entry["cutoffs"][0]["tier"] == "SIB"  # the twins' unit ranks with the better tier
    assert entry["waitlist"] == ["A001"]
