"""Post-draw actions (递补) replayed from the published assignment, protocol §14.1-§14.4."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from verifier.errors import CheckFailed
from verifier.fields import Fields, fail
from verifier.hashing import PROTOCOL
from verifier.manifest import Manifest
from verifier.records import Unit


@dataclass(frozen=True)
class FinalAssignment:
    """The assignment after every action (§14.2; the *final assignment* of §14.5).

    Per unit: its school index or None, its label, and its list (§10.1). `removed` maps each
    removed applicant to its action `(seq, type)`; a removed applicant holds no seat.
    """

    unit_school: list[int | None]
    unit_label: list[str | None]
    lists: list[list[int]]
    unit_of: dict[str, int]
    removed: dict[str, tuple[int, str]]

    def school_of(self, application: str) -> int | None:
        if application in self.removed:
            return None
        return self.unit_school[self.unit_of[application]]

    def waitlist(self, s: int, published: list[str]) -> list[str]:
        """§10.6 on the final assignment (§14.2, informative): the published waitlist of `s`
        without removed applicants and without units now at `s` or at a school before it."""
        kept = []
        for application in published:
            u = self.unit_of[application]
            held, listed = self.unit_school[u], self.lists[u]
            if application not in self.removed and (
                held is None or listed.index(s) < listed.index(held)
            ):
                kept.append(application)
        return kept


def replay_actions(
    *,
    manifest: Manifest,
    units: list[Unit],
    lists: list[list[int]],
    published: dict[str, Any],
    document: object,
    results_digest: bytes,
) -> FinalAssignment:
    """§17 step 12: replay each action (§14.2) and compare its moves with the published ones."""
    actions = Fields(document, "actions.json")
    actions.exact_keys(("protocol", "kind", "results", "audit", "actions"))  # audit: step 13
    actions.choice("protocol", [PROTOCOL])
    actions.choice("kind", ["actions"])
    actions.choice("results", [results_digest.hex()])  # (14.3): made for these results
    schools = manifest.schools
    index_of = {school.id: s for s, school in enumerate(schools)}
    unit_of = {m.application: u for u, unit in enumerate(units) for m in unit.members}
    school: list[int | None] = [None] * len(units)
    label: list[str | None] = [None] * len(units)
    for application, _, _, school_id, row_label in published["applicants"]:
        if school_id is not None:
            u = unit_of[application]
            school[u], label[u] = index_of[school_id], row_label
    occupied = [0] * len(schools)
    for u, s in enumerate(school):
        if s is not None:
            occupied[s] += units[u].size
    # Each school's published waitlist as units, in order of first appearance (§14.2).
    entries = published["schools"]
    waitlists = [list(dict.fromkeys(unit_of[a] for a in entry["waitlist"])) for entry in entries]
    removed: dict[str, tuple[int, str]] = {}

    def still_in(u: int) -> list[str]:
        return [m.application for m in units[u].members if m.application not in removed]

    for index, item in enumerate(actions.array("actions")):
        action = Fields(item, f"actions.json.actions[{index}]")
        action.exact_keys(("seq", "type", "application", "at", "moves"))
        if action.integer("seq") != index + 1:
            raise fail(f"{action.path}.seq", "term_count", action.raw("seq"), count=index + 1)
        kind = action.choice("type", ["decline", "disqualify"])
        action.time("at")
        application = action.raw("application")
        if application not in unit_of or application in removed:
            raise fail(f"{action.path}.application", "term_in_draw", application)
        # (14.2): the applicant leaves; the school it leaves is queued to be filled.
        u = unit_of[application]
        removed[application] = (index + 1, kind)
        queue: deque[int] = deque()
        left = school[u]
        if left is not None:
            occupied[left] -= 1
            queue.append(left)
            if not still_in(u):
                school[u] = label[u] = None
        moves: list[list[Any]] = []
        while queue:
            t = queue.popleft()
            for w in waitlists[t]:
                members, held = still_in(w), school[w]
                if (
                    not members
                    or held == t
                    or (held is not None and lists[w].index(held) < lists[w].index(t))
                ):
                    continue
                if len(members) > schools[t].seats - occupied[t]:
                    continue  # does not fit whole: the walk goes on
                source = None if held is None else schools[held].id
                moves += [[a, source, schools[t].id] for a in members]
                if held is not None:
                    occupied[held] -= len(members)
                    queue.append(held)
                school[w], label[w] = t, "open"  # no reserved quotas after the draw
                occupied[t] += len(members)
        if moves != action.raw("moves"):
            where = {"seq": index + 1, "application": application}
            raise CheckFailed("actions_moves", expected=moves, found=action.raw("moves"), **where)
    return FinalAssignment(school, label, lists, unit_of, removed)
