"""The allocation re-run from scratch: priority (protocol §8.4), the school's choice `Choose`
(§9) and the modes (§10), with labels (§9.4) and waitlists (§10.6).

Schools are referred to by their index in the manifest, units by their index in the list of
units (ordered by key, §8.1). A *candidate* is a unit's priority key at a school, the triple
`(rank_s(u), t_s(u), key(u))` of §8.4, with the unit's index after it for look-ups: since keys
never tie, the index never decides a comparison. Smaller is better.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from verifier.hashing import domain_hash, u64
from verifier.manifest import Manifest, School
from verifier.records import Unit

Candidate = tuple[int, int, bytes, int]  # (rank, lottery number used, key bytes, unit index)


@dataclass
class Allocation:
    """An assignment: per unit its school index or None, its label (§9.4), its list (§10.1,
    §10.5) and its size (members not removed, §14.2); per school its free seats (§10.9) and its
    candidates before §10.9 (§10.6 on the mode's assignment), best first. A unit only ever moves
    up its list, so a school's candidates later are those of these still `waiting` there."""

    assigned: list[int | None]
    labels: list[str | None]
    lists: list[list[int]]
    sizes: list[int]
    free: list[int]
    candidates: list[list[Candidate]]
    removed: dict[str, tuple[int, str]] = field(default_factory=dict)  # by action (seq, type)

    def waiting(self, u: int, s: int) -> bool:
        """`u` (listing `s`) is a candidate of `s`: not removed, held nowhere or after `s`."""
        held = self.assigned[u]
        listed = self.lists[u]
        return self.sizes[u] > 0 and (held is None or listed.index(s) < listed.index(held))

    def waitlist(self, s: int) -> list[Candidate]:
        """§10.6 on this assignment (§14.2 informative): the units waiting at `s`."""
        return [c for c in self.candidates[s] if self.waiting(c[3], s)]

    def fill(self, queue: list[int]) -> list[tuple[int, int | None, int]]:
        """`Fill(Q)`, §10.9: returns the moves `(unit, school left or None, school)` in order."""
        moves, pending = [], deque(queue)
        while pending:
            t = pending.popleft()  # (1)
            for candidate in self.candidates[t]:  # (2), in priority order at t
                u = candidate[3]
                if self.free[t] == 0:
                    break
                if not self.waiting(u, t) or self.sizes[u] > self.free[t]:
                    continue  # not a candidate (any more), or does not fit whole (§9.3)
                held = self.assigned[u]
                if held is not None:
                    self.free[held] += self.sizes[u]
                    pending.append(held)
                self.assigned[u], self.free[t] = t, self.free[t] - self.sizes[u]
                moves.append((u, held, t))
        return moves


def ticket(seed: bytes, key: bytes) -> int:
    """`ticket(u) = u64(H("ticket", seed || UTF8(key(u))))`, §8.2."""
    return u64(domain_hash("ticket", seed + key))


def school_ticket(seed: bytes, key: bytes, school_id: str) -> int:
    """`u64(H("school-ticket", seed || UTF8(key(u)) || 0x00 || UTF8(s)))`, §8.3."""
    return u64(domain_hash("school-ticket", seed + key + b"\x00" + school_id.encode()))


def zone_order(seed: bytes, key: bytes, school_id: str) -> int:
    """`u64(H("zone-order", seed || UTF8(key(u)) || 0x00 || UTF8(s)))`, §10.5."""
    return u64(domain_hash("zone-order", seed + key + b"\x00" + school_id.encode()))


class Priorities:
    """Priority keys of units at schools, §8.2-§8.4."""

    def __init__(self, manifest: Manifest, units: list[Unit], seed: bytes) -> None:
        self.manifest, self.units, self.seed = manifest, units, seed
        self.keys = [unit.key.encode() for unit in units]
        self.tickets = [ticket(seed, key) for key in self.keys]
        self.single = manifest.tie_breaking == "single"
        # (4.6): a child's tier at s is tiers[s] if named, else the school's last (general)
        # tier. So rank_s(u) is the general tier's index unless some member names a tier at s;
        # `named[u]` holds the best index at each school a member names.
        index_of = {school.id: s for s, school in enumerate(manifest.schools)}
        self.general = [len(school.tiers) - 1 for school in manifest.schools]
        self.named: list[dict[int, int]] = []
        for unit in units:
            named: dict[int, int] = {}
            for member in unit.members:
                for school_id, tier in member.tiers.items():
                    s = index_of[school_id]
                    rank = manifest.schools[s].tiers.index(tier)
                    named[s] = min(rank, named.get(s, rank))
            self.named.append(named)

    def rank(self, u: int, s: int) -> int:
        """`rank_s(u)`: the best tier index at s of any member (§4.6, §8.4)."""
        return self.named[u].get(s, self.general[s])

    def number(self, u: int, s: int) -> int:
        """`t_s(u)`, §8.3: `ticket(u)`, or `school_ticket(u, s)` with multiple tie-breaking."""
        if self.single:
            return self.tickets[u]
        return school_ticket(self.seed, self.keys[u], self.manifest.schools[s].id)

    def candidate(self, u: int, s: int) -> Candidate:
        """The priority key of `u` at `s` (§8.4), `rank` and `number` written out (hot path)."""
        number = self.tickets[u] if self.single else self.number(u, s)
        return (self.named[u].get(s, self.general[s]), number, self.keys[u], u)


def choose(
    school: School,
    candidates: list[Candidate],
    units: list[Unit],
    *,
    remaining: int | None = None,
    reserved_left: list[int] | None = None,
) -> dict[int, str]:
    """`Choose(s, C)`, §9.1: the chosen units (by index) with their labels. `candidates` is C
    in priority order. From a fresh school unless an earlier round of §10.4 left `remaining`
    seats and `reserved_left` per reserved entry."""
    remaining = school.seats if remaining is None else remaining
    chosen: dict[int, str] = {}
    for index, entry in enumerate(school.reserved):  # (2)
        avail = entry.seats if reserved_left is None else reserved_left[index]
        for candidate in [c for c in candidates if units[c[3]].category == entry.category]:
            u = candidate[3]
            size = units[u].size
            if size <= avail and size <= remaining and u not in chosen:
                chosen[u] = "reserved:" + entry.category
                avail -= size
                remaining -= size
    for candidate in candidates:  # (3); a unit too large is passed over (§9.3)
        u = candidate[3]
        size = units[u].size
        if size <= remaining and u not in chosen:
            chosen[u] = "open"
            remaining -= size
            if remaining == 0:
                break  # no unit fits in no seat
    return chosen


def allocate(manifest: Manifest, priorities: Priorities) -> Allocation:
    """Run the manifest's mode (§10.2-§10.5), then `Fill` over every school (§10.9)."""
    units, schools = priorities.units, manifest.schools
    index_of = {school.id: s for s, school in enumerate(schools)}
    if manifest.mode == "zone_assignment":
        lists = [_zone_list(u, priorities) for u in range(len(units))]
    else:  # (10.1)
        lists = [[index_of[school_id] for school_id in unit.preferences] for unit in units]
    if manifest.mode == "immediate_acceptance":
        assigned, labels = _immediate_acceptance(priorities, lists)
    else:  # (10.2) is (10.3) with lists of one school; (10.5) runs (10.3) on generated lists
        assigned, labels = _deferred_acceptance(priorities, lists), [None] * len(units)
    candidates: list[list[Candidate]] = [[] for _ in schools]
    free = [school.seats for school in schools]
    for u, entries in enumerate(lists):
        held = assigned[u]
        if held is not None:
            free[held] -= units[u].size
        for s in entries:  # (10.9): the schools of its list before the one it holds
            if s == held:
                break
            candidates[s].append(priorities.candidate(u, s))
    sizes = [unit.size for unit in units]
    allocation = Allocation(assigned, labels, lists, sizes, free, [sorted(c) for c in candidates])
    allocation.fill(list(range(len(schools))))
    if manifest.mode != "immediate_acceptance":  # (9.4): labels from Choose on the final set
        for s, admitted in enumerate(admitted_at(allocation, priorities)):
            for u, label in choose(schools[s], admitted, units).items():
                labels[u] = label
    return allocation


def admitted_at(allocation: Allocation, priorities: Priorities) -> list[list[Candidate]]:
    """Each school's admitted units, best first."""
    admitted: list[list[Candidate]] = [[] for _ in priorities.manifest.schools]
    for u, s in enumerate(allocation.assigned):
        if s is not None:
            admitted[s].append(priorities.candidate(u, s))
    return [sorted(candidates) for candidates in admitted]


def _deferred_acceptance(priorities: Priorities, lists: list[list[int]]) -> list[int | None]:
    """§10.3, round by round: every free unit proposes to the school at its pointer; each
    school keeps `Choose` of what it held and what it received; the others move on."""
    units, schools = priorities.units, priorities.manifest.schools
    pointer = [0] * len(units)
    held: list[list[Candidate]] = [[] for _ in schools]
    free = [u for u in range(len(units)) if lists[u]]  # (1): held nowhere, list not exhausted
    key_at = priorities.candidate
    while free:
        proposals: dict[int, list[Candidate]] = {}
        for u in free:  # (2)
            s = lists[u][pointer[u]]
            proposals.setdefault(s, []).append(key_at(u, s))
        free = []
        for s, received in sorted(proposals.items()):  # (3), in any order of schools
            pool = sorted(held[s] + received)
            chosen = choose(schools[s], pool, units)
            held[s] = [c for c in pool if c[3] in chosen]
            for u in [c[3] for c in pool if c[3] not in chosen]:
                pointer[u] += 1  # rejected: it moves to the next school of its list
                if pointer[u] < len(lists[u]):
                    free.append(u)
    assigned: list[int | None] = [None] * len(units)
    for s, candidates in enumerate(held):
        for candidate in candidates:
            assigned[candidate[3]] = s
    return assigned


def _immediate_acceptance(
    priorities: Priorities, lists: list[list[int]]
) -> tuple[list[int | None], list[str | None]]:
    """§10.4: round k, each unassigned unit applies to entry k of its list; each school runs
    §9.1 on this round's applicants with what earlier rounds left."""
    units, schools = priorities.units, priorities.manifest.schools
    assigned: list[int | None] = [None] * len(units)
    labels: list[str | None] = [None] * len(units)
    remaining = [school.seats for school in schools]
    reserved_left = [[entry.seats for entry in school.reserved] for school in schools]
    for k in range(max((len(entries) for entries in lists), default=0)):
        applying: dict[int, list[Candidate]] = {}
        for u, entries in enumerate(lists):
            if assigned[u] is None and k < len(entries):
                applying.setdefault(entries[k], []).append(priorities.candidate(u, entries[k]))
        for s, candidates in sorted(applying.items()):
            school = schools[s]
            pool, left = sorted(candidates), reserved_left[s]
            chosen = choose(school, pool, units, remaining=remaining[s], reserved_left=left)
            for u, label in chosen.items():
                assigned[u], labels[u] = s, label
                remaining[s] -= units[u].size
                for index, entry in enumerate(school.reserved):
                    if label == "reserved:" + entry.category:
                        reserved_left[s][index] -= units[u].size
    return assigned, labels


def _zone_list(u: int, priorities: Priorities) -> list[int]:
    """§10.5: every school, by `(rank_s(u), zone_order(u, s), s)`."""
    order = []
    for s, school in enumerate(priorities.manifest.schools):
        number = zone_order(priorities.seed, priorities.keys[u], school.id)
        order.append((priorities.rank(u, s), number, school.id.encode(), s))
    return [entry[3] for entry in sorted(order)]
