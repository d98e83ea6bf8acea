"""The allocation problem in array form: what every allocation mode takes and returns.

This is the boundary between the record layer (manifest, records, seed: `lottery.draw`) and the
allocation algorithms (`lottery.allocation`). Arrays keep a 1,000,000-child draw fast; their
meaning is fixed here so both sides read them the same way. Protocol sections: §8 (units,
numbers, priority), §9 (choice), §10 (modes), §11 (classes).

Indexing conventions:
- schools are indexed in manifest order (sorted by id), 0..S-1;
- categories are indexed in manifest order (sorted by id), 0..C-1; -1 means none;
- units are indexed 0..U-1 in increasing order of their key bytes (§8.1), so that comparing unit
  indices breaks ties exactly as comparing keys does (§8.4);
- applicants are indexed 0..N-1 in application order (§4.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "Allocation",
    "AllocationProblem",
    "ClassRules",
    "Cutoff",
    "Mode",
    "SchoolRules",
    "TieBreaking",
]

Mode = Literal[
    "single_school_lottery", "deferred_acceptance", "immediate_acceptance", "zone_assignment"
]
TieBreaking = Literal["single", "multiple"]

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]


@dataclass(frozen=True)
class ClassRules:
    """Balanced classes for one school, protocol §11 (`classes` in the manifest)."""

    count: int | None
    max_size: int
    twins: Literal["apart", "together"]


@dataclass(frozen=True)
class SchoolRules:
    """One school as the allocation sees it (protocol §6.2)."""

    id: str
    seats: int
    tier_count: int
    # (category index, seats) in precedence order, §9.1 step 2.
    reserved: tuple[tuple[int, int], ...]
    classes: ClassRules | None


@dataclass(frozen=True, eq=False)
class AllocationProblem:
    """Everything an allocation mode needs, and nothing personal.

    `unit_rank_*` is a CSR table of a unit's explicit ranks (§8.4: the best member's tier index)
    at schools where at least one member has a `tiers` entry; at any other school the unit's rank
    is `tier_count - 1` (the general tier, §4.6).
    """

    mode: Mode
    tie_breaking: TieBreaking
    seed: bytes
    schools: tuple[SchoolRules, ...]
    category_ids: tuple[str, ...]
    unit_keys: tuple[str, ...]
    unit_size: I64
    unit_category: I32
    ticket: U64  # §8.2, one per unit
    pref_start: I64  # CSR, length U+1, into pref_school (empty lists in zone_assignment)
    pref_school: I32
    rank_start: I64  # CSR, length U+1, into rank_school / rank_value
    rank_school: I32
    rank_value: I32
    applicant_ids: tuple[str, ...]  # application numbers, sorted
    applicant_unit: I32  # unit index of each applicant
    applicant_male: npt.NDArray[np.bool_]  # sex == "M"
    # Each applicant's own explicit tiers (§4.6), CSR by applicant, for `by_tier` (§12.2).
    # None (problems built by hand in tests): every applicant ranks as its unit.
    applicant_rank_start: I64 | None = None
    applicant_rank_school: I32 | None = None
    applicant_rank_value: I32 | None = None


@dataclass(frozen=True)
class Cutoff:
    """The cutoff of one seat label at one school (§10.8).

    `label` is 0 for "open", 1 + c for "reserved:<category c>"; `key` is `(rank, number at s)`
    of the last unit with that label, or None; `passed_over` counts the waitlisted applicants
    with a better key (of category c for a reserved label), 0 when `key` is None.
    """

    label: int
    key: tuple[int, int] | None
    passed_over: int


@dataclass(frozen=True, eq=False)
class Allocation:
    """What a mode returns (protocol §9.4, §10.6, §10.8, §11).

    - `unit_school[u]`: school index the unit is assigned to, or -1;
    - `unit_label[u]`: -1 when unassigned, 0 for "open", 1 + c for "reserved:<category c>";
    - `waitlists[s]`: applicant indices on school s's waitlist, in order (§10.6);
    - `cutoffs[s]`: one `Cutoff` per label school s can give, "open" first (§10.8);
    - `classes[s]`: None, or one array of applicant indices per class, each sorted (§11);
    - `groups_without_room`: units of §10.10, in increasing unit (= key) order.
    """

    unit_school: I32
    unit_label: I32
    waitlists: tuple[I32, ...]
    cutoffs: tuple[tuple[Cutoff, ...], ...]
    classes: tuple[tuple[I32, ...] | None, ...]
    groups_without_room: tuple[int, ...] = ()
