"""Free seats (补足空位), protocol §10.9: `Fill(Q)` on the pair table.

`Fill` runs once after every mode's rounds (with `Q` = every school) and again after each
post-draw action (§14.2, with the queue that action gives). Its state is the assignment of
every unit (the pair `g` it holds, or -1) and each unit's *live* size (members not removed,
§14.1; 0 for a unit whose members are all removed). Each school's pairs are one run of the pair
table, already in priority order (§8.4), so the candidates of a school are found by one
vectorised pass over its run; only the walk that moves units is a Python loop, and it moves a
unit at most once per step of the walk.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from lottery.allocation.pairs import PairTable

__all__ = ["FillState"]

I64 = npt.NDArray[np.int64]

_NOWHERE = np.iinfo(np.int32).max


class FillState:
    """A mutable assignment that `Fill(Q)` (§10.9) works on.

    `assigned[u]` is the pair of the school unit `u` holds, or -1; `size[u]` its live size;
    `filled[s]` the applicants assigned to school `s`. `moved` collects every move, in
    order: the unit, the pair it left (-1: it held no seat) and the pair it took. A unit can
    move twice in one `Fill` (up once, then up again when a seat opens higher on its list).
    """

    def __init__(self, pairs: PairTable, seats: I64, assigned: I64, size: I64) -> None:
        self.pairs = pairs
        self.seats = seats
        self.assigned = assigned.copy()
        self.size = size.copy()
        held = self.assigned >= 0
        self.filled = np.zeros(seats.size, dtype=np.int64)
        np.add.at(self.filled, pairs.pair_school[self.assigned[held]], self.size[held])
        self.moved: list[tuple[int, int, int]] = []

    def free_seats(self, school: int) -> int:
        """`seats(t)` minus the applicants assigned to `t` (§10.9)."""
        return int(self.seats[school] - self.filled[school])

    def candidates(self, school: int) -> I64:
        """Pairs at `school` of the units listing it held nowhere or lower on their list, in
        priority order (§10.9); units with no live member are none."""
        low, high = int(self.pairs.school_start[school]), int(self.pairs.school_start[school + 1])
        units = self.pairs.pair_unit[low:high]
        held = self.assigned[units]
        held_position = np.where(held >= 0, self.pairs.pair_position[np.maximum(held, 0)], _NOWHERE)
        wanted = (self.pairs.pair_position[low:high] < held_position) & (self.size[units] > 0)
        return low + np.flatnonzero(wanted).astype(np.int64)

    def fill(self, queue: Iterable[int]) -> None:
        """`Fill(Q)`, §10.9: take the first school of the queue, move every candidate that fits
        whole in its free seats, in priority order (passing over those that do not, §9.3), and
        append each school a unit leaves to the queue; until the queue is empty."""
        pending = deque(queue)
        pairs = self.pairs
        while pending:
            school = pending.popleft()  # (1)
            free = self.free_seats(school)
            if free <= 0:
                continue
            found = self.candidates(school)  # (2)
            sizes = self.size[pairs.pair_unit[found]]
            for g in found[sizes <= free].tolist():
                unit = int(pairs.pair_unit[g])
                size = int(self.size[unit])
                if size > free:
                    continue
                left = int(self.assigned[unit])
                if left >= 0:
                    before = int(pairs.pair_school[left])
                    self.filled[before] -= size
                    pending.append(before)
                self.assigned[unit] = g
                self.filled[school] += size
                self.moved.append((unit, left, g))
                free -= size
                if free == 0:
                    break
