"""Priority at a school (protocol §8.4) and the school's choice `Choose` (§9)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

from verifier.manifest import Manifest, School
from verifier.records import Unit
from verifier.tickets import SchoolNumbers

# A candidate is a unit's priority key at a school (§8.4), `(rank_s(u), t_s(u), key(u))`, packed
# into one integer: rank << 96 | t_s(u) << 32 | unit index. Units are indexed in the order of
# their key bytes (§8.1), so comparing two packed integers compares the triples exactly, and
# integers sort much faster than tuples. Smaller is better.
Candidate = int
NUMBER_SHIFT, RANK_SHIFT = 32, 96
UNIT_MASK, NUMBER_MASK = (1 << 32) - 1, (1 << 64) - 1


def unit_of(candidate: Candidate) -> int:
    """The unit index of a packed priority key."""
    return candidate & UNIT_MASK


def unpack(candidate: Candidate) -> tuple[int, int, int]:
    """(rank, lottery number used, unit index) of a packed priority key."""
    return candidate >> RANK_SHIFT, (candidate >> NUMBER_SHIFT) & NUMBER_MASK, candidate & UNIT_MASK


class Priorities:
    """Priority keys of units at schools (protocol §8.4), with the unit facts `Choose` needs.

    Schools and units are referred to by index (manifest order, unit-key order).
    """

    def __init__(
        self, *, manifest: Manifest, units: list[Unit], seed: bytes, tickets: list[int]
    ) -> None:
        self.schools = manifest.schools
        self.units = units
        self.tickets = tickets
        self.keys = [unit.key for unit in units]
        if len(units) > UNIT_MASK:
            raise ValueError(f"{len(units)} units: more than this verifier indexes")
        self.sizes = [unit.size for unit in units]
        self.applications = [tuple(m.application for m in unit.members) for unit in units]
        self.categories = [unit.category for unit in units]
        self.general = [len(school.tier_ids) - 1 for school in manifest.schools]
        index_of = {school.id: index for index, school in enumerate(manifest.schools)}
        # rank_s(u) where some member names a tier at s (§4.6); elsewhere the general tier.
        self.explicit_ranks: list[dict[int, int]] = []
        for unit in units:
            ranks: dict[int, int] = {}
            for member in unit.members:
                for school_id, tier in member.tiers.items():
                    s = index_of[school_id]
                    rank = manifest.schools[s].tier_rank[tier]
                    ranks[s] = min(rank, ranks.get(s, rank))
            self.explicit_ranks.append(ranks)
        self.multiple = manifest.tie_breaking == "multiple"
        self._school_numbers = SchoolNumbers("school-ticket", seed)
        self.key = self._key_function()

    def rank(self, unit: int, school: int) -> int:
        """`rank_s(u)`: the best tier index of any member at the school (§4.6, §8.4)."""
        return self.explicit_ranks[unit].get(school, self.general[school])

    def number(self, unit: int, school: int) -> int:
        """`t_s(u)`: the lottery number the unit uses at the school (§8.3)."""
        if not self.multiple:
            return self.tickets[unit]
        return self._school_numbers.number(self.keys[unit], self.schools[school].id)

    def _key_function(self) -> Callable[[int, int], Candidate]:
        """`key(u, s)`: the packed priority key of the unit at the school (§8.4).

        A closure over plain lists, because the allocation calls it millions of times.
        """
        ranks, general = self.explicit_ranks, self.general
        if self.multiple:
            number = self.number
            return lambda u, s: (
                ranks[u].get(s, general[s]) << RANK_SHIFT | number(u, s) << NUMBER_SHIFT | u
            )
        base = [ticket << NUMBER_SHIFT | u for u, ticket in enumerate(self.tickets)]
        return lambda u, s: ranks[u].get(s, general[s]) << RANK_SHIFT | base[u]


@dataclass
class SeatState:
    """Seats a school still has: in all (`remaining`) and per reserved entry (`avail`), §9.1."""

    remaining: int
    avail: list[int]

    @classmethod
    def fresh(cls, school: School) -> SeatState:
        return cls(remaining=school.seats, avail=[entry.seats for entry in school.reserved])


def choose_steps(
    school: School, candidates: list[Candidate], *, priorities: Priorities, state: SeatState
) -> list[tuple[Candidate, str]]:
    """Steps 2 and 3 of §9.1 on `candidates` (sorted by priority), updating `state`.

    Returns the chosen candidates with their labels (`"open"` or `"reserved:" + category`).
    """
    sizes, categories = priorities.sizes, priorities.categories
    chosen: list[tuple[Candidate, str]] = []
    taken: set[int] = set()
    # (2): reserved entries in manifest order, each filled from its own category only.
    for index, entry in enumerate(school.reserved):
        for candidate in candidates:
            unit = candidate & UNIT_MASK
            if categories[unit] != entry.category or unit in taken:
                continue
            if sizes[unit] <= state.avail[index] and sizes[unit] <= state.remaining:
                chosen.append((candidate, "reserved:" + entry.category))
                taken.add(unit)
                state.avail[index] -= sizes[unit]
                state.remaining -= sizes[unit]
    # (3): open seats, everyone not yet chosen, in general priority order; a unit that does not
    # fit is passed over (§9.3) and the scan goes on.
    for candidate in candidates:
        if state.remaining == 0:
            break
        unit = candidate & UNIT_MASK
        if unit not in taken and sizes[unit] <= state.remaining:
            chosen.append((candidate, "open"))
            taken.add(unit)
            state.remaining -= sizes[unit]
    return chosen


def choose(
    school: School, candidates: list[Candidate], *, priorities: Priorities, groups: list[Candidate]
) -> list[Candidate]:
    """`Choose(s, C)` of §9.1 from a fresh school: the chosen candidates in priority order.

    `groups` are the candidates of `C` with more than one member. Schools with reserved seats
    run the steps as written (`choose_steps`); without reserved seats only step 3 applies, and
    it is run in slices: the singles between two groups are taken as one block, so the work
    grows with the number of groups, not of candidates.
    """
    candidates.sort()
    if school.reserved:
        chosen = choose_steps(
            school, candidates, priorities=priorities, state=SeatState.fresh(school)
        )
        return sorted(candidate for candidate, _ in chosen)
    remaining = school.seats
    kept: list[Candidate] = []
    start = 0
    for position in sorted(bisect_left(candidates, group) for group in groups):
        take = min(position - start, remaining)
        kept.extend(candidates[start : start + take])  # the singles before this group, in order
        remaining -= take
        if remaining == 0:
            return kept
        size = priorities.sizes[candidates[position] & UNIT_MASK]
        if size <= remaining:  # the group fits whole, or it is passed over (§9.3)
            kept.append(candidates[position])
            remaining -= size
        start = position + 1
    kept.extend(candidates[start : start + remaining])
    return kept


def labels_of(
    school: School, admitted: list[Candidate], *, priorities: Priorities
) -> dict[int, str]:
    """Labels of a final admitted set, `Choose(s, A(s))` (§9.4); every unit is chosen."""
    chosen = choose_steps(
        school, sorted(admitted), priorities=priorities, state=SeatState.fresh(school)
    )
    return {candidate & UNIT_MASK: label for candidate, label in chosen}
