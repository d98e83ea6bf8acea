"""Deferred acceptance, protocol §10.3 (and §10.5, which runs it on generated lists).

The rounds are those of §10.3 exactly: every unit held nowhere proposes to the school at its
pointer, every school that received proposals chooses among what it held and what it received
(`choose`, §9.1), and the units it does not choose advance. Two things keep a round cheap:

- the pairs a school holds are kept sorted, so they are one contiguous run and merging them with
  the new proposals is a linear merge;
- a school whose proposals are all *surely rejected* (worse than all it holds and too big for
  what it has left) is not re-run: `Choose` would give back exactly what it holds (§9.1, §9.3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lottery.allocation.choice import UNCHOSEN, ChoiceRules, choose
from lottery.allocation.pairs import PairTable

__all__ = ["deferred_acceptance"]

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class _HeldSummary:
    """Per school: size held, worst pair held (-1 if none); per entry: reserved size held."""

    size: I64
    worst: I64
    entry_used: I64

    @classmethod
    def empty(cls, rules: ChoiceRules) -> _HeldSummary:
        n = rules.seats.size
        return cls(
            np.zeros(n, np.int64), np.full(n, -1, np.int64), np.zeros_like(rules.entry_seats)
        )

    def surely_rejected(self, pairs: PairTable, rules: ChoiceRules, proposals: I64) -> Bools:
        """Proposals that `Choose` rejects if every proposal to their school is such.

        Worse than every unit held there, too big for the open seats left and for its reserved
        entry's seats left: every held unit is chosen again, with its label, and the proposal
        is passed over at both steps of §9.1.
        """
        school = pairs.pair_school[proposals]
        size = rules.pair_size[proposals]
        rejected = (proposals > self.worst[school]) & (
            size > rules.seats[school] - self.size[school]
        )
        if rules.entry_seats.size:
            entry = rules.pair_entry[proposals]
            e = np.maximum(entry, 0)
            rejected &= (entry < 0) | (size > rules.entry_seats[e] - self.entry_used[e])
        return rejected

    def update(
        self, rules: ChoiceRules, touched: Bools, chosen: I64, label: I32, school: I64
    ) -> None:
        """Recount the touched schools from what they now hold (`chosen`, sorted) and its labels."""
        self.size[touched] = 0
        self.worst[touched] = -1
        if chosen.size:
            starts = np.flatnonzero(np.r_[True, school[1:] != school[:-1]])
            ends = np.r_[starts[1:], chosen.size] - 1
            self.size[school[starts]] = np.add.reduceat(rules.pair_size[chosen], starts)
            self.worst[school[starts]] = chosen[ends]
        if rules.entry_seats.size:
            self.entry_used[touched[rules.entry_school]] = 0
            reserved = chosen[label > 0]
            np.add.at(self.entry_used, rules.pair_entry[reserved], rules.pair_size[reserved])


def _merge(first: I64, second: I64) -> I64:
    """Two sorted arrays merged: a stable sort of two runs is a linear merge (timsort)."""
    return np.sort(np.concatenate((first, second)), kind="stable")


def _held_at(held_pairs: I64, school_start: I64, schools: I64) -> I64:
    """Indices in the sorted `held_pairs` of the pairs held by `schools` (one run each)."""
    low = np.searchsorted(held_pairs, school_start[schools])
    high = np.searchsorted(held_pairs, school_start[schools + 1])
    counts = high - low
    offsets = np.cumsum(counts) - counts
    source = np.repeat(np.arange(schools.size, dtype=np.int64), counts)
    within: I64 = np.arange(int(counts.sum()), dtype=np.int64) - offsets[source]
    return within + low[source]


def deferred_acceptance(pairs: PairTable, rules: ChoiceRules) -> I64:
    """§10.3, student-proposing, in the normative rounds; the assigned pair of each unit or -1."""
    n_units = pairs.list_start.size - 1
    list_length = np.diff(pairs.list_start)
    pointer = np.zeros(n_units, dtype=np.int64)
    touched = np.zeros(rules.seats.size, dtype=np.bool_)
    summary = _HeldSummary.empty(rules)
    held_pairs = np.zeros(0, dtype=np.int64)  # sorted: by school, then priority there
    # (1) the units held by no school with a school left on their list.
    proposers = np.flatnonzero(list_length > 0)
    while proposers.size:
        # (2) each proposes to the school at its pointer.
        proposals = pairs.list_pair[pairs.list_start[proposers] + pointer[proposers]]
        proposal_school = pairs.pair_school[proposals]
        touched[:] = False
        touched[proposal_school[~summary.surely_rejected(pairs, rules, proposals)]] = True
        to_touched = touched[proposal_school]
        at_touched = _held_at(held_pairs, pairs.school_start, np.flatnonzero(touched))
        # (3) each school chooses among what it held and what it received.
        candidates = _merge(held_pairs[at_touched], np.sort(proposals[to_touched]))
        school = pairs.pair_school[candidates]
        label = choose(
            pairs,
            rules,
            candidates,
            open_seats=rules.seats,
            entry_avail=rules.entry_seats,
            school=school,
        )
        keep = label != UNCHOSEN
        chosen = candidates[keep]
        rejected = np.concatenate(
            (pairs.pair_unit[candidates[~keep]], pairs.pair_unit[proposals[~to_touched]])
        )
        pointer[rejected] += 1
        summary.update(rules, touched, chosen, label[keep], school[keep])
        if at_touched.size < held_pairs.size:  # the held pairs of untouched schools stay
            chosen = _merge(np.delete(held_pairs, at_touched), chosen)
        held_pairs = chosen
        proposers = rejected[pointer[rejected] < list_length[rejected]]
    held = np.full(n_units, -1, dtype=np.int64)
    held[pairs.pair_unit[held_pairs]] = held_pairs
    return held
