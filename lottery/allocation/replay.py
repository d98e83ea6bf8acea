"""Post-draw actions (递补), protocol §14: declines and failed re-checks, and the seats they free.

Replaying is deterministic: start from the draw's assignment `A` (after §10.9) and labels, and for
each action in order remove the applicant (its unit's other members stay, as a smaller unit),
then run `Fill(Q)` (§10.9) with the queue of §14.2: the school it held, then, if its unit still
has members, the schools of the unit's list before the school it holds (its whole list if it
holds none). Moved units get the label "open". In `zone_assignment` nobody moves. The state after
any prefix of the actions (a results head's, §12.7) is a `Placement`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from lottery.allocation.choice import OPEN, UNCHOSEN
from lottery.allocation.errors import InvalidAction
from lottery.allocation.fill import FillState
from lottery.allocation.outcome import members_of_units, waitlists
from lottery.allocation.pairs import PairTable, build_pairs
from lottery.allocation.problem import Allocation, AllocationProblem

__all__ = [
    "REMOVED_KINDS",
    "Move",
    "Placement",
    "PostDrawAction",
    "assigned_pairs",
    "replay_actions",
    "replay_states",
]

I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
ActionKind = Literal["decline", "disqualify"]
REMOVED_KINDS: tuple[ActionKind, ...] = ("decline", "disqualify")  # removed_kind 1 and 2


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
    """Where every applicant stands after some actions (school -1: none; label as `Allocation`).

    `removed_kind[a]` is 0 for an applicant still in the draw, 1 + the index of its action's
    type in `REMOVED_KINDS` otherwise; `waitlists` are §10.6 on this assignment, removed
    applicants on none (§14.2); `actions` is the number of actions replayed.
    """

    applicant_school: I32
    applicant_label: I32
    removed: Bools
    removed_kind: I8
    waitlists: tuple[I32, ...]
    actions: int


def assigned_pairs(pairs: PairTable, unit_school: I32) -> I64:
    """The pair `(u, s)` of each unit's assigned school `s`, or -1."""
    entries = pairs.list_pair
    entry_unit = np.repeat(
        np.arange(pairs.list_start.size - 1, dtype=np.int64), np.diff(pairs.list_start)
    )
    here = pairs.pair_school[entries] == unit_school[entry_unit]
    assigned = np.full(pairs.list_start.size - 1, -1, dtype=np.int64)
    assigned[entry_unit[here]] = entries[here]
    return assigned


class _Replay:
    """The mutable state of one replay; one method per step of §14.2."""

    def __init__(
        self, problem: AllocationProblem, allocation: Allocation, pairs: PairTable | None
    ) -> None:
        self.problem = problem
        self.pairs = build_pairs(problem) if pairs is None else pairs
        self.members = members_of_units(problem)
        seats = np.array([s.seats for s in problem.schools], dtype=np.int64)
        assigned = assigned_pairs(self.pairs, allocation.unit_school)
        self.state = FillState(self.pairs, seats, assigned, problem.unit_size.astype(np.int64))
        self.label = allocation.unit_label.astype(np.int32).copy()
        self.removed_kind = np.zeros(len(problem.applicant_ids), dtype=np.int8)
        self.moves: list[Move] = []

    def remove(self, seq: int, action: PostDrawAction) -> None:
        """§14.1 and §14.2: remove the applicant, then `Fill` from the seats this frees."""
        applicant = action.applicant
        if self.removed_kind[applicant]:
            application = self.problem.applicant_ids[applicant]
            raise InvalidAction(
                f"action {seq}: application {application} was already removed by an earlier "
                "action (§14.1)"
            )
        self.removed_kind[applicant] = 1 + REMOVED_KINDS.index(action.kind)
        state, pairs = self.state, self.pairs
        unit = int(self.problem.applicant_unit[applicant])
        held = int(state.assigned[unit])
        queue: list[int] = []
        if held >= 0:  # (1) it leaves its school: one seat is free there
            queue.append(int(pairs.pair_school[held]))
            state.filled[queue[0]] -= 1
        state.size[unit] -= 1
        if state.size[unit] == 0:  # nobody left: the unit holds nothing any more
            state.assigned[unit] = -1
            self.label[unit] = UNCHOSEN
        elif self.problem.mode != "zone_assignment":  # (2) the rest may now fit higher up
            listed = pairs.list_pair[pairs.list_start[unit] : pairs.list_start[unit + 1]]
            before = len(listed) if held < 0 else int(pairs.pair_position[held])
            queue.extend(pairs.pair_school[listed[:before]].tolist())
        if self.problem.mode == "zone_assignment":  # §14.2: nobody moves in this mode
            return
        state.moved = []
        state.fill(queue)
        for moved_unit, left, taken in state.moved:
            self.label[moved_unit] = OPEN  # reserved quotas do not apply after the draw
            to_school = int(pairs.pair_school[taken])  # where this move went (§14.3)
            from_school = None if left < 0 else int(pairs.pair_school[left])
            start, end = self.members.start[moved_unit], self.members.start[moved_unit + 1]
            for member in self.members.applicants[start:end].tolist():
                if not self.removed_kind[member]:
                    self.moves.append(Move(member, from_school, to_school))

    def placement(self, actions: int) -> Placement:
        """The state after `actions` actions (§14.2), with its waitlists (§10.6)."""
        state, pairs = self.state, self.pairs
        unit = self.problem.applicant_unit
        assigned = state.assigned[unit]
        removed = self.removed_kind > 0
        school = np.where(assigned >= 0, pairs.pair_school[np.maximum(assigned, 0)], -1)
        school = np.where(removed, -1, school).astype(np.int32)
        label = np.where(school >= 0, self.label[unit], UNCHOSEN).astype(np.int32)
        if self.problem.mode == "zone_assignment":  # §10.5: no waitlists in this mode
            lists = tuple(np.zeros(0, dtype=np.int32) for _ in self.problem.schools)
        else:
            lists = tuple(w[~removed[w]] for w in waitlists(pairs, self.members, state.assigned))
        return Placement(
            applicant_school=school,
            applicant_label=label,
            removed=removed,
            removed_kind=self.removed_kind.copy(),
            waitlists=lists,
            actions=actions,
        )


def _draw_day(problem: AllocationProblem, allocation: Allocation) -> Placement:
    """The state before any action: the allocation as published (§10.9, §10.6)."""
    unit = problem.applicant_unit
    n = len(problem.applicant_ids)
    return Placement(
        applicant_school=allocation.unit_school[unit].astype(np.int32),
        applicant_label=allocation.unit_label[unit].astype(np.int32),
        removed=np.zeros(n, dtype=np.bool_),
        removed_kind=np.zeros(n, dtype=np.int8),
        waitlists=allocation.waitlists,
        actions=0,
    )


def _check_actions(problem: AllocationProblem, actions: Sequence[PostDrawAction]) -> None:
    n_applicants = len(problem.applicant_ids)
    for seq, action in enumerate(actions, start=1):
        if action.kind not in REMOVED_KINDS:
            raise InvalidAction(
                f"action {seq}: type must be decline or disqualify, found {action.kind!r}"
            )
        if not 0 <= action.applicant < n_applicants:
            raise InvalidAction(
                f"action {seq}: applicant index {action.applicant} is not an applicant of "
                "the draw (§14.1)"
            )


def replay_states(
    problem: AllocationProblem,
    allocation: Allocation,
    actions: Sequence[PostDrawAction],
    stops: Sequence[int],
    *,
    pairs: PairTable | None = None,
) -> tuple[tuple[Placement, ...], tuple[tuple[Move, ...], ...]]:
    """Replay `actions` in order (§14.2); the state after the first `m` actions for each `m`
    of `stops` (increasing, each at most the number of actions), and the moves of each action.
    `pairs`, if given, is `build_pairs(problem)` already built. Raises `InvalidAction` naming
    the action."""
    _check_actions(problem, actions)
    if any(b <= a for a, b in itertools.pairwise(stops)) or any(
        not 0 <= m <= len(actions) for m in stops
    ):
        raise InvalidAction(f"replay stops {list(stops)} are not increasing within the actions")
    if not actions:  # the draw's own state: nothing to replay (§14.2)
        return tuple(_draw_day(problem, allocation) for _ in stops), ()
    replay = _Replay(problem, allocation, pairs)
    placements: list[Placement] = []
    moves: list[tuple[Move, ...]] = []
    wanted = list(stops)
    for done in range(len(actions) + 1):
        if wanted and wanted[0] == done:
            placements.append(replay.placement(done))
            wanted.pop(0)
        if done == len(actions):
            break
        replay.moves = []
        replay.remove(done + 1, actions[done])
        moves.append(tuple(replay.moves))
    return tuple(placements), tuple(moves)


def replay_actions(
    problem: AllocationProblem, allocation: Allocation, actions: tuple[PostDrawAction, ...]
) -> tuple[Placement, tuple[tuple[Move, ...], ...]]:
    """Replay `actions` in order (§14.2); the final placement and the moves of each action."""
    placements, moves = replay_states(problem, allocation, actions, [len(actions)])
    return placements[0], moves
