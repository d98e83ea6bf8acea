"""The results document of a draw, protocol §12.1-§12.3.

Built with numpy over whole arrays and column lists over the applicants. `encode_results` gives
the document's JCS (§12.3) straight from the arrays, as byte rows (`lottery.results_json`),
without building the document: a million-applicant draw's results take a fraction of a second,
and the document itself (`results_document`) is built only where it is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from lottery.allocation.problem import Allocation, AllocationProblem
from lottery.byte_rows import hex16_column, join_rows, plain_column
from lottery.canonical_parts import is_plain
from lottery.encoding import canonical_json
from lottery.hashing import PROTOCOL, tagged_hash
from lottery.manifest import AuditHead, Manifest
from lottery.results_json import SchoolPart, applicant_rows_json, results_json

__all__ = [
    "ApplicantColumns",
    "applicant_columns",
    "applicant_tiers_at",
    "encode_results",
    "results_digest",
    "results_document",
    "unit_ranks_at_assignment",
]

I64 = npt.NDArray[np.int64]


def unit_ranks_at_assignment(problem: AllocationProblem, allocation: Allocation) -> I64:
    """Each unit's rank (§8.4) at the school it is assigned to; -1 when unassigned."""
    units = len(problem.unit_keys)
    school = allocation.unit_school.astype(np.int64)
    tier_count = np.array([s.tier_count for s in problem.schools], dtype=np.int64)
    rank = np.where(school >= 0, tier_count[np.maximum(school, 0)] - 1, -1)
    entry_unit = np.repeat(np.arange(units, dtype=np.int64), np.diff(problem.rank_start))
    here = problem.rank_school.astype(np.int64) == school[entry_unit]
    rank[entry_unit[here]] = problem.rank_value[here]
    return rank


def applicant_tiers_at(problem: AllocationProblem, applicant_school: I64) -> I64:
    """Each applicant's own tier (§4.6) at `applicant_school` (-1 where that is -1): its
    `tiers` entry for that school, else the school's last tier. Counts by child (§12.2)."""
    if problem.applicant_rank_start is None:  # a problem built by hand: ranks are the units'
        unit_school = np.full(len(problem.unit_keys), -1, dtype=np.int64)
        unit_school[problem.applicant_unit] = applicant_school
        tier_count = np.array([s.tier_count for s in problem.schools], dtype=np.int64)
        units = len(problem.unit_keys)
        rank = np.where(unit_school >= 0, tier_count[np.maximum(unit_school, 0)] - 1, -1)
        entry_unit = np.repeat(np.arange(units, dtype=np.int64), np.diff(problem.rank_start))
        here = problem.rank_school.astype(np.int64) == unit_school[entry_unit]
        rank[entry_unit[here]] = problem.rank_value[here]
        return rank[problem.applicant_unit]
    assert problem.applicant_rank_school is not None and problem.applicant_rank_value is not None
    tier_count = np.array([s.tier_count for s in problem.schools], dtype=np.int64)
    school = applicant_school.astype(np.int64)
    rank = np.where(school >= 0, tier_count[np.maximum(school, 0)] - 1, -1)
    owner = np.repeat(np.arange(school.size, dtype=np.int64), np.diff(problem.applicant_rank_start))
    here = problem.applicant_rank_school.astype(np.int64) == school[owner]
    rank[owner[here]] = problem.applicant_rank_value[here]
    return rank


def _hex16_all(numbers: npt.NDArray[np.uint64]) -> list[str]:
    """Every number as hex16 (§8.2), one line per number, and the lines split apart (one call
    for all of them, no Python code per number)."""
    if numbers.size == 0:
        return []
    lines = join_rows(numbers.size, [hex16_column(numbers), b"\n"])
    return lines.decode("ascii").split("\n")[:-1]


Outcome = tuple[str, str | None, str | None]


@dataclass(frozen=True, eq=False)
class ApplicantColumns:
    """The applicant rows of §12.1 by column: `[application, lottery_number, *outcome]`.

    `outcomes` holds each distinct `(status, school, label)` once; `outcome[i]` indexes it.
    """

    applications: Sequence[str]
    numbers: list[str]
    outcome: I64
    outcomes: list[Outcome]

    def rows(self) -> list[tuple[Any, ...]]:
        """The rows as tuples (encoded as JSON arrays): a million build faster than lists."""
        table = [np.array([o[k] for o in self.outcomes], dtype=object) for k in range(3)]
        status, school, label = (column[self.outcome].tolist() for column in table)
        return list(zip(self.applications, self.numbers, status, school, label, strict=True))


def _outcomes(problem: AllocationProblem, allocation: Allocation) -> tuple[I64, list[Outcome]]:
    """Each applicant's `(status, school, label)` of §12.1, as an index into the distinct ones."""
    unit = problem.applicant_unit
    school = allocation.unit_school[unit].astype(np.int64)
    label = allocation.unit_label[unit].astype(np.int64)
    waiting = np.zeros(len(problem.applicant_ids), dtype=np.bool_)
    for waitlist in allocation.waitlists:
        waiting[waitlist] = True
    status = np.where(school >= 0, 0, np.where(waiting, 1, 2))
    statuses = ("admitted", "waitlisted", "unplaced")
    school_names: list[str | None] = [None] + [s.id for s in problem.schools]
    label_names: list[str | None] = [None, "open"] + ["reserved:" + c for c in problem.category_ids]
    n_schools, n_labels = len(school_names), len(label_names)
    code = (status * n_schools + school + 1) * n_labels + label + 1
    # The distinct codes, and each applicant's index among them (np.unique without a sort).
    present = np.zeros(3 * n_schools * n_labels, dtype=np.bool_)
    present[code] = True
    distinct = np.flatnonzero(present)
    outcome = (np.cumsum(present) - 1)[code]
    outcomes: list[Outcome] = []
    for c in distinct.tolist():
        rest, label_code = divmod(c, n_labels)
        status_code, school_code = divmod(rest, n_schools)
        outcomes.append((statuses[status_code], school_names[school_code], label_names[label_code]))
    return outcome.astype(np.int64), outcomes


def applicant_columns(problem: AllocationProblem, allocation: Allocation) -> ApplicantColumns:
    """`[application, lottery_number, status, school, label]` per applicant (§12.1), by column."""
    outcome, outcomes = _outcomes(problem, allocation)
    unit_number = np.array(_hex16_all(problem.ticket), dtype=object)
    return ApplicantColumns(
        applications=problem.applicant_ids,
        numbers=unit_number[problem.applicant_unit].tolist(),
        outcome=outcome,
        outcomes=outcomes,
    )


def _school_parts(
    manifest: Manifest, problem: AllocationProblem, allocation: Allocation
) -> list[SchoolPart]:
    """One entry per school (§12.2), its lists as applicant indices."""
    n_schools, n_labels = len(problem.schools), len(problem.category_ids) + 1
    max_tiers = max(s.tier_count for s in problem.schools)
    applicant_school = allocation.unit_school[problem.applicant_unit].astype(np.int64)
    admitted = applicant_school >= 0
    school = applicant_school[admitted]
    # Children, not units: each admitted child under its own tier at its school (§12.2).
    tier = applicant_tiers_at(problem, applicant_school)[admitted]
    label = allocation.unit_label[problem.applicant_unit][admitted].astype(np.int64)
    by_tier = np.bincount(school * max_tiers + tier, minlength=n_schools * max_tiers)
    by_label = np.bincount(school * n_labels + label, minlength=n_schools * n_labels)
    category_index = {c: i for i, c in enumerate(problem.category_ids)}
    parts: list[SchoolPart] = []
    label_names = ["open"] + ["reserved:" + c for c in problem.category_ids]
    for s, rules in enumerate(manifest.rules.schools):
        classes = allocation.classes[s]
        tiers = by_tier[s * max_tiers : (s + 1) * max_tiers].tolist()
        labels = by_label[s * n_labels : (s + 1) * n_labels].tolist()
        members = {
            "id": rules.id,
            "seats": rules.seats,
            "admitted": int(sum(labels)),
            "by_tier": [[t.id, tiers[k]] for k, t in enumerate(rules.tiers)],
            "reserved": [
                [r.category, labels[1 + category_index[r.category]]] for r in rules.reserved
            ],
            "cutoffs": [
                {
                    "label": label_names[cutoff.label],
                    "tier": None if cutoff.key is None else rules.tiers[cutoff.key[0]].id,
                    "lottery_number": None if cutoff.key is None else f"{cutoff.key[1]:016x}",
                    "passed_over": cutoff.passed_over,
                }
                for cutoff in allocation.cutoffs[s]
            ],
        }
        parts.append(
            SchoolPart(
                members=members,
                waitlist=np.asarray(allocation.waitlists[s], dtype=np.int64),
                classes=None
                if classes is None
                else tuple(np.asarray(c, dtype=np.int64) for c in classes),
            )
        )
    return parts


def _school_entries(
    parts: Sequence[SchoolPart], applicant_ids: Sequence[str]
) -> list[dict[str, Any]]:
    """The school entries of §12.2 as objects, their lists as application numbers."""
    ids = np.array(applicant_ids, dtype=object)
    return [
        {
            **part.members,
            "waitlist": ids[part.waitlist].tolist(),
            "classes": None
            if part.classes is None
            else [ids[members].tolist() for members in part.classes],
        }
        for part in parts
    ]


def _header(
    kind: Literal["results", "rehearsal"],
    manifest_digest: bytes,
    ceremony_digest: bytes,
    problem: AllocationProblem,
    allocation: Allocation,
    audit: AuditHead | None,
) -> dict[str, Any]:
    """The small members of §12.1 (everything but the applicant rows and school entries)."""
    return {
        "protocol": PROTOCOL,
        "kind": kind,
        "manifest": manifest_digest.hex(),
        "ceremony": ceremony_digest.hex(),
        "seed": problem.seed.hex(),
        "groups_without_room": [problem.unit_keys[u][2:] for u in allocation.groups_without_room],
        "audit": None if audit is None else audit.document(),
    }


def results_document(
    *,
    manifest: Manifest,
    manifest_digest: bytes,
    ceremony_digest: bytes,
    problem: AllocationProblem,
    allocation: Allocation,
    kind: Literal["results", "rehearsal"] = "results",
    audit: AuditHead | None = None,
) -> dict[str, Any]:
    """The results document of §12.1 (or a rehearsal's, §16, with `kind="rehearsal"`)."""
    return {
        **_header(kind, manifest_digest, ceremony_digest, problem, allocation, audit),
        "applicants": applicant_columns(problem, allocation).rows(),
        "schools": _school_entries(
            _school_parts(manifest, problem, allocation), problem.applicant_ids
        ),
    }


def encode_results(
    *,
    manifest: Manifest,
    manifest_digest: bytes,
    ceremony_digest: bytes,
    problem: AllocationProblem,
    allocation: Allocation,
    kind: Literal["results", "rehearsal"] = "results",
    audit: AuditHead | None = None,
) -> bytes:
    """`JCS(results_document(...))` (§12.3), built from the arrays without the document.

    When every application number is plain (§1.3 identifiers always are), the applicant rows,
    waitlists and class lists are assembled as byte rows (`lottery.results_json`); otherwise
    the document is built and encoded as a whole. The bytes are the same.
    """
    if not is_plain(problem.applicant_ids):
        return canonical_json(
            results_document(
                manifest=manifest,
                manifest_digest=manifest_digest,
                ceremony_digest=ceremony_digest,
                problem=problem,
                allocation=allocation,
                kind=kind,
                audit=audit,
            )
        )
    applications = plain_column(problem.applicant_ids)
    numbers = hex16_column(problem.ticket).take(problem.applicant_unit)
    outcome, outcomes = _outcomes(problem, allocation)
    return results_json(
        _header(kind, manifest_digest, ceremony_digest, problem, allocation, audit),
        applicant_rows=applicant_rows_json(applications, numbers, outcome, outcomes),
        schools=_school_parts(manifest, problem, allocation),
        applications=applications,
    )


def results_digest(results: dict[str, Any]) -> bytes:
    """`H("results", JCS(results))`, §12.3."""
    return tagged_hash("results", canonical_json(results))
