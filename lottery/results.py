"""The results document of a draw, protocol §12.1-§12.3.

Built with numpy over whole arrays and one list comprehension over the applicants, so that a
million-applicant draw's results take well under a second.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from lottery.allocation.problem import Allocation, AllocationProblem
from lottery.encoding import canonical_json
from lottery.hashing import PROTOCOL, tagged_hash
from lottery.manifest import Manifest

__all__ = ["results_digest", "results_document", "unit_ranks_at_assignment"]

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


def _hex16_all(numbers: npt.NDArray[np.uint64]) -> list[str]:
    """Every number as hex16 (§8.2): one big-endian hex string cut into 16-digit pieces."""
    text = numbers.astype(">u8").tobytes().hex()
    return [text[i : i + 16] for i in range(0, len(text), 16)]


def _applicant_rows(problem: AllocationProblem, allocation: Allocation) -> list[tuple[Any, ...]]:
    """`[application, lottery_number, status, school, label]` per applicant (§12.1).

    Rows are tuples (encoded as JSON arrays): a million of them build faster than lists.
    """
    unit = problem.applicant_unit
    school = allocation.unit_school[unit]
    waiting = np.zeros(len(problem.applicant_ids), dtype=np.bool_)
    for waitlist in allocation.waitlists:
        waiting[waitlist] = True
    status_code = np.where(school >= 0, 0, np.where(waiting, 1, 2))
    statuses = ("admitted", "waitlisted", "unplaced")
    school_names: list[str | None] = [s.id for s in problem.schools] + [None]
    label_names: list[str | None] = [None, "open"] + ["reserved:" + c for c in problem.category_ids]
    unit_number = np.array(_hex16_all(problem.ticket), dtype=object)
    columns = (
        problem.applicant_ids,
        unit_number[unit].tolist(),
        np.array(statuses, dtype=object)[status_code].tolist(),
        np.array(school_names, dtype=object)[school].tolist(),
        np.array(label_names, dtype=object)[allocation.unit_label[unit] + 1].tolist(),
    )
    return list(zip(*columns, strict=True))


def _school_entries(
    manifest: Manifest, problem: AllocationProblem, allocation: Allocation
) -> list[dict[str, Any]]:
    """One entry per school (§12.2)."""
    n_schools, n_labels = len(problem.schools), len(problem.category_ids) + 1
    max_tiers = max(s.tier_count for s in problem.schools)
    assigned = allocation.unit_school >= 0
    school = allocation.unit_school[assigned].astype(np.int64)
    size = problem.unit_size[assigned]
    rank = unit_ranks_at_assignment(problem, allocation)[assigned]
    label = allocation.unit_label[assigned].astype(np.int64)
    by_tier = np.bincount(
        school * max_tiers + rank, weights=size, minlength=n_schools * max_tiers
    ).astype(np.int64)
    by_label = np.bincount(
        school * n_labels + label, weights=size, minlength=n_schools * n_labels
    ).astype(np.int64)
    ids = np.array(problem.applicant_ids, dtype=object)
    entries: list[dict[str, Any]] = []
    for s, rules in enumerate(manifest.rules.schools):
        cutoff = allocation.cutoffs[s]
        classes = allocation.classes[s]
        tiers = by_tier[s * max_tiers : (s + 1) * max_tiers].tolist()
        labels = by_label[s * n_labels : (s + 1) * n_labels].tolist()
        category_index = {c: i for i, c in enumerate(problem.category_ids)}
        entries.append(
            {
                "id": rules.id,
                "seats": rules.seats,
                "admitted": int(sum(labels)),
                "by_tier": [[t.id, tiers[k]] for k, t in enumerate(rules.tiers)],
                "reserved": [
                    [r.category, labels[1 + category_index[r.category]]] for r in rules.reserved
                ],
                "cutoff": None
                if cutoff is None
                else {"tier": rules.tiers[cutoff[0]].id, "lottery_number": f"{cutoff[1]:016x}"},
                "waitlist": ids[allocation.waitlists[s]].tolist(),
                "classes": None
                if classes is None
                else [ids[members].tolist() for members in classes],
            }
        )
    return entries


def results_document(
    *,
    manifest: Manifest,
    manifest_digest: bytes,
    ceremony_digest: bytes,
    problem: AllocationProblem,
    allocation: Allocation,
    kind: Literal["results", "rehearsal"] = "results",
) -> dict[str, Any]:
    """The results document of §12.1 (or a rehearsal's, §16, with `kind="rehearsal"`)."""
    return {
        "protocol": PROTOCOL,
        "kind": kind,
        "manifest": manifest_digest.hex(),
        "ceremony": ceremony_digest.hex(),
        "seed": problem.seed.hex(),
        "applicants": _applicant_rows(problem, allocation),
        "schools": _school_entries(manifest, problem, allocation),
    }


def results_digest(results: dict[str, Any]) -> bytes:
    """`H("results", JCS(results))`, §12.3."""
    return tagged_hash("results", canonical_json(results))
