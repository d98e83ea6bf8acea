"""The second round (补录), protocol §14.5: is a draw exactly the second round of another?

The first bundle is verified in full (§17, its post-draw actions included); its final assignment
is then the published one with the published moves applied, which check 12 proved equal to the
replay of §14.2. From it the second round's schools and records are derived afresh and compared
with the second bundle's manifest and `applicants.jsonl`. The second bundle itself is verified
by `verify_bundle` (the command line runs both).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from verifier.bundle import Bundle, read_bundle
from verifier.canonical import parse_canonical, parse_canonical_lines
from verifier.errors import CheckFailed, VerificationError
from verifier.report import FAIL, PASS, CheckResult
from verifier.verify import verify_bundle

SECOND_ROUND = (14, "second_round", "Second round derived from the previous draw (§14.5)")
COPIED_RULES = ("mode", "tie_breaking", "max_preferences", "group_policy", "categories")


def final_assignment(first: Bundle) -> tuple[dict[str, str | None], set[str]]:
    """Each applicant's school after the draw and its actions, and the removed applicants."""
    results: Any = parse_canonical(first.require("results.json"))
    final: dict[str, str | None] = {row[0]: row[3] for row in results["applicants"]}
    removed: set[str] = set()
    raw = first.get("actions.json")
    actions: Any = parse_canonical(raw) if raw is not None else {"actions": []}
    for action in actions["actions"]:
        removed.add(action["application"])
        final[action["application"]] = None
        for application, _, to_school in action["moves"]:
            final[application] = to_school
    return final, removed


def derive_second_round(first: Bundle) -> tuple[list[Any], list[Any]]:
    """The second round's school objects and public records (§14.5), from a verified bundle."""
    manifest: Any = parse_canonical(first.require("manifest.json"))
    final, removed = final_assignment(first)
    taken = Counter(school for school in final.values() if school is not None)
    schools = [
        {**school, "seats": school["seats"] - taken[school["id"]], "reserved": []}
        for school in manifest["schools"]
        if school["seats"] > taken[school["id"]]
    ]
    kept = {school["id"] for school in schools}
    records = []
    lines: list[Any] = [
        line for _, line in parse_canonical_lines(first.require("applicants.jsonl"))
    ]
    for record in lines:
        application = record["application"]
        if final[application] is not None or application in removed:
            continue
        derived = dict(record)
        derived["preferences"] = [s for s in derived["preferences"] if s in kept]
        derived["tiers"] = {s: t for s, t in derived["tiers"].items() if s in kept}
        if derived["preferences"] or manifest["mode"] == "zone_assignment":
            records.append(derived)
    size = Counter(record["group"] for record in records if record["group"] is not None)
    for record in records:
        if record["group"] is not None and size[record["group"]] < 2:
            record["group"] = None
    return schools, records


def _compare(first: Bundle, second: Bundle) -> None:
    """Raise `CheckFailed` naming the first difference between derived and published."""
    previous: Any = parse_canonical(first.require("manifest.json"))
    manifest: Any = parse_canonical(second.require("manifest.json"))
    for key in COPIED_RULES:
        if manifest.get(key) != previous[key]:
            raise CheckFailed(
                f"manifest.json.{key} differs from the previous draw's (§14.5)",
                expected=repr(previous[key]),
                found=repr(manifest.get(key)),
            )
    schools, records = derive_second_round(first)
    published = manifest.get("schools")
    for index in range(max(len(schools), len(published or []))):
        want = schools[index] if index < len(schools) else None
        got = published[index] if published and index < len(published) else None
        if want != got:
            raise CheckFailed(
                f"manifest.json.schools[{index}] is not the school the second round derives (§14.5)",
                expected=repr(want),
                found=repr(got),
            )
    lines = [record for _, record in parse_canonical_lines(second.require("applicants.jsonl"))]
    for index in range(max(len(records), len(lines))):
        want = records[index] if index < len(records) else None
        got = lines[index] if index < len(lines) else None
        if want != got:
            raise CheckFailed(
                f"applicants.jsonl line {index + 1} is not the record the second round derives (§14.5)",
                expected=repr(want),
                found=repr(got),
            )


def check_second_round(first_path: str | Path, second_path: str | Path) -> CheckResult:
    """Check that the second bundle is exactly the second round of the first (protocol §14.5).

    Never raises for a bad bundle: the result is FAIL with the first difference.
    """
    number, name, title = SECOND_ROUND
    first_report = verify_bundle(first_path)
    if not first_report.passed:
        failure = first_report.first_failure
        detail = (
            f"the previous draw does not verify: check {failure.number} {failure.status}"
            if (failure)
            else "the previous draw does not verify"
        )
        return CheckResult(number, name, title, FAIL, detail)
    try:
        _compare(read_bundle(first_path), read_bundle(second_path))
    except CheckFailed as error:
        return CheckResult(number, name, title, FAIL, error.message, error.expected, error.found)
    except (VerificationError, KeyError, TypeError, AttributeError) as error:
        return CheckResult(number, name, title, FAIL, f"the second bundle cannot be read: {error}")
    return CheckResult(number, name, title, PASS)
