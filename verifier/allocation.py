"""The allocation re-run for every mode, protocol §10 (using `Choose` of §9)."""

from __future__ import annotations

from dataclasses import dataclass

from verifier.choice import (
    UNIT_MASK,
    Candidate,
    Priorities,
    SeatState,
    choose,
    choose_steps,
    labels_of,
)
from verifier.manifest import Manifest
from verifier.records import Unit
from verifier.tickets import SchoolNumbers


@dataclass(frozen=True)
class Allocation:
    """Where each unit went (school index or None) and with which label; lists as school indices;
    `admitted` holds each school's admitted units as packed priority keys, best first."""

    assigned: list[int | None]
    labels: list[str | None]
    lists: list[tuple[int, ...]]
    rounds: int
    admitted: list[list[Candidate]]


def allocate(
    *, manifest: Manifest, units: list[Unit], priorities: Priorities, seed: bytes
) -> Allocation:
    """Run the manifest's mode (§10.2-§10.5) and return the assignment with labels (§9.4)."""
    index_of = {school.id: index for index, school in enumerate(manifest.schools)}
    if manifest.mode == "zone_assignment":
        lists = _zone_lists(manifest, units, priorities, seed)
    else:
        lists = [tuple(map(index_of.__getitem__, unit.preferences)) for unit in units]
    if manifest.mode == "immediate_acceptance":
        return _immediate_acceptance(manifest, units, priorities, lists)
    held, rounds = _deferred_acceptance(manifest, units, priorities, lists)
    assigned: list[int | None] = [None] * len(units)
    labels: list[str | None] = [None] * len(units)
    for school_index, admitted in enumerate(held):
        # §9.4: the label is the one Choose gives on the final admitted set.
        for unit, label in labels_of(
            manifest.schools[school_index], admitted, priorities=priorities
        ).items():
            assigned[unit], labels[unit] = school_index, label
    return Allocation(assigned=assigned, labels=labels, lists=lists, rounds=rounds, admitted=held)


def _deferred_acceptance(
    manifest: Manifest, units: list[Unit], priorities: Priorities, lists: list[tuple[int, ...]]
) -> tuple[list[list[Candidate]], int]:
    """Student-proposing deferred acceptance in the rounds of §10.3 (also §10.2 and §10.5)."""
    sizes, key = priorities.sizes, priorities.key
    held: list[list[Candidate]] = [[] for _ in manifest.schools]
    groups_held: list[list[Candidate]] = [[] for _ in manifest.schools]  # held units of 2 or more
    pointer = [0] * len(units)
    proposing = [u for u in range(len(units)) if lists[u]]  # (1): held nowhere, list not exhausted
    rounds = 0
    while proposing:
        rounds += 1
        proposals: dict[int, list[Candidate]] = {}
        for unit in proposing:  # (2): propose to the school at the pointer
            school = lists[unit][pointer[unit]]
            proposals.setdefault(school, []).append(key(unit, school))
        proposing = []
        for school, new in sorted(proposals.items()):  # (3): each school keeps its choice
            pool = held[school] + new
            groups = groups_held[school] + [c for c in new if sizes[c & UNIT_MASK] > 1]
            kept = choose(manifest.schools[school], pool, priorities=priorities, groups=groups)
            held[school] = kept
            if len(kept) == len(pool):
                groups_held[school] = groups
                continue
            kept_set = set(kept)
            groups_held[school] = [c for c in groups if c in kept_set]
            for candidate in pool:  # every unit not chosen is rejected and moves on
                if candidate not in kept_set:
                    unit = candidate & UNIT_MASK
                    pointer[unit] += 1
                    if pointer[unit] < len(lists[unit]):
                        proposing.append(unit)
    return held, rounds


def _immediate_acceptance(
    manifest: Manifest, units: list[Unit], priorities: Priorities, lists: list[tuple[int, ...]]
) -> Allocation:
    """First choices first, §10.4: each round's applicants compete for what is left."""
    assigned: list[int | None] = [None] * len(units)
    labels: list[str | None] = [None] * len(units)
    states = [SeatState.fresh(school) for school in manifest.schools]
    admitted: list[list[Candidate]] = [[] for _ in manifest.schools]
    longest = max((len(entries) for entries in lists), default=0)
    for k in range(longest):
        applying: dict[int, list[Candidate]] = {}
        for unit, entries in enumerate(lists):
            if assigned[unit] is None and k < len(entries):
                applying.setdefault(entries[k], []).append(priorities.key(unit, entries[k]))
        for school, candidates in sorted(applying.items()):
            candidates.sort()
            chosen = choose_steps(
                manifest.schools[school], candidates, priorities=priorities, state=states[school]
            )
            for candidate, label in chosen:
                unit = candidate & UNIT_MASK
                assigned[unit], labels[unit] = school, label
                admitted[school].append(candidate)
    for candidates in admitted:
        candidates.sort()
    return Allocation(
        assigned=assigned, labels=labels, lists=lists, rounds=longest, admitted=admitted
    )


def _zone_lists(
    manifest: Manifest, units: list[Unit], priorities: Priorities, seed: bytes
) -> list[tuple[int, ...]]:
    """Generated lists of §10.5: every school by (rank, zone_order, school id)."""
    zone_order = SchoolNumbers("zone-order", seed)
    lists = []
    for unit_index, unit in enumerate(units):
        keyed = [
            (priorities.rank(unit_index, s), zone_order.number(unit.key, school.id), school.id, s)
            for s, school in enumerate(manifest.schools)
        ]
        keyed.sort()
        lists.append(tuple(entry[3] for entry in keyed))
    return lists


def waitlists(
    *, manifest: Manifest, allocation: Allocation, priorities: Priorities
) -> list[list[Candidate]]:
    """Waitlist of each school (units, in priority order), §10.6; empty in zone assignment."""
    result: list[list[Candidate]] = [[] for _ in manifest.schools]
    if manifest.mode == "zone_assignment":
        return result
    for unit, entries in enumerate(allocation.lists):
        assigned = allocation.assigned[unit]
        for school in entries:
            if school == assigned:
                break  # this school and every later one are not waitlists for this unit
            result[school].append(priorities.key(unit, school))
    for waitlist in result:
        waitlist.sort()
    return result
