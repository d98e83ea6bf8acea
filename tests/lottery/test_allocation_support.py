"""Support for the allocation tests: a problem builder from plain lists, and a reference engine.

The reference engine is written straight from protocol §8-§11 in plain Python, one rule per line,
with no arrays and no cleverness, so that the fast engine (`lottery.allocation`) can be compared
with it on many small generated instances. It is slow on purpose. No tests live here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st

from lottery.allocation import (
    Allocation,
    AllocationProblem,
    ClassRules,
    SchoolRules,
)
from lottery.tickets import class_ticket, school_ticket, ticket, zone_order

SEED = bytes(range(32))


@dataclass(frozen=True)
class School:
    """A school in plain values: reserved is ((category index, seats), ...)."""

    seats: int
    tier_count: int = 1
    reserved: tuple[tuple[int, int], ...] = ()
    classes: ClassRules | None = None


@dataclass(frozen=True)
class Unit:
    """A unit in plain values: `ranks` maps school index to tier index; `males` one per member."""

    key: str
    prefs: tuple[int, ...] = ()
    ranks: tuple[tuple[int, int], ...] = ()
    category: int = -1
    males: tuple[bool, ...] = (True,)

    @property
    def size(self) -> int:
        return len(self.males)

    def applications(self) -> list[str]:
        name = self.key[2:]
        if self.key.startswith("a:"):
            return [name]
        return [f"{name}-{i}" for i in range(self.size)]


@dataclass
class Draw:
    """A draw in plain values, from which `problem()` builds the `AllocationProblem`."""

    mode: str
    schools: list[School]
    units: list[Unit]
    tie_breaking: str = "single"
    categories: int = 2
    seed: bytes = SEED
    school_ids: list[str] = field(default_factory=list)
    tickets: dict[str, int] | None = None  # hand-made examples fix the lottery numbers

    def ticket(self, key: str) -> int:
        return ticket(self.seed, key) if self.tickets is None else self.tickets[key]

    def __post_init__(self) -> None:
        if not self.school_ids:
            self.school_ids = [f"S{i:02d}" for i in range(len(self.schools))]
        self.units = sorted(self.units, key=lambda u: u.key.encode())

    def applicants(self) -> list[tuple[str, int, bool]]:
        """(application, unit index, male) in application order."""
        rows = [
            (app, u, male)
            for u, unit in enumerate(self.units)
            for app, male in zip(unit.applications(), unit.males, strict=True)
        ]
        return sorted(rows, key=lambda row: row[0].encode())

    def problem(self) -> AllocationProblem:
        units = self.units
        pref_start = np.cumsum([0] + [len(u.prefs) for u in units], dtype=np.int64)
        rank_start = np.cumsum([0] + [len(u.ranks) for u in units], dtype=np.int64)
        applicants = self.applicants()
        return AllocationProblem(
            mode=self.mode,  # type: ignore[arg-type]
            tie_breaking=self.tie_breaking,  # type: ignore[arg-type]
            seed=self.seed,
            schools=tuple(
                SchoolRules(
                    id=sid,
                    seats=s.seats,
                    tier_count=s.tier_count,
                    reserved=s.reserved,
                    classes=s.classes,
                )
                for sid, s in zip(self.school_ids, self.schools, strict=True)
            ),
            category_ids=tuple(f"C{i}" for i in range(self.categories)),
            unit_keys=tuple(u.key for u in units),
            unit_size=np.array([u.size for u in units], dtype=np.int64),
            unit_category=np.array([u.category for u in units], dtype=np.int32),
            ticket=np.array([self.ticket(u.key) for u in units], dtype=np.uint64),
            pref_start=pref_start,
            pref_school=np.array([s for u in units for s in u.prefs], dtype=np.int32),
            rank_start=rank_start,
            rank_school=np.array([s for u in units for s, _ in u.ranks], dtype=np.int32),
            rank_value=np.array([r for u in units for _, r in u.ranks], dtype=np.int32),
            applicant_ids=tuple(a for a, _, _ in applicants),
            applicant_unit=np.array([u for _, u, _ in applicants], dtype=np.int32),
            applicant_male=np.array([m for _, _, m in applicants], dtype=np.bool_),
        )


# ---------------------------------------------------------------- outcome in plain values


@dataclass(frozen=True)
class Outcome:
    """An allocation in plain values, keyed by unit key and application number."""

    school: dict[str, int | None]  # unit key -> school index
    label: dict[str, str | None]  # unit key -> "open" / "reserved:C0" / None
    waitlists: list[list[str]]
    cutoffs: list[list[tuple[str, tuple[int, int] | None, int]]]  # per school, per label
    classes: list[list[list[str]] | None]
    groups_without_room: list[str]  # unit keys


def outcome_of(draw: Draw, allocation: Allocation) -> Outcome:
    """The fast engine's `Allocation` in plain values."""
    ids = [a for a, _, _ in draw.applicants()]
    labels: dict[str, str | None] = {}
    schools: dict[str, int | None] = {}
    for u, unit in enumerate(draw.units):
        s, label = int(allocation.unit_school[u]), int(allocation.unit_label[u])
        schools[unit.key] = None if s < 0 else s
        labels[unit.key] = None if label < 0 else "open" if label == 0 else f"reserved:C{label - 1}"
    return Outcome(
        school=schools,
        label=labels,
        waitlists=[[ids[a] for a in w.tolist()] for w in allocation.waitlists],
        cutoffs=[
            [
                ("open" if c.label == 0 else f"reserved:C{c.label - 1}", c.key, c.passed_over)
                for c in school
            ]
            for school in allocation.cutoffs
        ],
        classes=[
            None if c is None else [[ids[a] for a in k.tolist()] for k in c]
            for c in allocation.classes
        ],
        groups_without_room=[draw.units[u].key for u in allocation.groups_without_room],
    )


# ---------------------------------------------------------------- the reference engine


class Reference:
    """Protocol §8-§11, line by line, on a `Draw`."""

    def __init__(self, draw: Draw) -> None:
        self.draw = draw
        self.units = {u.key: u for u in draw.units}

    def rank(self, key: str, s: int) -> int:  # §8.4, §4.6
        return dict(self.units[key].ranks).get(s, self.draw.schools[s].tier_count - 1)

    def number(self, key: str, s: int) -> int:  # §8.3
        if self.draw.tie_breaking == "single":
            return self.draw.ticket(key)
        return school_ticket(self.draw.seed, key, self.draw.school_ids[s])

    def priority(self, key: str, s: int) -> tuple[int, int, bytes]:  # §8.4
        return (self.rank(key, s), self.number(key, s), key.encode())

    def preference_list(self, key: str) -> list[int]:  # §10.1, §10.5
        if self.draw.mode != "zone_assignment":
            return list(self.units[key].prefs)
        ids = self.draw.school_ids
        return sorted(
            range(len(ids)),
            key=lambda s: (self.rank(key, s), zone_order(self.draw.seed, key, ids[s]), ids[s]),
        )

    def choose(
        self, s: int, candidates: list[str], remaining: int | None = None, avail: Any = None
    ) -> dict[str, str]:
        """§9.1; `remaining` and `avail` default to the full seats (§10.4 passes what is left)."""
        school = self.draw.schools[s]
        remaining = school.seats if remaining is None else remaining
        ordered = sorted(candidates, key=lambda k: self.priority(k, s))
        chosen: dict[str, str] = {}
        for category, seats in school.reserved:
            left = seats if avail is None else avail[category]
            for key in ordered:
                unit = self.units[key]
                fits = unit.size <= left and unit.size <= remaining
                if key not in chosen and unit.category == category and fits:
                    chosen[key] = f"reserved:C{category}"
                    left -= unit.size
                    remaining -= unit.size
        for key in ordered:
            if key not in chosen and self.units[key].size <= remaining:
                chosen[key] = "open"
                remaining -= self.units[key].size
        return chosen

    def deferred_acceptance(self) -> dict[str, int]:
        """§10.3 in rounds, exactly as written."""
        lists = {k: self.preference_list(k) for k in self.units}
        pointer = dict.fromkeys(self.units, 0)
        held: dict[int, list[str]] = {s: [] for s in range(len(self.draw.schools))}
        while True:
            holding = {k for keys in held.values() for k in keys}
            proposers = [k for k in self.units if k not in holding and pointer[k] < len(lists[k])]
            if not proposers:
                break
            proposals: dict[int, list[str]] = {}
            for k in proposers:
                proposals.setdefault(lists[k][pointer[k]], []).append(k)
            for s, new in proposals.items():
                candidates = held[s] + new
                chosen = self.choose(s, candidates)
                held[s] = [k for k in candidates if k in chosen]
                for k in candidates:
                    if k not in chosen:
                        pointer[k] += 1
        return {k: s for s, keys in held.items() for k in keys}

    def immediate_acceptance(self) -> tuple[dict[str, int], dict[str, str]]:
        """§10.4."""
        assigned: dict[str, int] = {}
        labels: dict[str, str] = {}
        longest = max((len(u.prefs) for u in self.units.values()), default=0)
        for k in range(longest):
            applying: dict[int, list[str]] = {}
            for key, unit in self.units.items():
                if key not in assigned and len(unit.prefs) > k:
                    applying.setdefault(unit.prefs[k], []).append(key)
            for s, candidates in applying.items():
                school = self.draw.schools[s]
                mine = [key for key, t in assigned.items() if t == s]
                remaining = school.seats - sum(self.units[key].size for key in mine)
                avail = {
                    c: seats
                    - sum(self.units[key].size for key in mine if labels[key] == f"reserved:C{c}")
                    for c, seats in school.reserved
                }
                for key, label in self.choose(s, candidates, remaining, avail).items():
                    assigned[key] = s
                    labels[key] = label
        return assigned, labels

    def run(self) -> Outcome:
        mode = self.draw.mode
        if mode == "single_school_lottery":
            assigned = {}
            for s in range(len(self.draw.schools)):
                listing = [k for k, u in self.units.items() if s in u.prefs]
                assigned.update(dict.fromkeys(self.choose(s, listing), s))
        elif mode == "immediate_acceptance":
            assigned, labels = self.immediate_acceptance()
        else:
            assigned = self.deferred_acceptance()
        # §10.9 in every mode (the engine skips it where it moves nobody: this checks that).
        self.fill(assigned, list(range(len(self.draw.schools))))
        if mode != "immediate_acceptance":
            labels = {}
            for s in range(len(self.draw.schools)):
                labels.update(self.choose(s, [k for k, t in assigned.items() if t == s]))
        return Outcome(
            school={k: assigned.get(k) for k in self.units},
            label={k: labels.get(k) for k in self.units},
            waitlists=self.waitlists(assigned),
            cutoffs=self.cutoffs(assigned, labels),
            classes=self.classes(assigned),
            groups_without_room=self.groups_without_room(assigned),
        )

    def free_seats(self, assigned: dict[str, int], t: int) -> int:  # §10.9
        taken = sum(self.units[k].size for k, s in assigned.items() if s == t)
        return self.draw.schools[t].seats - taken

    def fill(self, assigned: dict[str, int], queue: list[int]) -> None:
        """§10.9 `Fill(Q)`, as written."""
        queue = list(queue)
        while queue:
            t = queue.pop(0)
            candidates = []
            for key in self.units:
                listed = self.preference_list(key)
                if t not in listed:
                    continue
                if key not in assigned or listed.index(assigned[key]) > listed.index(t):
                    candidates.append(key)
            candidates.sort(key=lambda k: self.priority(k, t))
            for key in candidates:
                if self.free_seats(assigned, t) == 0:
                    break
                if self.units[key].size <= self.free_seats(assigned, t):
                    if key in assigned:
                        queue.append(assigned[key])
                    assigned[key] = t

    def groups_without_room(self, assigned: dict[str, int]) -> list[str]:  # §10.10
        found = []
        for key, unit in self.units.items():
            if not key.startswith("g:") or key in assigned:
                continue
            free = sum(self.free_seats(assigned, s) for s in self.preference_list(key))
            if free >= unit.size:
                found.append(key)
        return sorted(found, key=str.encode)

    def waitlists(self, assigned: dict[str, int]) -> list[list[str]]:  # §10.6
        result: list[list[str]] = []
        for s in range(len(self.draw.schools)):
            if self.draw.mode == "zone_assignment":
                result.append([])
                continue
            waiting = []
            for key, unit in self.units.items():
                prefs = list(unit.prefs)
                if s not in prefs:
                    continue
                if key in assigned and prefs.index(assigned[key]) <= prefs.index(s):
                    continue
                waiting.append(key)
            waiting.sort(key=lambda k: self.priority(k, s))
            result.append(
                [a for k in waiting for a in sorted(self.units[k].applications(), key=str.encode)]
            )
        return result

    def cutoffs(
        self, assigned: dict[str, int], labels: dict[str, str]
    ) -> list[list[tuple[str, tuple[int, int] | None, int]]]:  # §10.8
        result = []
        waitlists = self.waitlists(assigned)
        for s, school in enumerate(self.draw.schools):
            entries: list[tuple[str, tuple[int, int] | None, int]] = []
            for label, category in [("open", None)] + [
                (f"reserved:C{c}", c) for c, _ in school.reserved
            ]:
                mine = [k for k, t in assigned.items() if t == s and labels[k] == label]
                if not mine:
                    entries.append((label, None, 0))
                    continue
                last = max(mine, key=lambda k: self.priority(k, s))
                owner = {a: k for k in self.units for a in self.units[k].applications()}
                passed = sum(
                    1
                    for a in waitlists[s]
                    if self.priority(owner[a], s) < self.priority(last, s)
                    and (category is None or self.units[owner[a]].category == category)
                )
                entries.append((label, (self.rank(last, s), self.number(last, s)), passed))
            result.append(entries)
        return result

    def classes(self, assigned: dict[str, int]) -> list[list[list[str]] | None]:  # §11
        result: list[list[list[str]] | None] = []
        for s, school in enumerate(self.draw.schools):
            rules = school.classes
            if rules is None:
                result.append(None)
                continue
            sid = self.draw.school_ids[s]
            units = [k for k, t in assigned.items() if t == s]
            members = [
                (app, male, k)
                for k in units
                for app, male in zip(self.units[k].applications(), self.units[k].males, strict=True)
            ]
            n = len(members)
            if n == 0:
                result.append([])
                continue
            count = rules.count if rules.count is not None else -(-n // rules.max_size)
            classes: list[list[str]] = [[] for _ in range(count)]
            number = {k: class_ticket(self.draw.seed, sid, k) for k in units}
            if rules.twins == "apart":
                boys = sorted(
                    (m for m in members if m[1]), key=lambda m: (number[m[2]], m[0].encode())
                )
                girls = sorted(
                    (m for m in members if not m[1]), key=lambda m: (number[m[2]], m[0].encode())
                )
                for i, m in enumerate(boys + girls):
                    classes[i % count].append(m[0])
            else:
                size = [0] * count
                boys_in = [0] * count
                girls_in = [0] * count
                for k in sorted(units, key=lambda k: (number[k], k.encode())):
                    b = sum(self.units[k].males)
                    g = self.units[k].size - b
                    sex = boys_in if b >= g else girls_in
                    c = min(range(count), key=lambda c: (size[c], sex[c], c))
                    classes[c].extend(self.units[k].applications())
                    size[c] += b + g
                    boys_in[c] += b
                    girls_in[c] += g
            result.append([sorted(c, key=str.encode) for c in classes])
        return result


# ---------------------------------------------------------------- generated draws


MODES = ("single_school_lottery", "deferred_acceptance", "immediate_acceptance", "zone_assignment")


@st.composite
def schools(draw: st.DrawFn, *, with_reserved: bool, with_classes: bool) -> list[School]:
    result = []
    for _ in range(draw(st.integers(1, 4))):
        seats = draw(st.integers(1, 6))
        reserved: list[tuple[int, int]] = []
        if with_reserved:
            for category in draw(st.permutations([0, 1]))[: draw(st.integers(0, 2))]:
                left = seats - sum(r for _, r in reserved)
                if left >= 1:
                    reserved.append((category, draw(st.integers(1, left))))
        classes = None
        if with_classes and draw(st.booleans()):
            classes = ClassRules(
                count=draw(st.none() | st.integers(1, 3)),
                max_size=draw(st.integers(1, 4)),
                twins=draw(st.sampled_from(["apart", "together"])),
            )
        tiers = draw(st.integers(1, 3))
        result.append(School(seats, tiers, tuple(reserved), classes))
    return result


@st.composite
def draws(
    draw: st.DrawFn,
    mode: str | None = None,
    *,
    groups: bool = True,
    reserved: bool = True,
    classes: bool = True,
) -> Draw:
    mode = mode or draw(st.sampled_from(MODES))
    school_list = draw(schools(with_reserved=reserved, with_classes=classes))
    n = len(school_list)
    units = []
    for i in range(draw(st.integers(0, 14))):
        size = draw(st.integers(2, 3)) if groups and draw(st.integers(0, 3)) == 0 else 1
        key = f"g:G{i:02d}" if size > 1 else f"a:A{i:02d}"
        if mode == "zone_assignment":
            prefs: tuple[int, ...] = ()
        elif mode == "single_school_lottery":
            prefs = (draw(st.integers(0, n - 1)),)
        else:
            order = draw(st.permutations(range(n)))
            prefs = tuple(order[: draw(st.integers(1, n))])
        ranked = draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n))
        ranks = tuple((s, draw(st.integers(0, school_list[s].tier_count - 1))) for s in ranked)
        units.append(
            Unit(
                key=key,
                prefs=prefs,
                ranks=ranks,
                category=draw(st.sampled_from([-1, -1, 0, 1])),
                males=tuple(draw(st.lists(st.booleans(), min_size=size, max_size=size))),
            )
        )
    if mode == "zone_assignment":  # §6.3: enough seats in the zone for everybody
        need = sum(u.size for u in units) - sum(s.seats for s in school_list)
        if need > 0:
            last = school_list[-1]
            school_list[-1] = School(
                last.seats + need, last.tier_count, last.reserved, last.classes
            )
    tie_breaking = draw(st.sampled_from(["single", "multiple"]))
    return Draw(mode, school_list, units, tie_breaking=tie_breaking)
