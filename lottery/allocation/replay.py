"""Post-draw actions (递补), protocol §14: declines and failed re-checks, and the seats they free.

Replaying is deterministic: start from the published assignment and waitlists, apply each
action in order, refill every school that lost an applicant from its published waitlist, and
record the moves each action caused (§14.2, §14.3).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from lottery.allocation.choice import OPEN
from lottery.allocation.errors import InvalidAction
from lottery.allocation.problem import Allocation, AllocationProblem

__all__ = ["Move", "Placement", "PostDrawAction", "replay_actions"]

I32 = npt.NDArray[np.int32]
Bools = npt.NDArray[np.bool_]
ActionKind = Literal["decline", "disqualify"]


@dataclass(frozen=True)
class PostDrawAction:
    """One action of §14.1: an applicant (index, application order) declines or is disqualified."""

    kind: ActionKind
    applicant: int


@dataclass(frozen=True)
class Move:
    """One applicant moved to `to_school` from `from_school` (None: it held no seat), §14.3."""

    applicant: int
    from_school: int | None
    to_school: int


@dataclass(frozen=True, eq=False)
class Placement:
    """Where every applicant stands after the actions (school -1: none; label as `Allocation`)."""

    applicant_school: I32
    applicant_label: I32
    removed: Bools


class _Replay:
    """The mutable state of one replay; one method per step of §14.2."""

    def __init__(self, problem: AllocationProblem, allocation: Allocation) -> None:
        self.problem = problem
        self.waitlists = allocation.waitlists
        unit = problem.applicant_unit
        self.school = allocation.unit_school[unit].astype(np.int32)
        self.label = allocation.unit_label[unit].astype(np.int32)
        self.removed = np.zeros(unit.size, dtype=np.bool_)
        self.filled = np.bincount(self.school[self.school >= 0], minlength=len(problem.schools))
        self.moves: list[Move] = []

    def position(self, unit: int, school: int) -> int:
        """Index of `school` in the unit's list (§10.1)."""
        start, end = self.problem.pref_start[unit], self.problem.pref_start[unit + 1]
        listed = self.problem.pref_school[start:end].tolist()
        return int(listed.index(school))

    def remove(self, applicant: int) -> int:
        """§14.1: the applicant leaves its school and every waitlist; returns its old school."""
        if self.removed[applicant]:
            application = self.problem.applicant_ids[applicant]
            raise InvalidAction(f"application {application}: already declined or disqualified")
        self.removed[applicant] = True
        school = int(self.school[applicant])
        if school >= 0:
            self.filled[school] -= 1
        self.school[applicant] = -1
        self.label[applicant] = -1
        return school

    def fill(self, school: int, queue: deque[int]) -> None:
        """§14.2: walk the published waitlist of `school`, moving each unit that fits."""
        free = self.problem.schools[school].seats - int(self.filled[school])
        waitlist = self.waitlists[school].tolist()
        units = self.problem.applicant_unit
        i = 0
        while i < len(waitlist) and free > 0:
            unit = int(units[waitlist[i]])
            j = i
            while j < len(waitlist) and int(units[waitlist[j]]) == unit:
                j += 1
            members = [a for a in waitlist[i:j] if not self.removed[a]]
            i = j
            if not members:
                continue
            held = int(self.school[members[0]])
            if held == school or (
                held >= 0 and self.position(unit, held) < self.position(unit, school)
            ):
                continue
            if len(members) <= free:
                for a in members:
                    self.moves.append(Move(a, None if held < 0 else held, school))
                    self.school[a] = school
                    self.label[a] = OPEN  # reserved quotas do not apply after the draw
                free -= len(members)
                self.filled[school] += len(members)
                if held >= 0:
                    self.filled[held] -= len(members)
                    queue.append(held)


def replay_actions(
    problem: AllocationProblem, allocation: Allocation, actions: tuple[PostDrawAction, ...]
) -> tuple[Placement, tuple[tuple[Move, ...], ...]]:
    """Replay `actions` in order (§14.2); the final placement and the moves of each action."""
    n_applicants = len(problem.applicant_ids)
    for seq, action in enumerate(actions, start=1):
        if action.kind not in ("decline", "disqualify"):
            raise InvalidAction(
                f"action {seq}: type must be decline or disqualify, found {action.kind!r}"
            )
        if not 0 <= action.applicant < n_applicants:
            raise InvalidAction(f"action {seq}: applicant index {action.applicant} is out of range")
    state = _Replay(problem, allocation)
    moves_per_action: list[tuple[Move, ...]] = []
    for action in actions:
        state.moves = []
        queue: deque[int] = deque()
        school = state.remove(action.applicant)
        if school >= 0:
            queue.append(school)
        while queue:
            state.fill(queue.popleft(), queue)
        moves_per_action.append(tuple(state.moves))
    placement = Placement(
        applicant_school=state.school, applicant_label=state.label, removed=state.removed
    )
    return placement, tuple(moves_per_action)
