"""Priority at a school (protocol §8.4) and the school's choice `Choose` (§9)."""

from __future__ import annotations

import operator
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from itertools import compress, count, repeat
from operator import attrgetter, is_not, itemgetter
from typing import NamedTuple

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
_APPLICATION = attrgetter("application")
_KEY, _SIZE, _MEMBERS, _CATEGORY = (
    attrgetter(name) for name in ("key", "size", "members", "category")
)
_FIRST = itemgetter(0)


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
        if len(units) > UNIT_MASK:
            raise ValueError(f"{len(units)} units: more than this verifier indexes")
        self.schools = manifest.schools
        self.tickets = tickets
        # Per-unit facts, each taken by a built-in `map` over the units (no Python code per
        # unit: a million of them).
        self.keys = list(map(_KEY, units))
        self.sizes = list(map(_SIZE, units))
        members = list(map(_MEMBERS, units))
        # Each unit's members' applications, and the first of them (all of a single child's).
        self.applications = [tuple(map(_APPLICATION, group)) for group in members]
        self.first_application = list(map(_APPLICATION, map(_FIRST, members)))
        self.groups = frozenset(compress(count(), map((1).__lt__, self.sizes)))
        self.categories = list(map(_CATEGORY, units))
        # The units `Choose` must look at one by one: groups (§9.3) and children of a reserved
        # category (§9.1 step 2). Every other unit is a single child whom only step 3 concerns.
        self.special = list(
            map(
                operator.or_,
                map((1).__lt__, self.sizes),
                map(is_not, self.categories, repeat(None)),
            )
        )
        self.general = [len(school.tier_ids) - 1 for school in manifest.schools]
        # rank_s(u) where some member names a tier at s (§4.6), one dict per school: most
        # children name no tier, so this is much smaller than a dict per unit.
        self.tiered: list[dict[int, int]] = [{} for _ in manifest.schools]
        index_of = {school.id: index for index, school in enumerate(manifest.schools)}
        named = [(u, m.tiers) for u, unit in enumerate(units) for m in unit.members if m.tiers]
        for u, tiers in named:
            for school_id, tier in tiers.items():
                s = index_of[school_id]
                rank = manifest.schools[s].tier_rank[tier]
                if rank < self.tiered[s].get(u, rank + 1):
                    self.tiered[s][u] = rank
        self.multiple = manifest.tie_breaking == "multiple"
        self._school_numbers = SchoolNumbers("school-ticket", seed)
        # A unit's *token* is the part of its key that is the same at every school: with single
        # tie-breaking `t(u) << 32 | unit` (§8.3), else the unit index. The allocation passes
        # tokens around, so a key is a token plus the school's rank bits: no look-up in a
        # million-entry list per proposal, which at that size costs more than the arithmetic.
        self.tokens = (
            list(range(len(units)))
            if self.multiple
            else list(
                map(operator.or_, map(operator.lshift, tickets, repeat(NUMBER_SHIFT)), count())
            )
        )
        self.token_mask = UNIT_MASK if self.multiple else (1 << RANK_SHIFT) - 1
        self._general_bits = [rank << RANK_SHIFT for rank in self.general]  # shifted in place
        self._tiered_bits = [
            {self.tokens[u]: rank << RANK_SHIFT for u, rank in at.items()} for at in self.tiered
        ]
        self._special_tokens = frozenset(compress(self.tokens, self.special))

    def rank(self, unit: int, school: int) -> int:
        """`rank_s(u)`: the best tier index of any member at the school (§4.6, §8.4)."""
        return self.tiered[school].get(unit, self.general[school])

    def number(self, unit: int, school: int) -> int:
        """`t_s(u)`: the lottery number the unit uses at the school (§8.3)."""
        if not self.multiple:
            return self.tickets[unit]
        return self._school_numbers.number(self.keys[unit], self.schools[school].id)

    def key(self, unit: int, school: int) -> Candidate:
        """`key(u, s)`: the packed priority key of the unit at the school (§8.4)."""
        return self.keys_at(school, [self.tokens[unit]])[0]

    def keys_at(self, school: int, tokens: list[int]) -> list[Candidate]:
        """`key(u, s)` for many units, given by their tokens, at one school (§8.4): the
        allocation's innermost loop, hence one list comprehension per case."""
        tiered, general = self._tiered_bits[school], self._general_bits[school]
        if self.multiple:
            number = self.number
            return [tiered.get(t, general) | number(t, school) << NUMBER_SHIFT | t for t in tokens]
        if not tiered:
            return [general | t for t in tokens]
        return [tiered.get(t, general) | t for t in tokens]

    def tokens_of(self, candidates: list[Candidate]) -> Iterator[int]:
        """The token of each packed key (computed by the built-in `map`)."""
        return map(self.token_mask.__and__, candidates)

    def specials(
        self, candidates: list[Candidate], tokens: Iterable[int] | None = None
    ) -> list[Candidate]:
        """The candidates whose units are special (groups, reserved categories), same order.
        `tokens` are the candidates' tokens, if the caller has them at hand."""
        tokens = self.tokens_of(candidates) if tokens is None else tokens
        return list(compress(candidates, map(self._special_tokens.__contains__, tokens)))


def units_of(candidates: list[Candidate]) -> Iterator[int]:
    """The unit index of each packed key, computed by the built-in `map` (no Python code runs
    per candidate, which matters for millions of them)."""
    return map(UNIT_MASK.__and__, candidates)


class Choice(NamedTuple):
    """What `Choose` made of a pool: the chosen (`kept`, in priority order) and the rest."""

    kept: list[Candidate]
    rejected: list[Candidate]
    kept_special: list[Candidate]  # the special candidates among `kept`, in priority order
    reserved: dict[Candidate, str]  # label of each unit chosen in step 2; all others are "open"


def choose(
    school: School,
    pool: list[Candidate],
    specials: list[Candidate],
    *,
    priorities: Priorities,
    seats_left: int | None = None,
    reserved_left: list[int] | None = None,
) -> Choice:
    """`Choose(s, C)` of §9.1: `pool` is C in priority order, `specials` its special candidates
    (`Priorities.special`) in priority order.

    From a fresh school unless `seats_left` and `reserved_left` (per reserved entry) say what an
    earlier round of §10.4 left. Only special candidates are looked at one by one: step 2 takes
    nobody else, and in step 3 a run of plain single children between two special ones is taken
    while seats remain, so it is cut into taken and rejected as two slices. The work therefore
    grows with the number of special candidates, not of candidates.
    """
    sizes, categories = priorities.sizes, priorities.categories
    remaining = school.seats if seats_left is None else seats_left
    reserved: dict[Candidate, str] = {}
    # (2): reserved entries in manifest order, each filled from its own category only.
    for index, entry in enumerate(school.reserved):
        avail = entry.seats if reserved_left is None else reserved_left[index]
        for candidate in specials:
            size = sizes[candidate & UNIT_MASK]
            if categories[candidate & UNIT_MASK] != entry.category or candidate in reserved:
                continue
            if size <= avail and size <= remaining:
                reserved[candidate] = "reserved:" + entry.category
                avail -= size
                remaining -= size
    # (3): everyone not yet chosen, in priority order, while seats remain; a unit that does not
    # fit is passed over (§9.3) and the scan goes on.
    kept, kept_special, rejected = list(reserved), list(reserved), []
    start = 0
    for candidate in specials:
        position = bisect_left(pool, candidate, start)
        take = min(position - start, remaining)  # the plain single children before it
        kept += pool[start : start + take]
        rejected += pool[start + take : position]
        remaining -= take
        start = position + 1
        size = sizes[candidate & UNIT_MASK]
        if candidate in reserved:
            continue
        if size <= remaining:
            kept.append(candidate)
            kept_special.append(candidate)
            remaining -= size
        else:
            rejected.append(candidate)
    take = min(len(pool) - start, remaining)
    kept += pool[start : start + take]
    rejected += pool[start + take :]
    kept.sort()
    kept_special.sort()
    return Choice(kept=kept, rejected=rejected, kept_special=kept_special, reserved=reserved)
