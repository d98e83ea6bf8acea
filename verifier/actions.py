"""Post-draw actions (递补) replayed through `Fill` (protocol §14.1-§14.4), the outcome leaves
and tree of each state and its results head (§12.7)."""

from __future__ import annotations

import json
from typing import Any

from verifier.allocation import Allocation, Priorities
from verifier.canonical import encode
from verifier.errors import CheckFailed
from verifier.fields import Fields, fail
from verifier.hashing import PROTOCOL, hex16
from verifier.merkle import leaf_hash, tree_root

OUTCOME_PREFIX = f"{PROTOCOL}/outcome".encode("ascii") + b"\x00"  # §12.7 item 2
STATUSES = ("admitted", "waitlisted", "unplaced")


def outcome_leaves(priorities: Priorities, state: Allocation) -> list[dict[str, Any]]:
    """§12.7 item 1: every applicant's leaf in this state, in application order."""
    manifest, units, removed = priorities.manifest, priorities.units, state.removed
    positions: dict[tuple[str, int], int] = {}  # (application, school) -> waitlist position
    for s in range(len(manifest.schools) if manifest.mode != "zone_assignment" else 0):
        waiting = [m.application for c in state.waitlist(s) for m in units[c[3]].members
                   if m.application not in removed]  # fmt: skip
        positions |= {(a, s): position for position, a in enumerate(waiting, start=1)}
    leaves = []
    for u, unit in enumerate(units):
        held = state.assigned[u]
        for member in unit.members:
            a = member.application
            if a in removed:  # its action's type (§14.1)
                status, school, label = removed[a][1], None, None
            elif held is not None:
                status, school, label = "admitted", manifest.schools[held].id, state.labels[u]
            else:  # (10.7)
                on_one = any((a, s) in positions for s in state.lists[u])
                status, school, label = "waitlisted" if on_one else "unplaced", None, None
            choices = [[manifest.schools[s].id, hex16(priorities.number(u, s)),
                        positions.get((a, s))] for s in state.lists[u]]  # fmt: skip
            leaves.append({"application": a, "receipt_check": member.receipt_check,
                           "lottery_number": hex16(priorities.tickets[u]), "status": status,
                           "school": school, "label": label, "choices": choices})  # fmt: skip
    return sorted(leaves, key=lambda leaf: leaf["application"])  # ASCII (§1.3)


def outcome_entry(leaf: Any) -> bytes:
    """`ASCII("sunshine-draw/2/outcome") || 0x00 || JCS(leaf)`, §12.7 item 2."""
    return OUTCOME_PREFIX + encode(leaf)


def built_entry(leaf: dict[str, Any]) -> bytes:
    """`outcome_entry` of a leaf `outcome_leaves` built: its keys are ASCII and its values
    strings, small integers and `null` taken from checked files, and for such values §2.4's
    `json.dumps` recipe is exactly JCS. (It runs in C: 150,000 leaves in a second.)"""
    text = json.dumps(leaf, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return OUTCOME_PREFIX + text.encode("utf-8")


def head_state(priorities: Priorities, leaves: list[dict[str, Any]]) -> dict[str, Any]:
    """A head's `outcomes`, `counts` and `schools` for a state (§12.7 item 3)."""
    counts = dict.fromkeys((*STATUSES, "removed"), 0)
    admitted: dict[str, int] = {}
    for leaf in leaves:
        counts[leaf["status"] if leaf["status"] in STATUSES else "removed"] += 1
        admitted[leaf["school"]] = admitted.get(leaf["school"], 0) + 1
    root = tree_root([leaf_hash(built_entry(leaf)) for leaf in leaves]).hex()
    schools = [[s.id, s.seats, admitted.get(s.id, 0)] for s in priorities.manifest.schools]
    return {"outcomes": {"count": len(leaves), "root": root}, "counts": counts, "schools": schools}


def compare_head(head: Any, wanted: dict[str, Any], seq: int) -> None:
    """A results head equals the one its state gives (§17 steps 10 and 12), key by key."""
    if head != wanted:
        found = head if isinstance(head, dict) else {}
        keys = sorted(set(wanted) | set(found))
        wrong = [k for k in keys if found.get(k, "?") != wanted.get(k, "?")]
        raise CheckFailed("head_differs", seq=seq, keys=", ".join(wrong),
                          expected={k: wanted.get(k) for k in wrong},
                          found={k: found.get(k) for k in wrong})  # fmt: skip


def replay_actions(
    priorities: Priorities, drawn: Allocation, document: object, results_digest: bytes,
    stops: list[int],
) -> tuple[Allocation, dict[int, list[dict[str, Any]]]]:  # fmt: skip
    """§17 step 12: replay each action (§14.2) from the draw's assignment and compare its moves
    with the published ones. Returns the final state and the leaves after each `stops` count."""
    actions = Fields(document, "actions.json")
    actions.exact_keys(("protocol", "kind", "results", "audit", "actions"))  # audit: step 13
    actions.choice("protocol", [PROTOCOL])
    actions.choice("kind", ["actions"])
    actions.choice("results", [results_digest.hex()])  # (14.3): made for these results
    manifest, units = priorities.manifest, priorities.units
    ids = [school.id for school in manifest.schools]
    unit_of = {m.application: u for u, unit in enumerate(units) for m in unit.members}
    state = Allocation(list(drawn.assigned), list(drawn.labels), drawn.lists, list(drawn.sizes),
                       list(drawn.free), drawn.candidates)  # fmt: skip
    removed, leaves, last_at = state.removed, {}, ""
    for index, item in enumerate(actions.array("actions")):  # (14.1)
        action = Fields(item, f"actions.json.actions[{index}]")
        action.exact_keys(("seq", "type", "application", "at", "moves"))
        if action.integer("seq") != index + 1:
            raise fail(f"{action.path}.seq", "term_count", action.raw("seq"), count=index + 1)
        kind = action.choice("type", ["decline", "disqualify"])
        if action.time("at") < last_at:  # times of one format (§1.5) compare as strings
            raise fail(f"{action.path}.at", "term_not_before", action.raw("at"), time=last_at)
        last_at, application = action.raw("at"), action.raw("application")
        if application not in unit_of or application in removed:
            raise fail(f"{action.path}.application", "term_in_draw", application)
        # (14.2) 1: the applicant leaves; its unit stays, smaller.
        u = unit_of[application]
        removed[application] = (index + 1, kind)
        held, state.sizes[u] = state.assigned[u], state.sizes[u] - 1
        queue = [] if held is None else [held]
        if held is not None:
            state.free[held] += 1
            if state.sizes[u] == 0:
                state.assigned[u] = state.labels[u] = None
        if state.sizes[u] > 0:  # (2): then the schools its unit lists above the one it holds
            listed = state.lists[u]
            queue += listed if held is None else listed[: listed.index(held)]
        moves = []  # in zone_assignment nobody moves (no candidates after the draw)
        for w, left, t in [] if manifest.mode == "zone_assignment" else state.fill(queue):
            state.labels[w] = "open"  # no reserved quotas after the draw
            moves += [[m.application, None if left is None else ids[left], ids[t]]
                      for m in units[w].members if m.application not in removed]  # fmt: skip
        if moves != action.raw("moves"):
            where = {"seq": index + 1, "application": application}
            raise CheckFailed("actions_moves", expected=moves, found=action.raw("moves"), **where)
        if index + 1 in stops:
            leaves[index + 1] = outcome_leaves(priorities, state)
    return state, leaves
