"""Single-school lottery (§10.2) and immediate acceptance (§10.4), on the pair table.

Each mode returns, per unit, the pair `g` it is assigned by (its school and priority there), or
-1, and, for `immediate_acceptance` only, the label given in the round that admitted it (§10.4).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from lottery.allocation.choice import UNCHOSEN, ChoiceRules, choose
from lottery.allocation.pairs import PairTable

__all__ = ["immediate_acceptance", "single_school_lottery"]

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]


def single_school_lottery(pairs: PairTable, rules: ChoiceRules) -> I64:
    """§10.2: `A(s) = Choose(s, units listing s)` for every school at once."""
    candidates = np.arange(pairs.pair_unit.size, dtype=np.int64)  # every pair, sorted already
    label = choose(pairs, rules, candidates, open_seats=rules.seats, entry_avail=rules.entry_seats)
    assigned = np.full(pairs.list_start.size - 1, -1, dtype=np.int64)
    chosen = candidates[label != UNCHOSEN]
    assigned[pairs.pair_unit[chosen]] = chosen
    return assigned


def immediate_acceptance(pairs: PairTable, rules: ChoiceRules) -> tuple[I64, I32]:
    """§10.4: round `k` admits for good among the unassigned units' `k`-th choices."""
    n_units = pairs.list_start.size - 1
    list_length = np.diff(pairs.list_start)
    assigned = np.full(n_units, -1, dtype=np.int64)
    labels = np.full(n_units, UNCHOSEN, dtype=np.int32)
    open_seats = rules.seats.copy()
    entry_avail = rules.entry_seats.copy()
    for k in range(int(list_length.max(initial=0))):
        applying = np.flatnonzero((assigned < 0) & (list_length > k))
        candidates = np.sort(pairs.list_pair[pairs.list_start[applying] + k])
        label = choose(pairs, rules, candidates, open_seats=open_seats, entry_avail=entry_avail)
        chosen = label != UNCHOSEN
        admitted = candidates[chosen]
        units = pairs.pair_unit[admitted]
        assigned[units] = admitted
        labels[units] = label[chosen]
        school = pairs.pair_school[admitted]
        size = rules.pair_size[admitted]
        np.subtract.at(open_seats, school, size)
        reserved = label[chosen] > 0
        np.subtract.at(entry_avail, rules.pair_entry[admitted[reserved]], size[reserved])
    return assigned, labels
