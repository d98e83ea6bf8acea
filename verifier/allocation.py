"""The allocation re-run for every mode, protocol §10 (using `Choose` of §9)."""

from __future__ import annotations

from dataclasses import dataclass

from verifier.choice import UNIT_MASK, Candidate, Priorities, choose
from verifier.deferred import deferred_acceptance
from verifier.manifest import Manifest
from verifier.records import Unit
from verifier.tickets import SchoolNumbers


@dataclass(frozen=True)
class Allocation:
    """Where each unit went (school index or None) and with which label; lists as school indices;
    `admitted` and `waitlists` hold each school's units as packed priority keys, best first."""

    assigned: list[int | None]
    labels: list[str | None]
    lists: list[tuple[int, ...]]
    rounds: int
    admitted: list[list[Candidate]]
    waitlists: list[list[Candidate]]


def allocate(
    *, manifest: Manifest, units: list[Unit], priorities: Priorities, seed: bytes
) -> Allocation:
    """Run the manifest's mode (§10.2-§10.5) and return the assignment with labels (§9.4) and
    the waitlists (§10.6)."""
    if manifest.mode == "zone_assignment":
        lists = _zone_lists(manifest, units, priorities, seed)
    else:
        lists = [unit.schools for unit in units]
    if manifest.mode == "immediate_acceptance":
        return _immediate_acceptance(manifest, priorities, lists)
    held, rejected, rounds = deferred_acceptance(manifest, priorities, lists)
    assigned: list[int | None] = [None] * len(units)
    labels: list[str | None] = [None] * len(units)
    for s, admitted in enumerate(held):
        # §9.4: the label is the one Choose gives on the final admitted set.
        school = manifest.schools[s]
        reserved = choose(
            school, admitted, priorities.specials(admitted), priorities=priorities
        ).reserved
        for candidate in admitted:
            unit = candidate & UNIT_MASK
            assigned[unit], labels[unit] = s, reserved.get(candidate, "open")
    # §10.6 in deferred acceptance: a unit proposes to the schools of its list in order, each
    # once, and stops at the school that holds it at the end. So the schools that come before
    # its assignment (or all of its list, if it has none) are exactly those that rejected it,
    # and a school's waitlist is the set of units it rejected.
    if manifest.mode == "zone_assignment":
        rejected = [[] for _ in manifest.schools]  # no waitlists in this mode
    for waitlist in rejected:
        waitlist.sort()
    return Allocation(
        assigned=assigned,
        labels=labels,
        lists=lists,
        rounds=rounds,
        admitted=held,
        waitlists=rejected,
    )


def _immediate_acceptance(
    manifest: Manifest, priorities: Priorities, lists: list[tuple[int, ...]]
) -> Allocation:
    """First choices first, §10.4: each round's applicants compete for what is left."""
    assigned: list[int | None] = [None] * len(lists)
    labels: list[str | None] = [None] * len(lists)
    seats_left = [school.seats for school in manifest.schools]
    reserved_left = [[entry.seats for entry in school.reserved] for school in manifest.schools]
    admitted: list[list[Candidate]] = [[] for _ in manifest.schools]
    longest = max((len(entries) for entries in lists), default=0)
    for k in range(longest):
        applying: dict[int, list[int]] = {}
        for unit, entries in enumerate(lists):
            if assigned[unit] is None and k < len(entries):
                applying.setdefault(entries[k], []).append(priorities.tokens[unit])
        for s, applicants in sorted(applying.items()):
            school = manifest.schools[s]
            candidates = sorted(priorities.keys_at(s, applicants))
            choice = choose(
                school,
                candidates,
                priorities.specials(candidates),
                priorities=priorities,
                seats_left=seats_left[s],
                reserved_left=reserved_left[s],
            )
            for candidate in choice.kept:
                unit = candidate & UNIT_MASK
                label = choice.reserved.get(candidate, "open")
                assigned[unit], labels[unit] = s, label
                seats_left[s] -= priorities.sizes[unit]
                for index, entry in enumerate(school.reserved):
                    if label == "reserved:" + entry.category:
                        reserved_left[s][index] -= priorities.sizes[unit]
            admitted[s] += choice.kept
    for candidates in admitted:
        candidates.sort()
    return Allocation(
        assigned=assigned,
        labels=labels,
        lists=lists,
        rounds=longest,
        admitted=admitted,
        waitlists=_waitlists(lists, assigned, priorities, len(manifest.schools)),
    )


def _waitlists(
    lists: list[tuple[int, ...]],
    assigned: list[int | None],
    priorities: Priorities,
    school_count: int,
) -> list[list[Candidate]]:
    """Waitlist of each school as §10.6 defines it: the units listing it that are assigned
    neither to it nor to a school before it in their list, in priority order."""
    result: list[list[int]] = [[] for _ in range(school_count)]
    for unit, entries in enumerate(lists):
        for school in entries:
            if school == assigned[unit]:
                break  # this school and every later one are not waitlists for this unit
            result[school].append(priorities.tokens[unit])
    return [sorted(priorities.keys_at(s, tokens)) for s, tokens in enumerate(result)]


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
