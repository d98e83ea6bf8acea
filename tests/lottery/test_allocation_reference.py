"""The fast engine equals the reference engine (protocol §8-§11) on generated small draws."""

from __future__ import annotations

from hypothesis import given, settings
from test_allocation_support import Draw, Reference, draws, outcome_of

from lottery.allocation import allocate


def check_same(d: Draw) -> None:
    fast = outcome_of(d, allocate(d.problem()))
    reference = Reference(d).run()
    assert fast.school == reference.school
    assert fast.label == reference.label
    assert fast.waitlists == reference.waitlists
    assert fast.cutoffs == reference.cutoffs
    assert fast.classes == reference.classes


@settings(max_examples=60, deadline=None)
@given(draws("single_school_lottery"))
def test_single_school_lottery_matches_reference(d: Draw) -> None:
    check_same(d)


@settings(max_examples=60, deadline=None)
@given(draws("deferred_acceptance"))
def test_deferred_acceptance_matches_reference(d: Draw) -> None:
    check_same(d)


@settings(max_examples=60, deadline=None)
@given(draws("deferred_acceptance", groups=False, reserved=False, classes=False))
def test_deferred_acceptance_without_groups_or_reserved_matches_reference(d: Draw) -> None:
    check_same(d)


@settings(max_examples=60, deadline=None)
@given(draws("immediate_acceptance"))
def test_immediate_acceptance_matches_reference(d: Draw) -> None:
    check_same(d)


@settings(max_examples=60, deadline=None)
@given(draws("zone_assignment"))
def test_zone_assignment_matches_reference(d: Draw) -> None:
    check_same(d)
