"""From records and seed to the allocation problem: units, lottery numbers, ranks (§8).

`build_problem` is the bridge between the record layer and `lottery.allocation`. Units are the
children without a group (key `"a:" + application`) and the groups (key `"g:" + group`), indexed
in increasing order of key bytes (§8.1); every `"a:"` key sorts before every `"g:"` key, and the
records arrive sorted by application, so the order comes without a sort.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import replace
from itertools import chain, compress, repeat
from typing import Any

import numpy as np
import numpy.typing as npt

from lottery.allocation.problem import AllocationProblem, ClassRules, SchoolRules
from lottery.manifest import Manifest, School
from lottery.records import PublicRecord
from lottery.tickets import ticket_array

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]

__all__ = ["build_problem", "problem_frame", "school_rules", "unit_key", "with_seed"]

_APPLICATION = operator.itemgetter("application")
_CATEGORY = operator.itemgetter("category")
_GROUP = operator.itemgetter("group")
_PREFERENCES = operator.itemgetter("preferences")
_SEX = operator.itemgetter("sex")
_TIERS = operator.itemgetter("tiers")
FieldsOfRecord = dict[str, Any]  # a PublicRecord's attributes (its `vars`)


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


def _contiguous(strings: list[str]) -> list[str]:
    """Equal copies of `strings`, made one after another so that they sit together in memory.

    The application numbers are read many times over (results rows, waitlists, encodings);
    scattered among the record objects, each pass costs a cache miss per string.
    """
    return _prefixed("", strings)


def _prefixed(prefix: str, strings: list[str]) -> list[str]:
    """`[prefix + s for s in strings]`, made by one join and one split (no call per string).

    Identifiers hold no newline (§1.3); if one did, the plain comprehension is used.
    """
    if not strings:
        return []
    joined = prefix + ("\n" + prefix).join(strings)
    if joined.count("\n") != len(strings) - 1:
        return [prefix + s for s in strings]
    return joined.split("\n")


def _unit_indices(applications: list[str], groups: list[str | None]) -> tuple[list[str], I32, I64]:
    """Unit keys in key order, each applicant's unit, and one representative record per unit."""
    n = len(applications)
    if groups.count(None) == n:  # no groups: unit i is applicant i
        every = np.arange(n, dtype=np.int64)
        return _prefixed("a:", applications), every.astype(np.int32), every
    single = list(map(operator.is_, groups, repeat(None)))
    is_single = np.array(single, dtype=np.bool_)
    singles = np.flatnonzero(is_single)
    grouped = np.flatnonzero(~is_single)
    member_groups: list[str] = list(compress(groups, map(operator.not_, single)))  # type: ignore[arg-type]
    group_ids = sorted(set(member_groups))
    group_index = {group: len(singles) + g for g, group in enumerate(group_ids)}
    keys = _prefixed("a:", list(compress(applications, single))) + _prefixed("g:", group_ids)
    applicant_unit = np.empty(n, dtype=np.int32)
    applicant_unit[singles] = np.arange(len(singles), dtype=np.int32)
    group_units = np.fromiter(
        map(group_index.__getitem__, member_groups), dtype=np.int32, count=len(member_groups)
    )
    applicant_unit[grouped] = group_units
    representative = np.empty(len(keys), dtype=np.int64)
    representative[: len(singles)] = singles
    representative[group_units] = grouped  # members share preferences and category (§4.4)
    return keys, applicant_unit, representative


def _preferences(
    fields: list[FieldsOfRecord], school_index: dict[str, int], representative: I64
) -> tuple[I64, I32]:
    """Each unit's list (§10.1): its representative record's preferences, as CSR."""
    lists = list(map(_PREFERENCES, fields))
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    schools = np.fromiter(
        map(school_index.__getitem__, chain.from_iterable(lists)),
        dtype=np.int32,
        count=int(lengths.sum()),
    )
    if representative.size < len(fields):  # groups: keep one member's list per unit
        start = np.cumsum(lengths) - lengths
        lengths = lengths[representative]
        source = np.repeat(start[representative] - (np.cumsum(lengths) - lengths), lengths)
        schools = schools[source + np.arange(source.size)]
    pref_start = np.zeros(representative.size + 1, dtype=np.int64)
    np.cumsum(lengths, out=pref_start[1:])
    return pref_start, schools


def _ranks(
    manifest: Manifest, fields: list[FieldsOfRecord], applicant_unit: I32, units: int
) -> tuple[tuple[I64, I32, I32], tuple[I64, I32, I32]]:
    """CSR tables of each unit's explicit best rank per school (§4.6, §8.4), sorted by school,
    and of each applicant's own explicit tiers (for the counts by child, §12.2)."""
    span = max(len(s.tiers) for s in manifest.rules.schools)
    tier_code = {
        (s.id, t.id): school * span + k
        for school, s in enumerate(manifest.rules.schools)
        for k, t in enumerate(s.tiers)
    }
    tiers = list(map(_TIERS, fields))
    counts = np.fromiter(map(len, tiers), dtype=np.int64, count=len(tiers))
    codes = np.fromiter(
        map(tier_code.__getitem__, chain.from_iterable(tiers)),
        dtype=np.int64,
        count=int(counts.sum()),
    )
    owners = np.repeat(np.arange(len(tiers), dtype=np.int64), counts)
    unit = applicant_unit[owners].astype(np.int64)
    school, rank = codes // span, codes % span
    applicant_start = np.zeros(len(tiers) + 1, dtype=np.int64)
    np.cumsum(counts, out=applicant_start[1:])
    own = (applicant_start, school.astype(np.int32), rank.astype(np.int32))
    # A unit's rank at a school is its best member's (§8.4): sort by (unit, school, rank) and
    # keep the first entry of each (unit, school).
    order = np.lexsort((rank, school, unit))
    unit, school, rank = unit[order], school[order], rank[order]
    first = np.ones(unit.size, dtype=np.bool_)
    first[1:] = (unit[1:] != unit[:-1]) | (school[1:] != school[:-1])
    unit, school, rank = unit[first], school[first], rank[first]
    rank_start = np.zeros(units + 1, dtype=np.int64)
    np.cumsum(np.bincount(unit, minlength=units), out=rank_start[1:])
    return (rank_start, school.astype(np.int32), rank.astype(np.int32)), own


def problem_frame(manifest: Manifest, records: Sequence[PublicRecord]) -> AllocationProblem:
    """Everything of the allocation problem that does not depend on the seed (§8.1, §8.4).

    Its `seed` is empty and it has no lottery numbers yet: `with_seed` completes it. Sealing
    builds the frame once (`lottery.draw.seal`), so the draw itself starts from the seed. Every
    array of a frame is read-only: one allocation can never change another's inputs.

    `records` must be the sealed records, in application order and checked
    (`lottery.applicants.check_records`). The records are walked once, for their attributes
    (`vars`: the dataclass's own dictionary); every later pass is a `map` of a look-up over
    those: no Python code runs per record.
    """
    rules = manifest.rules
    category_index = {c.id: i for i, c in enumerate(rules.categories)}
    category_or_none: dict[str | None, int] = {None: -1}
    category_or_none.update(category_index)
    school_index = manifest.school_index()
    fields: list[FieldsOfRecord] = list(map(vars, records))
    applications = _contiguous(list(map(_APPLICATION, fields)))
    keys, applicant_unit, representative = _unit_indices(applications, list(map(_GROUP, fields)))
    units = len(keys)
    pref_start, pref_school = _preferences(fields, school_index, representative)
    unit_category = np.fromiter(
        map(category_or_none.__getitem__, map(_CATEGORY, fields)),
        dtype=np.int32,
        count=len(fields),
    )[representative]
    (rank_start, rank_school, rank_value), own = _ranks(manifest, fields, applicant_unit, units)
    frame = AllocationProblem(
        mode=rules.mode,
        tie_breaking=rules.tie_breaking,
        seed=b"",
        schools=tuple(school_rules(s, category_index) for s in rules.schools),
        category_ids=tuple(c.id for c in rules.categories),
        unit_keys=tuple(keys),
        unit_size=np.bincount(applicant_unit, minlength=units).astype(np.int64),
        unit_category=unit_category,
        ticket=np.zeros(0, dtype=np.uint64),
        pref_start=pref_start,
        pref_school=pref_school,
        rank_start=rank_start,
        rank_school=rank_school,
        rank_value=rank_value,
        applicant_ids=tuple(applications),
        applicant_unit=applicant_unit,
        applicant_male=np.fromiter(
            map("M".__eq__, map(_SEX, fields)), dtype=np.bool_, count=len(fields)
        ),
        applicant_rank_start=own[0],
        applicant_rank_school=own[1],
        applicant_rank_value=own[2],
    )
    for value in vars(frame).values():
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    return frame


def with_seed(frame: AllocationProblem, seed: bytes) -> AllocationProblem:
    """The problem of a frame (`problem_frame`) for one seed: its lottery numbers (§8.2)."""
    ticket = ticket_array(seed, frame.unit_keys)
    ticket.flags.writeable = False
    return replace(frame, seed=seed, ticket=ticket)


def build_problem(
    manifest: Manifest, records: Sequence[PublicRecord], seed: bytes
) -> AllocationProblem:
    """The allocation problem of a sealed draw and its seed (§8.1-§8.4)."""
    return with_seed(problem_frame(manifest, records), seed)
