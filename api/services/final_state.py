"""Where every child stands after the post-draw actions (递补, protocol §14.2): the engine's
replay, each school's waitlist after it, and every child's status.

One rule for both places that show it: the outcomes the service stores for the parent look-up
(`api.services.actions`) and the documents printed from a published bundle
(`api.documents.after_actions`). Pure: an allocation problem, the published allocation and the
actions in; no database, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lottery import canonical_json
from lottery.allocation import Allocation, AllocationProblem
from lottery.allocation.replay import Move, Placement, PostDrawAction, replay_actions

__all__ = ["FinalState", "OutcomeLine", "final_state", "outcome_lines", "seat_labels"]

OutcomeLine = tuple[str, str | None, str | None, str]
"""One child's row of the `outcomes` table: status, school, label, waitlist places as JSON."""

_PLACED_STATUSES = ("admitted", "waitlisted", "unplaced")  # §10.7
_REMOVED_STATUS = {"decline": "declined", "disqualify": "disqualified"}  # §14.1


@dataclass(frozen=True, eq=False)
class FinalState:
    """A draw after its actions (§14.2). `placement` is where every applicant stands (school
    index or -1, label index as `Allocation`); `moves` the moves of each action (§14.3);
    `waitlists[s]` school s's waitlist after the actions, applicant indices in order;
    `statuses[a]` applicant a's status: §10.7 on the final assignment, or `"declined"` /
    `"disqualified"` for a removed applicant (§14.1)."""

    placement: Placement
    moves: tuple[tuple[Move, ...], ...]
    waitlists: tuple[npt.NDArray[np.int32], ...]
    statuses: list[str]


def final_state(
    problem: AllocationProblem, allocation: Allocation, actions: Sequence[PostDrawAction]
) -> FinalState:
    """Replay `actions` in order from the published allocation with the engine (§14.2).

    Raises `lottery.allocation.InvalidAction` if an action is malformed or names an applicant
    twice.
    """
    placement, moves = replay_actions(problem, allocation, tuple(actions))
    waitlists = _waitlists_after(problem, allocation, placement)
    on_a_list = np.zeros(len(problem.applicant_ids), dtype=np.bool_)
    for listed in waitlists:
        on_a_list[listed] = True
    codes = np.where(placement.applicant_school >= 0, 0, np.where(on_a_list, 1, 2))
    statuses = [_PLACED_STATUSES[code] for code in codes.tolist()]
    for action in actions:  # a removed applicant holds no seat and waits nowhere (§14.1)
        statuses[action.applicant] = _REMOVED_STATUS[action.kind]
    return FinalState(
        placement=placement, moves=moves, waitlists=tuple(waitlists), statuses=statuses
    )


def seat_labels(problem: AllocationProblem) -> list[str | None]:
    """The label of each label index, shifted by one so that index -1 (no seat) gives None."""
    return [None, "open", *("reserved:" + c for c in problem.category_ids)]


def _waitlists_after(
    problem: AllocationProblem, allocation: Allocation, placement: Placement
) -> list[npt.NDArray[np.int32]]:
    """Each school's waitlist after the actions: §10.6 applied to the final assignment.

    Whether a unit waits at a school depends on its assignment only, and the published lists
    are §10.6 on the published assignment. So each list stays, in its order (§8.4), without the
    removed applicants (§14.1) and without the moved units at the school they moved to or at one
    listed before it (a replay only moves a unit up its own list, §14.2): the list §14.2 walks
    when it next fills the school, and the one the verifier's check 12 replays.
    """
    lists = allocation.waitlists
    on_list = np.concatenate([np.zeros(0, dtype=np.int32), *lists])
    school = np.repeat(np.arange(len(lists)), [w.size for w in lists])
    unit = problem.applicant_unit
    waiting = ~placement.removed[on_list]
    moved = placement.applicant_school[on_list] != allocation.unit_school[unit[on_list]]
    for i in np.flatnonzero(waiting & moved).tolist():
        u, now = int(unit[on_list[i]]), int(placement.applicant_school[on_list[i]])
        listed = problem.pref_school[problem.pref_start[u] : problem.pref_start[u + 1]].tolist()
        waiting[i] = listed.index(int(school[i])) < listed.index(now)
    bounds = np.cumsum([w.size for w in lists])[:-1]
    return [w[kept] for w, kept in zip(lists, np.split(waiting, bounds), strict=True)]


def outcome_lines(problem: AllocationProblem, state: FinalState) -> dict[str, OutcomeLine]:
    """Every child's line after the actions, laid out as the run stores it (§10.7, §12.1):
    waitlist places in school order, by application."""
    schools = [s.id for s in problem.schools]
    labels = seat_labels(problem)
    # JCS of `[[school, position], ...]` written out: a draw has one line per child, and
    # encoding each through `canonical_json` would cost more than the replay itself.
    quoted = [canonical_json(s).decode("utf-8") for s in schools]
    places: dict[int, list[str]] = {}
    for s, listed in enumerate(state.waitlists):
        for number, applicant in enumerate(listed.tolist(), start=1):
            places.setdefault(applicant, []).append(f"[{quoted[s]},{number}]")
    school_of = state.placement.applicant_school.tolist()
    label_of = state.placement.applicant_label.tolist()
    lines: dict[str, OutcomeLine] = {}
    for applicant, application in enumerate(problem.applicant_ids):
        school = None if school_of[applicant] < 0 else schools[school_of[applicant]]
        waitlist = "[" + ",".join(places.get(applicant, ())) + "]"
        lines[application] = (
            state.statuses[applicant],
            school,
            labels[label_of[applicant] + 1],
            waitlist,
        )
    return lines
