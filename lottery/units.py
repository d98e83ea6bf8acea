"""From records and seed to the allocation problem: units, lottery numbers, ranks (§8).

`build_problem` is the bridge between the record layer and `lottery.allocation`. Units are the
children without a group (key `"a:" + application`) and the groups (key `"g:" + group`), indexed
in increasing order of key bytes (§8.1); every `"a:"` key sorts before every `"g:"` key, and the
records arrive sorted by application, so the order comes without a sort.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from lottery.allocation.problem import AllocationProblem, ClassRules, SchoolRules
from lottery.manifest import Manifest, School
from lottery.records import PublicRecord
from lottery.tickets import tickets_for_keys

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]

__all__ = ["build_problem", "school_rules", "unit_key"]


def unit_key(record: PublicRecord) -> str:
    """The key of the unit a record belongs to (§8.1)."""
    return "a:" + record.application if record.group is None else "g:" + record.group


def school_rules(school: School, category_index: dict[str, int]) -> SchoolRules:
    """A manifest school as the allocation sees it."""
    classes = school.classes
    return SchoolRules(
        id=school.id,
        seats=school.seats,
        tier_count=len(school.tiers),
        reserved=tuple((category_index[r.category], r.seats) for r in school.reserved),
        classes=None
        if classes is None
        else ClassRules(count=classes.count, max_size=classes.max_size, twins=classes.twins),
    )


def _unit_indices(
    records: Sequence[PublicRecord], applications: list[str]
) -> tuple[list[str], I32, I64]:
    """Unit keys in key order, each applicant's unit, and one representative record per unit."""
    groups = [r.group for r in records]
    is_single = np.array([g is None for g in groups], dtype=np.bool_)
    singles = np.flatnonzero(is_single)
    grouped = np.flatnonzero(~is_single)
    group_ids = sorted({groups[i] for i in grouped.tolist()})  # type: ignore[type-var]
    group_index = {group: len(singles) + g for g, group in enumerate(group_ids)}
    keys = ["a:" + applications[i] for i in singles.tolist()]
    keys += ["g:" + str(g) for g in group_ids]
    applicant_unit = np.empty(len(records), dtype=np.int32)
    applicant_unit[singles] = np.arange(len(singles), dtype=np.int32)
    group_units = np.array([group_index[groups[i]] for i in grouped.tolist()], dtype=np.int32)
    applicant_unit[grouped] = group_units
    representative = np.empty(len(keys), dtype=np.int64)
    representative[: len(singles)] = singles
    representative[group_units] = grouped  # members share preferences and category (§4.4)
    return keys, applicant_unit, representative


def _ranks(
    manifest: Manifest, records: Sequence[PublicRecord], applicant_unit: I32, units: int
) -> tuple[I64, I32, I32]:
    """CSR table of each unit's explicit best rank per school (§4.6, §8.4), sorted by school."""
    school_index = manifest.school_index()
    tier_index = {
        (s.id, t.id): (school_index[s.id], k)
        for s in manifest.rules.schools
        for k, t in enumerate(s.tiers)
    }
    owners = [i for i, record in enumerate(records) for _ in record.tiers]
    pairs = np.array(
        [tier_index[entry] for record in records for entry in record.tiers], dtype=np.int64
    ).reshape(-1, 2)
    unit = applicant_unit[np.array(owners, dtype=np.int64)].astype(np.int64)
    school, rank = pairs[:, 0], pairs[:, 1]
    # A unit's rank at a school is its best member's (§8.4): sort by (unit, school, rank) and
    # keep the first entry of each (unit, school).
    order = np.lexsort((rank, school, unit))
    unit, school, rank = unit[order], school[order], rank[order]
    first = np.ones(unit.size, dtype=np.bool_)
    first[1:] = (unit[1:] != unit[:-1]) | (school[1:] != school[:-1])
    unit, school, rank = unit[first], school[first], rank[first]
    rank_start = np.zeros(units + 1, dtype=np.int64)
    np.cumsum(np.bincount(unit, minlength=units), out=rank_start[1:])
    return rank_start, school.astype(np.int32), rank.astype(np.int32)


def build_problem(
    manifest: Manifest, records: Sequence[PublicRecord], seed: bytes
) -> AllocationProblem:
    """The allocation problem of a sealed draw and its seed (§8.1-§8.4).

    `records` must be the sealed records, in application order and checked
    (`lottery.applicants.check_records`).
    """
    rules = manifest.rules
    category_index = {c.id: i for i, c in enumerate(rules.categories)}
    category_or_none: dict[str | None, int] = {None: -1}
    category_or_none.update(category_index)
    school_index = manifest.school_index()
    applications = [r.application for r in records]
    keys, applicant_unit, representative = _unit_indices(records, applications)
    units = len(keys)
    chosen = [records[i] for i in representative.tolist()]
    preference_lists = [r.preferences for r in chosen]
    pref_start = np.zeros(units + 1, dtype=np.int64)
    np.cumsum([len(p) for p in preference_lists], out=pref_start[1:])
    pref_school = np.array([school_index[s] for p in preference_lists for s in p], dtype=np.int32)
    unit_category = np.array([category_or_none[r.category] for r in chosen], dtype=np.int32)
    rank_start, rank_school, rank_value = _ranks(manifest, records, applicant_unit, units)
    return AllocationProblem(
        mode=rules.mode,
        tie_breaking=rules.tie_breaking,
        seed=seed,
        schools=tuple(school_rules(s, category_index) for s in rules.schools),
        category_ids=tuple(c.id for c in rules.categories),
        unit_keys=tuple(keys),
        unit_size=np.bincount(applicant_unit, minlength=units).astype(np.int64),
        unit_category=unit_category,
        ticket=np.array(tickets_for_keys(seed, keys), dtype=np.uint64),
        pref_start=pref_start,
        pref_school=pref_school,
        rank_start=rank_start,
        rank_school=rank_school,
        rank_value=rank_value,
        applicant_ids=tuple(applications),
        applicant_unit=applicant_unit,
        applicant_male=np.array([r.sex == "M" for r in records], dtype=np.bool_),
    )
