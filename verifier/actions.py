"""Post-draw actions (递补) replayed from the published assignment, protocol §14."""

from __future__ import annotations

from collections import deque
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
        for row in published["applicants"]:
            if row[3] is not None:
                self.assigned[self.unit_of[row[0]]] = school_index[row[3]]
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
                self.assigned[unit] = None
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
            self.assigned[unit] = school
            self.occupancy[school] += len(members)


def replay_actions(
    *,
    manifest: Manifest,
    units: list[Unit],
    lists: list[tuple[int, ...]],
    published: dict[str, Any],
    document: object,
    results_digest: bytes,
) -> int:
    """(12): replay every action and compare its moves with the published ones. Returns count."""
    actions = Fields(document, "actions.json")
    actions.exact_keys(("protocol", "kind", "results", "actions"))
    actions.choice("protocol", [PROTOCOL])
    actions.choice("kind", ["actions"])
    if actions.raw("results") != results_digest.hex():
        raise fail("actions.json.results", results_digest.hex(), actions.raw("results"))
    replay = _Replay(manifest=manifest, units=units, lists=lists, published=published)
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
    return len(actions.array("actions"))
