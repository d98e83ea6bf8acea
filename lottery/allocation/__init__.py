"""Allocation modes of protocol §9-§11, on the array form of `problem`.

`allocate` is the one entry point the draw calls: it checks the problem, builds every
(unit, school) pair with its priority key (§8.4), runs the mode (§10), and fills free seats (§10.9), derives labels (§9.4),
waitlists (§10.6), cutoffs (§10.8) and balanced classes (§11).
"""

from __future__ import annotations

import numpy as np

from lottery.allocation.choice import choice_rules
from lottery.allocation.classes import balanced_classes
from lottery.allocation.deferred import deferred_acceptance
from lottery.allocation.errors import AllocationError, InvalidAction, InvalidProblem
from lottery.allocation.explain import ChoiceExplanation, Explanation, explain_applicant
from lottery.allocation.fill import FillState
from lottery.allocation.modes import immediate_acceptance, single_school_lottery
from lottery.allocation.outcome import (
    cutoffs,
    final_labels,
    groups_without_room,
    members_of_units,
    waitlists,
)
from lottery.allocation.pairs import build_pairs
from lottery.allocation.problem import (
    Allocation,
    AllocationProblem,
    ClassRules,
    Cutoff,
    Mode,
    SchoolRules,
    TieBreaking,
)
from lottery.allocation.replay import Move, Placement, PostDrawAction, replay_actions
from lottery.allocation.validate import check_problem

__all__ = [
    "Allocation",
    "AllocationError",
    "AllocationProblem",
    "ChoiceExplanation",
    "ClassRules",
    "Cutoff",
    "Explanation",
    "InvalidAction",
    "InvalidProblem",
    "Mode",
    "Move",
    "Placement",
    "PostDrawAction",
    "SchoolRules",
    "TieBreaking",
    "allocate",
    "explain_applicant",
    "replay_actions",
]


def allocate(problem: AllocationProblem) -> Allocation:
    """Run the draw's allocation mode on `problem` (protocol §10) and derive what is published.

    Raises `InvalidProblem` if the problem is inconsistent; allocates nothing in that case.
    """
    check_problem(problem)
    pairs = build_pairs(problem)
    rules = choice_rules(problem, pairs)
    if problem.mode == "single_school_lottery":
        assigned = single_school_lottery(pairs, rules)
    elif problem.mode == "immediate_acceptance":
        assigned, labels = immediate_acceptance(pairs, rules)
    else:  # deferred_acceptance, and zone_assignment on its generated lists (§10.5)
        assigned = deferred_acceptance(pairs, rules)
        # §10.9: free seats, Q = every school in manifest order. In the two other modes
        # `Fill` moves nobody (§10.9, informative), and they skip it as the text allows.
        state = FillState(pairs, rules.seats, assigned, rules.unit_size)
        state.fill(range(len(problem.schools)))
        assigned = state.assigned
    if problem.mode != "immediate_acceptance":
        labels = final_labels(pairs, rules, assigned)
    members = members_of_units(problem)
    unit_school = np.where(assigned >= 0, pairs.pair_school[np.maximum(assigned, 0)], -1)
    unit_school = unit_school.astype(np.int32)
    if problem.mode == "zone_assignment":  # §10.5: no waitlists in this mode
        lists = tuple(np.zeros(0, dtype=np.int32) for _ in problem.schools)
    else:
        lists = waitlists(pairs, members, assigned)
    return Allocation(
        unit_school=unit_school,
        unit_label=labels,
        waitlists=lists,
        cutoffs=cutoffs(
            problem, pairs, assigned, labels, waiting=problem.mode != "zone_assignment"
        ),
        classes=balanced_classes(problem, members, unit_school),
        groups_without_room=groups_without_room(problem, pairs, assigned, rules.seats),
    )
