"""The second round (补录), protocol §14.5: is this draw exactly the second round of another?

The first bundle is verified in full (§17, its post-draw actions included). Its final
assignment is the replay of §14.2 that its check 12 made. The second round's schools and
records are derived from it afresh and compared with this bundle's manifest and records.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from verifier.canonical import parse_canonical
from verifier.errors import CheckFailed

COPIED_RULES = ("mode", "tie_breaking", "max_preferences", "group_policy", "categories")


def derive_second_round(
    manifest: Any, records: list[Any], final: dict[str, str | None], removed: set[str]
) -> tuple[list[Any], list[Any]]:
    """(14.5) items 2-4: the second round's school objects and public records, from the first
    draw's final assignment (each applicant's school) and its removed applicants."""
    taken = Counter(school for school in final.values() if school is not None)
    schools = [  # (2)
        {**school, "seats": school["seats"] - taken[school["id"]], "reserved": []}
        for school in manifest["schools"]
        if school["seats"] > taken[school["id"]]
    ]
    kept = {school["id"] for school in schools}
    derived = []
    for record in records:  # (3)
        if final[record["application"]] is not None or record["application"] in removed:
            continue
        preferences = [s for s in record["preferences"] if s in kept]
        tiers = {s: t for s, t in record["tiers"].items() if s in kept}
        if preferences or manifest["mode"] == "zone_assignment":
            derived.append({**record, "preferences": preferences, "tiers": tiers})
    size = Counter(record["group"] for record in derived if record["group"] is not None)
    for record in derived:  # (4)
        if record["group"] is not None and size[record["group"]] < 2:
            record["group"] = None
    return schools, derived


def check_second_round(previous: str | Path, state: Any) -> None:
    """§17 step 14: verify the previous bundle, then compare what it derives with this one."""
    from verifier.verify import run_checks

    report, first = run_checks(previous)
    if not report.passed:
        failure = report.first_failure
        raise CheckFailed("previous_fails", number=failure.number if failure else "?")
    before = first.documents["manifest.json"]
    manifest = state.documents["manifest.json"]
    for key in COPIED_RULES:  # (1)
        if manifest[key] != before[key]:
            raise CheckFailed(
                "second_round_rule", key=key, expected=before[key], found=manifest[key]
            )
    # (14.5): the final assignment is the published one, or after the actions check 12 replayed.
    final = {row[0]: row[3] for row in first.documents["results.json"]["applicants"]}
    removed: set[str] = set()
    if first.final is not None and first.manifest is not None:
        removed = set(first.final.removed)
        for u, unit in enumerate(first.units):
            held = first.final.assigned[u]
            for m in unit.members:
                out = held is None or m.application in removed
                final[m.application] = (
                    None if held is None or out else first.manifest.schools[held].id
                )
    records = [parse_canonical(line) for line in first.lines]
    schools, records = derive_second_round(before, records, final, removed)
    published = manifest["schools"]
    for index in range(max(len(schools), len(published))):
        want = schools[index] if index < len(schools) else None
        got = published[index] if index < len(published) else None
        if want != got:
            raise CheckFailed("second_round_school", index=index, expected=want, found=got)
    lines = [parse_canonical(line) for line in state.lines]
    for index in range(max(len(records), len(lines))):
        want = records[index] if index < len(records) else None
        got = lines[index] if index < len(lines) else None
        if want != got:
            raise CheckFailed("second_round_record", line=index + 1, expected=want, found=got)
