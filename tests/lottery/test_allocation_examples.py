"""Small hand-worked draws, one rule each (protocol §9-§11), and the explanation helper."""

from __future__ import annotations

from hypothesis import given, settings
from test_allocation_support import Draw, Reference, School, Unit, draws, outcome_of

from lottery.allocation import ClassRules, Cutoff, allocate, explain_applicant
from lottery.tickets import school_ticket


def _outcome(d: Draw) -> dict[str, int | None]:
    return outcome_of(d, allocate(d.problem())).school


def test_group_too_big_for_the_seats_left_is_passed_over() -> None:
    """§9.3: seats 2; A takes one, twins T do not fit the one left, C after them does."""
    d = Draw(
        "single_school_lottery",
        [School(2)],
        [Unit("a:A", (0,)), Unit("g:T", (0,), males=(True, False)), Unit("a:C", (0,))],
        tickets={"a:A": 1, "g:T": 2, "a:C": 3},
    )
    assert _outcome(d) == {"a:A": 0, "a:C": 0, "g:T": None}


def test_better_tier_beats_a_better_number() -> None:
    """§8.4: the tier comes first; the number only orders children within a tier."""
    d = Draw(
        "single_school_lottery",
        [School(1, tier_count=2)],
        [Unit("a:A", (0,)), Unit("a:B", (0,), ranks=((0, 0),))],
        tickets={"a:A": 1, "a:B": 2**64 - 1},
    )
    assert _outcome(d) == {"a:A": None, "a:B": 0}
    allocation = allocate(d.problem())
    # §10.8: the last admitted's tier and number, one cutoff per label (here only open)
    assert allocation.cutoffs == ((Cutoff(0, (0, 2**64 - 1), 0),),)


def test_reserved_seats_go_first_to_their_category_and_unused_ones_return() -> None:
    """§9.1, §9.2: 3 seats, 2 reserved for C0. One C0 child (the worst number) takes a reserved
    seat; the second reserved seat finds nobody and goes to the open draw."""
    d = Draw(
        "single_school_lottery",
        [School(3, reserved=((0, 2),))],
        [Unit("a:A", (0,)), Unit("a:B", (0,)), Unit("a:C", (0,)), Unit("a:R", (0,), category=0)],
        tickets={"a:A": 1, "a:B": 2, "a:C": 3, "a:R": 4},
    )
    outcome = outcome_of(d, allocate(d.problem()))
    assert outcome.school == {"a:A": 0, "a:B": 0, "a:C": None, "a:R": 0}
    assert outcome.label == {"a:A": "open", "a:B": "open", "a:C": None, "a:R": "reserved:C0"}


def test_immediate_acceptance_punishes_an_ambitious_first_choice() -> None:
    """§10.4 vs §10.3: X and Y both want S0 first, X has the better number there. Y's second
    choice S1 is Z's first. Under IA, Z takes S1 in round one and Y is left out; under DA, Y,
    with a better number than Z, keeps a place at S1."""
    units = [Unit("a:X", (0, 1)), Unit("a:Y", (0, 1)), Unit("a:Z", (1,))]
    tickets = {"a:X": 1, "a:Y": 2, "a:Z": 3}
    schools = [School(1), School(1)]
    ia = Draw("immediate_acceptance", schools, units, tickets=tickets)
    da = Draw("deferred_acceptance", schools, units, tickets=tickets)
    assert _outcome(ia) == {"a:X": 0, "a:Y": None, "a:Z": 1}
    assert _outcome(da) == {"a:X": 0, "a:Y": 1, "a:Z": None}


def test_multiple_tie_breaking_uses_a_number_per_school() -> None:
    """§8.3: the cutoff carries the number used at that school, drawn per school."""
    d = Draw(
        "single_school_lottery",
        [School(1), School(1)],
        [Unit("a:A", (0,)), Unit("a:B", (0,)), Unit("a:C", (1,))],
        tie_breaking="multiple",
    )
    outcome = _outcome(d)
    allocation = allocate(d.problem())
    winner = min(("a:A", "a:B"), key=lambda k: school_ticket(d.seed, k, "S00"))
    assert outcome[winner] == 0
    assert allocation.cutoffs[0][0].key == (0, school_ticket(d.seed, winner, "S00"))
    assert allocation.cutoffs[1][0].key == (0, school_ticket(d.seed, "a:C", "S01"))


def test_zone_assignment_puts_a_sibling_school_first() -> None:
    """§10.5: a better tier at a school (a sibling there) puts it first in the generated list."""
    schools = [School(2, tier_count=2), School(2, tier_count=2), School(2, tier_count=2)]
    for s in range(3):
        d = Draw("zone_assignment", schools, [Unit("a:A", (), ranks=((s, 0),)), Unit("a:B")])
        assert _outcome(d)["a:A"] == s


def test_classes_apart_split_twins_of_one_sex() -> None:
    """§11.3: twin boys sit next to each other in the boys' order, so they land in two classes."""
    d = Draw(
        "single_school_lottery",
        [School(4, classes=ClassRules(count=2, max_size=45, twins="apart"))],
        [
            Unit("g:T", (0,), males=(True, True)),
            Unit("a:A", (0,), males=(False,)),
            Unit("a:B", (0,), males=(False,)),
        ],
    )
    classes = outcome_of(d, allocate(d.problem())).classes[0]
    assert classes is not None
    assert sorted(len(c) for c in classes) == [2, 2]
    assert all(("T-0" in c) != ("T-1" in c) for c in classes)


def test_classes_together_keep_a_group_in_one_class() -> None:
    d = Draw(
        "single_school_lottery",
        [School(5, classes=ClassRules(count=2, max_size=45, twins="together"))],
        [
            Unit("g:T", (0,), males=(True, False)),
            Unit("a:A", (0,)),
            Unit("a:B", (0,)),
            Unit("a:C", (0,), males=(False,)),
        ],
    )
    classes = outcome_of(d, allocate(d.problem())).classes[0]
    assert classes is not None
    assert any("T-0" in c and "T-1" in c for c in classes)
    assert sorted(len(c) for c in classes) == [2, 3]


@settings(max_examples=50, deadline=None)
@given(draws(classes=False))
def test_explanation_agrees_with_the_allocation_and_the_reference(d: Draw) -> None:
    problem = d.problem()
    allocation = allocate(problem)
    reference = Reference(d)
    outcome = outcome_of(d, allocation)
    unit_of = {a: u for u in d.units for a in u.applications()}
    for index, application in enumerate(problem.applicant_ids):
        explanation = explain_applicant(problem, allocation, index)
        unit = unit_of[application]
        assert explanation.application == application
        assert explanation.unit_key == unit.key
        assert explanation.school == outcome.school[unit.key]
        assert explanation.label == outcome.label[unit.key]
        listed = reference.preference_list(unit.key)
        assert [c.school for c in explanation.choices] == listed
        for choice in explanation.choices:
            s = choice.school
            assert choice.tier == reference.rank(unit.key, s)
            assert choice.number == reference.number(unit.key, s)
            assert choice.admitted == (outcome.school[unit.key] == s)
            assert choice.cutoff == outcome.cutoffs[s][0][1]
            waitlist = outcome.waitlists[s]
            expected = waitlist.index(application) + 1 if application in waitlist else None
            assert choice.waitlist_position == expected
        waiting = any(application in w for w in outcome.waitlists)
        status = (
            "admitted"
            if outcome.school[unit.key] is not None
            else "waitlisted"
            if waiting
            else "unplaced"
        )
        assert explanation.status == status
