"""The results document re-built from the re-run (protocol §12.1-§12.2) and compared."""

from __future__ import annotations

from itertools import chain
from operator import itemgetter
from typing import Any

from verifier.allocation import Allocation
from verifier.choice import UNIT_MASK, Candidate, Priorities, unpack
from verifier.classes import balanced_classes
from verifier.errors import CheckFailed
from verifier.fields import Fields, fail
from verifier.hashing import PROTOCOL, hex16
from verifier.manifest import Manifest
from verifier.records import Unit

RESULTS_KEYS = ("protocol", "kind", "manifest", "ceremony", "seed", "applicants", "schools")
SCHOOL_KEYS = ("id", "seats", "admitted", "by_tier", "reserved", "cutoff", "waitlist", "classes")
MAX_DIFFERENCES_SHOWN = 5


def expected_results(
    *,
    manifest: Manifest,
    ceremony_digest: bytes,
    seed: bytes,
    units: list[Unit],
    tickets: list[int],
    allocation: Allocation,
    priorities: Priorities,
    waitlists: list[list[Candidate]],
) -> dict[str, Any]:
    """The results document the re-run gives, §12.1-§12.2, field for field."""
    on_waitlist = {candidate & UNIT_MASK for entries in waitlists for candidate in entries}
    numbers = list(map("{:016x}".format, tickets))
    rows = []
    for index, unit in enumerate(units):
        school = allocation.assigned[index]
        if school is not None:
            status, school_id = "admitted", manifest.schools[school].id
        else:
            status, school_id = ("waitlisted" if index in on_waitlist else "unplaced"), None
        label = allocation.labels[index]
        for member in unit.members:
            rows.append([member.application, numbers[index], status, school_id, label])
    rows.sort(key=itemgetter(0))  # application order; identifiers are ASCII, so bytes order
    schools = [
        _school_entry(manifest, s, units, allocation, priorities, waitlists[s], seed)
        for s in range(len(manifest.schools))
    ]
    return {
        "protocol": PROTOCOL,
        "kind": "results",
        "manifest": manifest.digest.hex(),
        "ceremony": ceremony_digest.hex(),
        "seed": seed.hex(),
        "applicants": rows,
        "schools": schools,
    }


def _school_entry(
    manifest: Manifest,
    s: int,
    units: list[Unit],
    allocation: Allocation,
    priorities: Priorities,
    waitlist: list[Candidate],
    seed: bytes,
) -> dict[str, Any]:
    """One school entry of §12.2, from the admitted units' packed priority keys."""
    school = manifest.schools[s]
    admitted = allocation.admitted[s]
    sizes, applications = priorities.sizes, priorities.applications
    by_tier = [0] * len(school.tier_ids)
    by_label: dict[str, int] = {}
    for candidate in admitted:
        rank, _, unit = unpack(candidate)
        by_tier[rank] += sizes[unit]
        label = allocation.labels[unit] or ""
        by_label[label] = by_label.get(label, 0) + sizes[unit]
    cutoff = None
    if admitted:  # §10.8: the last admitted unit in priority order
        last_rank, last_number, _ = unpack(admitted[-1])
        cutoff = {"tier": school.tier_ids[last_rank], "lottery_number": hex16(last_number)}
    classes = None
    if school.classes is not None:
        classes = balanced_classes(
            seed=seed,
            school_id=school.id,
            policy=school.classes,
            admitted=[units[c & UNIT_MASK] for c in admitted],
        )
    return {
        "id": school.id,
        "seats": school.seats,
        "admitted": sum(by_tier),
        "by_tier": [[tier, count] for tier, count in zip(school.tier_ids, by_tier, strict=True)],
        "reserved": [
            [r.category, by_label.get("reserved:" + r.category, 0)] for r in school.reserved
        ],
        "cutoff": cutoff,
        "waitlist": list(chain.from_iterable(applications[c & UNIT_MASK] for c in waitlist)),
        "classes": classes,
    }


def check_results_shape(document: object, *, kind: str = "results") -> Fields:
    """Top-level keys and fixed values of a results document (§12.1)."""
    results = Fields(document, "results.json")
    results.exact_keys(RESULTS_KEYS)
    results.choice("protocol", [PROTOCOL])
    results.choice("kind", [kind])
    results.hex64("manifest"), results.hex64("ceremony"), results.hex64("seed")
    results.array("applicants"), results.array("schools")
    return results


def compare_results(expected: dict[str, Any], published: dict[str, Any]) -> None:
    """(10): the published results equal the re-run, applicant by applicant, school by school."""
    differences: list[str] = []
    for key in ("manifest", "ceremony", "seed"):
        if expected[key] != published[key]:
            differences.append(f"results.{key}: expected {expected[key]}, found {published[key]}")
    _compare_rows(expected["applicants"], published["applicants"], differences)
    _compare_schools(expected["schools"], published["schools"], differences)
    if differences:
        shown = differences[:MAX_DIFFERENCES_SHOWN]
        more = len(differences) - len(shown)
        raise CheckFailed(
            f"{len(differences)} difference(s) between the published results and the re-run",
            expected="published results identical to the re-run",
            found="; ".join(shown) + (f"; and {more} more" if more else ""),
        )


def _compare_rows(expected: list[Any], published: list[Any], differences: list[str]) -> None:
    if len(expected) != len(published):
        differences.append(
            f"results.applicants: expected {len(expected)} rows, found {len(published)}"
        )
    for row, other in zip(expected, published, strict=False):
        if row != other:
            names = ("application", "lottery_number", "status", "school", "label")
            if not isinstance(other, list) or len(other) != len(names):
                differences.append(f"applicant {row[0]}: expected {row}, found {other!r}")
                continue
            for name, want, got in zip(names, row, other, strict=True):
                if want != got:
                    differences.append(
                        f"applicant {row[0]} {name}: expected {want!r}, found {got!r}"
                    )


def _compare_schools(expected: list[Any], published: list[Any], differences: list[str]) -> None:
    if len(expected) != len(published):
        differences.append(
            f"results.schools: expected {len(expected)} schools, found {len(published)}"
        )
    for entry, other in zip(expected, published, strict=False):
        if not isinstance(other, dict) or sorted(other) != sorted(SCHOOL_KEYS):
            differences.append(
                f"school {entry['id']}: expected keys {sorted(SCHOOL_KEYS)}, found {other!r:.200}"
            )
            continue
        for key in SCHOOL_KEYS:
            if entry[key] != other[key]:
                differences.append(
                    f"school {entry['id']} {key}: expected {entry[key]!r:.200}, found {other[key]!r:.200}"
                )


def check_lottery_numbers(expected: list[tuple[str, str]], published: dict[str, Any]) -> int:
    """(8): every published lottery number equals ticket(u) of its unit (§8.2). Returns count.

    `expected` is (application, hex16 number) for every applicant, in application order.
    """
    rows = published["applicants"]
    if not all(type(row) is list and len(row) == 5 for row in rows):
        index = next(i for i, row in enumerate(rows) if type(row) is not list or len(row) != 5)
        raise fail(
            f"results.json.applicants[{index}]",
            "[application, lottery_number, status, school, label]",
            rows[index],
        )
    if [row[0] for row in rows] != [application for application, _ in expected]:
        raise CheckFailed(
            "results.json.applicants does not list the sealed applicants in application order",
            expected=f"{len(expected)} rows, from {expected[0][0] if expected else '-'}",
            found=f"{len(rows)} rows, from {rows[0][0] if rows else '-'}",
        )
    if [row[1] for row in rows] != [number for _, number in expected]:
        for (application, number), row in zip(expected, rows, strict=True):
            if row[1] != number:
                raise CheckFailed(
                    f"applicant {application}: wrong lottery number (§8.2)",
                    expected=number,
                    found=repr(row[1]),
                )
    return len(rows)


def check_counts(manifest: Manifest, published: dict[str, Any]) -> None:
    """(11): counts per school, tier and reserved category agree; no school above its seats."""
    rows = published["applicants"]
    per_school: dict[object, int] = {}
    per_label: dict[tuple[object, object], int] = {}
    for row in rows:
        if row[2] == "admitted":
            per_school[row[3]] = per_school.get(row[3], 0) + 1
            per_label[(row[3], row[4])] = per_label.get((row[3], row[4]), 0) + 1
    for school, entry in zip(manifest.schools, published["schools"], strict=True):
        where = f"results.json school {school.id}"
        admitted = per_school.get(school.id, 0)
        if entry["admitted"] != admitted:
            raise fail(
                f"{where}.admitted",
                f"{admitted} (admitted rows naming the school)",
                entry["admitted"],
            )
        if admitted > school.seats:
            raise fail(f"{where}", f"at most {school.seats} admitted (the plan)", admitted)
        tier_total = sum(count for _, count in entry["by_tier"])
        if tier_total != admitted:
            raise fail(f"{where}.by_tier", f"counts adding up to {admitted}", tier_total)
        for category, count in entry["reserved"]:
            labelled = per_label.get((school.id, "reserved:" + category), 0)
            if count != labelled:
                raise fail(
                    f"{where}.reserved {category}", f"{labelled} (rows with that label)", count
                )
