"""`allocate` refuses an inconsistent problem with an error naming the field and the value."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest
from test_allocation_support import Draw, School, Unit

from lottery.allocation import (
    AllocationError,
    AllocationProblem,
    ClassRules,
    InvalidAction,
    InvalidProblem,
    PostDrawAction,
    SchoolRules,
    allocate,
    replay_actions,
)
from lottery.errors import LotteryError


def _valid(mode: str = "deferred_acceptance") -> AllocationProblem:
    prefs: dict[str, tuple[int, ...]] = {
        "deferred_acceptance": (0, 1),
        "single_school_lottery": (0,),
        "zone_assignment": (),
    }
    return Draw(
        mode,
        [School(2, 2, ((0, 1),)), School(2)],
        [
            Unit("a:1", prefs[mode], ((0, 0),)),
            Unit("a:2", prefs[mode], category=0),
            Unit("g:T", prefs[mode], males=(True, False)),
        ],
    ).problem()


def _school(problem: AllocationProblem, **changes: object) -> AllocationProblem:
    first = dataclasses.replace(problem.schools[0], **changes)  # type: ignore[arg-type]
    return dataclasses.replace(problem, schools=(first, *problem.schools[1:]))


BAD: dict[str, tuple[Callable[[AllocationProblem], AllocationProblem], str]] = {
    "unknown_mode": (lambda p: dataclasses.replace(p, mode="lottery"), "mode"),  # type: ignore[arg-type]
    "seats_zero": (lambda p: _school(p, seats=0), "school S00: seats must be at least 1, found 0"),
    "reserved_above_seats": (
        lambda p: _school(p, reserved=((0, 3),)),
        "school S00: reserved seats 3 exceed seats 2",
    ),
    "reserved_unknown_category": (
        lambda p: _school(p, reserved=((5, 1),)),
        "reserved category index 5",
    ),
    "class_size_above_cap": (
        lambda p: _school(p, classes=ClassRules(None, 60, "apart")),
        "classes.max_size must be 1 to 50, found 60",
    ),
    "preference_out_of_range": (
        lambda p: dataclasses.replace(p, pref_school=np.array([0, 7, 0, 1, 0, 1], np.int32)),
        "pref_school",
    ),
    "school_listed_twice": (
        lambda p: dataclasses.replace(p, pref_school=np.array([0, 0, 0, 1, 0, 1], np.int32)),
        "unit a:1: school S00 listed twice",
    ),
    "tier_out_of_range": (
        lambda p: dataclasses.replace(p, rank_value=np.array([4], np.int32)),
        "school S00: tier index 4",
    ),
    "unit_size_mismatch": (
        lambda p: dataclasses.replace(p, unit_size=np.array([1, 1, 3], np.int64)),
        "unit g:T: size 3 but 2 members",
    ),
    "unit_keys_unsorted": (
        lambda p: dataclasses.replace(p, unit_keys=("a:2", "a:1", "g:T")),
        "unit_keys: must increase strictly",
    ),
    "float_tickets": (
        lambda p: dataclasses.replace(p, ticket=p.ticket.astype(np.float64)),  # type: ignore[arg-type]
        "ticket: expected uint64",
    ),
    "category_out_of_range": (
        lambda p: dataclasses.replace(p, unit_category=np.array([-1, 9, -1], np.int32)),
        "unit a:2: category index 9",
    ),
    "missing_offsets": (
        lambda p: dataclasses.replace(p, pref_start=p.pref_start[:-1]),
        "pref_start",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_inconsistent_problem_is_refused(name: str) -> None:
    spoil, message = BAD[name]
    with pytest.raises(InvalidProblem, match=message.replace("(", r"\(")):
        allocate(spoil(_valid()))


def test_preference_count_must_fit_the_mode() -> None:
    ssl = dataclasses.replace(_valid(), mode="single_school_lottery")
    with pytest.raises(
        InvalidProblem, match="unit a:1: 2 preferences, single_school_lottery allows 1 to 1"
    ):
        allocate(ssl)
    zone = dataclasses.replace(_valid(), mode="zone_assignment")
    with pytest.raises(InvalidProblem, match="zone_assignment allows 0 to 0"):
        allocate(zone)


def test_zone_needs_a_seat_for_everybody() -> None:
    problem = _valid("zone_assignment")
    small = tuple(SchoolRules(s.id, 1, s.tier_count, (), None) for s in problem.schools)
    with pytest.raises(InvalidProblem, match="zone_assignment: 2 seats for 4 applicants"):
        allocate(dataclasses.replace(problem, schools=small))


def test_the_valid_problems_are_accepted() -> None:
    for mode in ("deferred_acceptance", "single_school_lottery", "zone_assignment"):
        allocate(_valid(mode))


def test_bad_actions_are_refused() -> None:
    problem = _valid()
    allocation = allocate(problem)
    with pytest.raises(
        InvalidAction, match="action 1: applicant index 99 is not an applicant of the draw"
    ):
        replay_actions(problem, allocation, (PostDrawAction("decline", 99),))
    with pytest.raises(InvalidAction, match="action 1: type must be decline or disqualify"):
        replay_actions(problem, allocation, (PostDrawAction("withdraw", 0),))  # type: ignore[arg-type]
    twice = (PostDrawAction("decline", 0), PostDrawAction("disqualify", 0))
    with pytest.raises(
        InvalidAction, match="action 2: application 1 was already removed by an earlier action"
    ):
        replay_actions(problem, allocation, twice)


def test_error_hierarchy() -> None:
    assert issubclass(InvalidProblem, AllocationError)
    assert issubclass(InvalidAction, AllocationError)
    assert issubclass(AllocationError, LotteryError)
