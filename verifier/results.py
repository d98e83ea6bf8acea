"""The results document the re-run gives (protocol §12.1-§12.2), compared with the published
one (§17 step 10), and the counts and plan (§17 step 11)."""

from __future__ import annotations

from typing import Any

from verifier.allocation import Allocation, Candidate, Priorities, admitted_at
from verifier.classes import balanced_classes
from verifier.errors import CheckFailed
from verifier.hashing import PROTOCOL, hex16
from verifier.manifest import Manifest

SCHOOL_KEYS = ("id", "seats", "admitted", "by_tier", "reserved", "cutoffs", "waitlist", "classes")
SHOWN_DIFFERENCES = 5


def expected_results(
    priorities: Priorities, allocation: Allocation, ceremony_digest: bytes
) -> dict[str, Any]:
    """§12.1: the results document, field for field."""
    manifest, units = priorities.manifest, priorities.units
    rows = []
    for u, unit in enumerate(units):
        school = allocation.assigned[u]
        if school is not None:
            outcome = ["admitted", manifest.schools[school].id, allocation.labels[u]]
        elif manifest.mode != "zone_assignment" and allocation.lists[u]:
            # (10.7): assigned nowhere, it is on the waitlist of every school of its list (10.6)
            outcome = ["waitlisted", None, None]
        else:
            outcome = ["unplaced", None, None]
        for member in unit.members:
            rows.append([member.application, hex16(priorities.tickets[u]), *outcome])
    rows.sort()  # (12.1): application order (identifiers are ASCII, §1.3: their order as strings)
    admitted = admitted_at(allocation, priorities)
    without_room = [  # (10.10): in key order, so by group identifier
        unit.key[2:] for u, unit in enumerate(units) if unit.key.startswith("g:")
        and allocation.assigned[u] is None
        and sum(allocation.free[s] for s in allocation.lists[u]) >= unit.size
    ]  # fmt: skip
    return {
        "protocol": PROTOCOL,
        "kind": "results",
        "manifest": manifest.digest.hex(),
        "ceremony": ceremony_digest.hex(),
        "seed": priorities.seed.hex(),
        "applicants": rows,
        "schools": [
            _school_entry(priorities, allocation, s, admitted[s])
            for s in range(len(manifest.schools))
        ],
        "groups_without_room": without_room,
    }


def _school_entry(
    priorities: Priorities, allocation: Allocation, s: int, admitted: list[Candidate]
) -> dict[str, Any]:
    """§12.2 for one school."""
    school, units = priorities.manifest.schools[s], priorities.units
    waitlist = [] if priorities.manifest.mode == "zone_assignment" else allocation.waitlist(s)
    by_tier = [0] * len(school.tiers)
    for candidate in admitted:  # each child under its own tier at s (§4.6)
        for member in units[candidate[3]].members:
            by_tier[school.tiers.index(member.tiers.get(school.id, school.tiers[-1]))] += 1
    reserved, cutoffs = [], []
    for category in (None, *(entry.category for entry in school.reserved)):
        label = "open" if category is None else "reserved:" + category
        labelled = [c for c in admitted if allocation.labels[c[3]] == label]
        if category is not None:
            reserved.append([category, sum(units[c[3]].size for c in labelled)])
        cutoff: dict[str, Any] = {"label": label, "tier": None, "lottery_number": None}
        cutoff["passed_over"] = 0
        if labelled:  # (10.8): the last unit with this label, in priority order at s
            last = labelled[-1]
            cutoff |= {"tier": school.tiers[last[0]], "lottery_number": hex16(last[1])}
            cutoff["passed_over"] = sum(  # waiting units better than it (of its category)
                units[c[3]].size for c in waitlist
                if c < last and category in (None, units[c[3]].category)
            )  # fmt: skip
        cutoffs.append(cutoff)
    classes = None
    if school.classes is not None:
        chosen = [units[c[3]] for c in admitted]
        classes = balanced_classes(priorities.seed, school.id, school.classes, chosen)
    return {
        "id": school.id,
        "seats": school.seats,
        "admitted": sum(by_tier),
        "by_tier": [[tier, count] for tier, count in zip(school.tiers, by_tier, strict=True)],
        "reserved": reserved,
        "cutoffs": cutoffs,
        "waitlist": [m.application for c in waitlist for m in units[c[3]].members],
        "classes": classes,
    }


def compare_results(expected: dict[str, Any], published: Any) -> None:
    """§17 step 10: the published results equal the re-run; the first differences are named."""
    if expected == published:
        return
    published = published if isinstance(published, dict) else {}
    differences = []
    for key, wanted in expected.items():
        found = published.get(key)
        if key == "applicants" and isinstance(found, list) and len(found) == len(wanted):
            pairs = zip(wanted, found, strict=True)
            differences += [f"{row[0]}: {other!r:.120}" for row, other in pairs if row != other]
        elif key == "schools" and isinstance(found, list) and len(found) == len(wanted):
            for entry, other in zip(wanted, found, strict=True):
                other = other if isinstance(other, dict) else {}
                wrong = [k for k in SCHOOL_KEYS if entry[k] != other.get(k)]
                differences += [f"school {entry['id']} {k}" for k in wrong]
        elif found != wanted:
            differences.append(f"results.{key}")
    shown = "; ".join(differences[:SHOWN_DIFFERENCES])
    hidden = len(differences) - SHOWN_DIFFERENCES
    shown += f"; … +{hidden}" if hidden > 0 else ""
    raise CheckFailed("results_differ", count=len(differences), found=shown)


def check_counts(manifest: Manifest, published: dict[str, Any]) -> None:
    """§17 step 11: per school, the admitted count equals the admitted rows naming it and the
    sum of its tier counts, each reserved count the rows with that label; no school above its
    seats (§6.2: the plan is never exceeded)."""
    rows_at: dict[str, list[list[Any]]] = {school.id: [] for school in manifest.schools}
    for row in published["applicants"]:
        if row[2] == "admitted":
            rows_at.setdefault(row[3], []).append(row)
    for school, entry in zip(manifest.schools, published["schools"], strict=True):
        admitted = len(rows_at[school.id])
        if admitted > school.seats:
            raise CheckFailed(
                "count_above_plan", school=school.id, limit=school.seats, found=admitted
            )
        if entry["admitted"] != admitted or sum(n for _, n in entry["by_tier"]) != admitted:
            found = entry["admitted"]
            raise CheckFailed("count_admitted", school=school.id, expected=admitted, found=found)
        for category, count in entry["reserved"]:
            labelled = sum(1 for row in rows_at[school.id] if row[4] == "reserved:" + category)
            if count != labelled:
                where = {"school": school.id, "category": category}
                raise CheckFailed("count_reserved", expected=labelled, found=count, **where)
