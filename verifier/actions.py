"""Post-draw actions (递补) replayed from the published assignment, protocol §14."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from verifier.canonical import encode
from verifier.errors import CheckFailed
from verifier.fields import Fields, fail, is_time
from verifier.hashing import PROTOCOL, domain_hash
from verifier.manifest import Manifest
from verifier.records import Unit

ACTION_KEYS = ("seq", "type", "application", "at", "moves")


def actions_digest(document: object) -> bytes:
    """`H("actions", JCS(actions document))`, §14.4."""
    return domain_hash("actions", encode(document))


@dataclass(frozen=True)
class Removal:
    """One action of §14.1: the applicant it removed and how (`decline` or `disqualify`)."""

    seq: int
    kind: str
    application: str


@dataclass(frozen=True)
class FinalAssignment:
    """The assignment after every action (§14.2; the *final assignment* of §14.5).

    Per unit (the order of `units`): its school index after the replay, or None, and its label
    (the published one, `"open"` for a unit a replay moved, §14.2). `removed` holds the removed
    applicants (§14.1): they hold no seat even when the rest of their unit does.
    """

    unit_school: tuple[int | None, ...]
    unit_label: tuple[str | None, ...]
    removed: frozenset[str]
    actions: tuple[Removal, ...]
    unit_of: Mapping[str, int]
    lists: Sequence[tuple[int, ...]]

    def school_of(self, application: str) -> int | None:
        """The applicant's school after the actions, or None."""
        if application in self.removed:
            return None
        return self.unit_school[self.unit_of[application]]

    def label_of(self, application: str) -> str | None:
        """The applicant's label after the actions, or None."""
        if application in self.removed:
            return None
        return self.unit_label[self.unit_of[application]]

    def removal_of(self, application: str) -> Removal | None:
        """The action that removed the applicant, if one did."""
        return next((r for r in self.actions if r.application == application), None)

    def waitlist(self, school: int, published: Sequence[str]) -> list[str]:
        """§10.6 on the final assignment: the published waitlist of `school`, in order, without
        removed applicants (§14.1) and without units now at `school` or at a school listed
        before it. A replay only moves a unit up its own list (§14.2), so no one joins a list."""
        kept = []
        for application in published:
            if application in self.removed:
                continue
            unit = self.unit_of[application]
            held, listed = self.unit_school[unit], self.lists[unit]
            if held is None or listed.index(school) < listed.index(held):
                kept.append(application)
        return kept


class _Replay:
    """The assignment as actions change it: per unit its school and its removed members."""

    def __init__(
        self,
        *,
        manifest: Manifest,
        units: list[Unit],
        lists: list[tuple[int, ...]],
        published: dict[str, Any],
    ) -> None:
        self.schools = manifest.schools
        self.units = units
        self.position = [{school: pos for pos, school in enumerate(entries)} for entries in lists]
        self.unit_of = {m.application: u for u, unit in enumerate(units) for m in unit.members}
        school_index = {school.id: s for s, school in enumerate(manifest.schools)}
        self.assigned: list[int | None] = [None] * len(units)
        self.labels: list[str | None] = [None] * len(units)
        for row in published["applicants"]:
            if row[3] is not None:
                unit = self.unit_of[row[0]]
                self.assigned[unit], self.labels[unit] = school_index[row[3]], row[4]
        self.removed: set[str] = set()
        self.occupancy = [0] * len(manifest.schools)
        for u, s in enumerate(self.assigned):
            if s is not None:
                self.occupancy[s] += units[u].size
        self.waitlists = []
        for entry in published["schools"]:
            order = dict.fromkeys(
                self.unit_of[a] for a in entry["waitlist"]
            )  # units, first appearance
            self.waitlists.append(list(order))

    def remaining(self, unit: int) -> list[str]:
        return [
            m.application for m in self.units[unit].members if m.application not in self.removed
        ]

    def remove(self, application: str) -> int | None:
        """(14.2): the applicant leaves the draw; returns the school it leaves, if any."""
        unit = self.unit_of[application]
        self.removed.add(application)
        school = self.assigned[unit]
        if school is not None:
            self.occupancy[school] -= 1
            if not self.remaining(unit):
                self.assigned[unit] = self.labels[unit] = None
        return school

    def fill(self, school: int, queue: deque[int], moves: list[list[Any]]) -> None:
        """(14.2): walk the published waitlist and move in every unit that fits, in order."""
        for unit in self.waitlists[school]:
            members = self.remaining(unit)
            held = self.assigned[unit]
            if (
                not members
                or held == school
                or (held is not None and self.position[unit][held] < self.position[unit][school])
            ):
                continue
            if len(members) > self.schools[school].seats - self.occupancy[school]:
                continue
            for application in members:
                moves.append(
                    [
                        application,
                        None if held is None else self.schools[held].id,
                        self.schools[school].id,
                    ]
                )
            if held is not None:
                self.occupancy[held] -= len(members)
                queue.append(held)
            self.assigned[unit], self.labels[unit] = school, "open"  # no quotas after the draw
            self.occupancy[school] += len(members)


def replay_actions(
    *,
    manifest: Manifest,
    units: list[Unit],
    lists: list[tuple[int, ...]],
    published: dict[str, Any],
    document: object,
    results_digest: bytes,
) -> FinalAssignment:
    """(12): replay every action and compare its moves with the published ones.

    Returns the final assignment; its `actions` are the replayed actions, in order."""
    actions = Fields(document, "actions.json")
    actions.exact_keys(("protocol", "kind", "results", "actions"))
    actions.choice("protocol", [PROTOCOL])
    actions.choice("kind", ["actions"])
    if actions.raw("results") != results_digest.hex():
        raise fail("actions.json.results", results_digest.hex(), actions.raw("results"))
    replay = _Replay(manifest=manifest, units=units, lists=lists, published=published)
    removals: list[Removal] = []
    for index, item in enumerate(actions.array("actions")):
        action = Fields(item, f"actions.json.actions[{index}]")
        action.exact_keys(ACTION_KEYS)
        if action.integer("seq") != index + 1:
            raise fail(f"{action.path}.seq", str(index + 1), action.raw("seq"))
        action.choice("type", ["decline", "disqualify"])
        application = action.raw("application")
        if application not in replay.unit_of or application in replay.removed:
            raise fail(f"{action.path}.application", "an applicant still in the draw", application)
        if not is_time(action.raw("at")):
            raise fail(f"{action.path}.at", "a time YYYY-MM-DDTHH:MM:SSZ", action.raw("at"))
        moves: list[list[Any]] = []
        left = replay.remove(application)
        queue = deque([] if left is None else [left])
        while queue:
            replay.fill(queue.popleft(), queue, moves)
        if moves != action.raw("moves"):
            raise CheckFailed(
                f"action {index + 1} ({application}): the published moves differ from the replay (§14.2)",
                expected=repr(moves),
                found=repr(action.raw("moves")),
            )
        removals.append(Removal(index + 1, action.raw("type"), application))
    return FinalAssignment(
        unit_school=tuple(replay.assigned),
        unit_label=tuple(replay.labels),
        removed=frozenset(replay.removed),
        actions=tuple(removals),
        unit_of=replay.unit_of,
        lists=lists,
    )
