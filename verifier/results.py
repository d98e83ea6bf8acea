"""The results document re-built from the re-run (protocol §12.1-§12.2) and compared."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from itertools import chain, pairwise
from operator import itemgetter
from typing import Any

from verifier.allocation import Allocation
from verifier.choice import RANK_SHIFT, Priorities, units_of, unpack
from verifier.classes import balanced_classes
from verifier.errors import CheckFailed
from verifier.fields import Fields, fail
from verifier.hashing import PROTOCOL, hex16
from verifier.manifest import Manifest
from verifier.records import Unit

RESULTS_KEYS = ("protocol", "kind", "manifest", "ceremony", "seed", "applicants", "schools")
SCHOOL_KEYS = ("id", "seats", "admitted", "by_tier", "reserved", "cutoff", "waitlist", "classes")
MAX_DIFFERENCES_SHOWN = 5
UNPLACED = ("unplaced", None, None)


def expected_results(
    *,
    manifest: Manifest,
    ceremony_digest: bytes,
    seed: bytes,
    units: list[Unit],
    applicants: list[tuple[str, int]],
    numbers: list[str],
    allocation: Allocation,
    priorities: Priorities,
) -> dict[str, Any]:
    """The results document the re-run gives, §12.1-§12.2, field for field.

    `applicants` holds each applicant's application and unit index, in application order;
    `numbers` each unit's lottery number as hex16.
    """
    # §10.6: a unit assigned nowhere is on the waitlist of every school of its list (none of
    # them is its school or comes before it), in every mode that has waitlists; so it is
    # waitlisted exactly when its list is not empty (§10.7).
    waitlisted = ("waitlisted", None, None) if manifest.mode != "zone_assignment" else UNPLACED
    school_ids = [school.id for school in manifest.schools]
    outcomes = [  # per unit: status, school and label (§10.7, §12.1)
        ("admitted", school_ids[school], label)
        if school is not None
        else (waitlisted if entries else UNPLACED)
        for school, label, entries in zip(
            allocation.assigned, allocation.labels, allocation.lists, strict=True
        )
    ]
    rows = [[application, numbers[u], *outcomes[u]] for application, u in applicants]
    schools = [
        _school_entry(manifest, s, units, allocation, priorities, seed)
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
    seed: bytes,
) -> dict[str, Any]:
    """One school entry of §12.2, from the admitted units' packed priority keys."""
    school = manifest.schools[s]
    admitted = allocation.admitted[s]
    sizes, applications, labels = priorities.sizes, priorities.applications, allocation.labels
    # Admitted units are in priority order, so each tier's units form one slice (§12.2).
    bounds = [bisect_left(admitted, rank << RANK_SHIFT) for rank in range(len(school.tier_ids))]
    by_tier = [
        sum(map(sizes.__getitem__, units_of(admitted[start:stop])))
        for start, stop in pairwise([*bounds, len(admitted)])
    ]
    reserved = []
    for entry in school.reserved:
        label = "reserved:" + entry.category
        count = sum(sizes[u] for u in units_of(admitted) if labels[u] == label)
        reserved.append([entry.category, count])
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
            admitted=[units[u] for u in units_of(admitted)],
        )
    waitlist = list(units_of(allocation.waitlists[s]))
    if priorities.groups.isdisjoint(waitlist):  # single children only: one name per unit
        names = list(map(priorities.first_application.__getitem__, waitlist))
    else:
        names = list(chain.from_iterable(map(applications.__getitem__, waitlist)))
    return {
        "id": school.id,
        "seats": school.seats,
        "admitted": sum(by_tier),
        "by_tier": [[tier, count] for tier, count in zip(school.tier_ids, by_tier, strict=True)],
        "reserved": reserved,
        "cutoff": cutoff,
        "waitlist": names,
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
    if expected == published:  # the usual case, decided by one comparison in C
        return
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
    if list(map(itemgetter(0, 1), rows)) != expected:  # the usual case: all equal, in C
        for index, ((application, number), row) in enumerate(zip(expected, rows, strict=False)):
            if row[0] != application:
                raise CheckFailed(
                    "results.json.applicants does not list the sealed applicants in "
                    "application order",
                    expected=f"{application} at row {index}",
                    found=repr(row[0]),
                )
            if row[1] != number:
                raise CheckFailed(
                    f"applicant {application}: wrong lottery number (§8.2)",
                    expected=number,
                    found=repr(row[1]),
                )
        raise CheckFailed(
            "results.json.applicants does not list the sealed applicants in application order",
            expected=f"{len(expected)} rows",
            found=f"{len(rows)} rows",
        )
    return len(rows)


def check_counts(manifest: Manifest, published: dict[str, Any]) -> None:
    """(11): counts per school, tier and reserved category agree; no school above its seats."""
    # Rows counted by (status, school, label) in one pass of the built-in Counter; the few
    # thousand distinct triples are then added up per school and per label.
    outcomes = Counter(map(itemgetter(2, 3, 4), published["applicants"]))
    per_school: dict[object, int] = {}
    per_label: dict[tuple[object, object], int] = {}
    for (status, school_id, label), rows in outcomes.items():
        if status == "admitted":
            per_school[school_id] = per_school.get(school_id, 0) + rows
            per_label[(school_id, label)] = per_label.get((school_id, label), 0) + rows
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
