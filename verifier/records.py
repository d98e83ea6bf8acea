"""Public applicant records (protocol §4), their tree (§5.2) and units (§8.1)."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any, NamedTuple

from verifier.errors import CheckFailed
from verifier.fields import HEX64, IDENTIFIER, fail
from verifier.hashing import tag
from verifier.manifest import Manifest, School
from verifier.merkle import leaf_hash, tree_root

RECORD_KEYS = frozenset(
    (
        "application",
        "category",
        "group",
        "masked_id",
        "masked_name",
        "preferences",
        "private_digest",
        "sex",
        "tiers",
    )
)
ENTRY_PREFIX = tag("applicant")  # protocol §5.2


class Record(NamedTuple):
    """One public record, protocol §4.1 (immutable; a named tuple, cheap for a million)."""

    application: str
    category: str | None
    group: str | None
    preferences: tuple[str, ...]
    private_digest: str
    sex: str
    tiers: dict[str, str]


class Unit(NamedTuple):
    """A child alone or a sibling/twin group, protocol §8.1 (immutable named tuple)."""

    key: str
    members: tuple[Record, ...]
    category: str | None
    preferences: tuple[str, ...]
    size: int  # the number of members


_IDENTIFIER_LINES = re.compile(r"(?:[A-Za-z0-9._-]{1,64}\n)*")  # §1.3, one per line
_HEX64_LINES = re.compile(r"(?:[0-9a-f]{64}\n)*")


def parse_records(lines: list[tuple[bytes, object]], manifest: Manifest) -> tuple[Record, ...]:
    """Check every record against §4 and the manifest, in the order of §4.2.

    The checks run column by column, which is fast; if any fails, the records are checked
    again one by one to name the first faulty record and field.
    """
    values: list[Any] = [value for _, value in lines]
    try:
        valid = _columns_valid(values, manifest)
    except TypeError:  # an unhashable value where a string or null belongs
        valid = False
    if not valid:
        _check_one_by_one(lines, manifest)
    return tuple(
        Record(
            v["application"],
            v["category"],
            v["group"],
            tuple(v["preferences"]),
            v["private_digest"],
            v["sex"],
            v["tiers"],
        )
        for v in values
    )


def _columns_valid(values: list[Any], manifest: Manifest) -> bool:
    """All of §4.1-§4.6 for every record, column by column; False at the first doubt."""
    if not all(type(v) is dict and v.keys() == RECORD_KEYS for v in values):
        return False
    applications = [v["application"] for v in values]
    digests = [v["private_digest"] for v in values]
    if not all(type(a) is str for a in applications) or not all(type(d) is str for d in digests):
        return False
    if not _IDENTIFIER_LINES.fullmatch("".join(a + "\n" for a in applications)):
        return False
    if not all(a < b for a, b in pairwise(applications)):
        return False  # §4.2: strictly increasing (ASCII: string order is byte order)
    if not _HEX64_LINES.fullmatch("".join(d + "\n" for d in digests)):
        return False
    if not {v["category"] for v in values} <= {None, *manifest.categories}:
        return False
    groups = {v["group"] for v in values} - {None}
    if not all(type(g) is str and IDENTIFIER.fullmatch(g) for g in groups):
        return False
    if not {v["sex"] for v in values} <= {"F", "M"}:
        return False
    if not all(type(v["masked_id"]) is str and type(v["masked_name"]) is str for v in values):
        return False
    return _preferences_valid(values, manifest) and _tiers_valid(values, manifest)


def _preferences_valid(values: list[Any], manifest: Manifest) -> bool:
    low, high = _preference_lengths(manifest)
    school_ids = frozenset(s.id for s in manifest.schools)
    return all(
        type(p) is list
        and low <= len(p) <= high
        and school_ids.issuperset(p)
        and len(set(p)) == len(p)
        for p in (v["preferences"] for v in values)
    )


def _tiers_valid(values: list[Any], manifest: Manifest) -> bool:
    ranks = {s.id: s.tier_rank for s in manifest.schools}
    for v in values:
        tiers = v["tiers"]
        if type(tiers) is not dict:
            return False
        for school_id, tier_id in tiers.items():
            if (
                school_id not in ranks
                or type(tier_id) is not str
                or tier_id not in ranks[school_id]
            ):
                return False
    return True


def _preference_lengths(manifest: Manifest) -> tuple[int, int]:
    """How many schools a record lists in this mode, §4.5."""
    if manifest.mode == "zone_assignment":
        return 0, 0
    if manifest.mode == "single_school_lottery":
        return 1, 1
    return 1, manifest.max_preferences


def _check_one_by_one(lines: list[tuple[bytes, object]], manifest: Manifest) -> None:
    """Find and raise the first faulty record, field by field (slow path of `parse_records`)."""
    schools = {s.id: s for s in manifest.schools}
    categories = frozenset(manifest.categories)
    previous = b""
    for number, (_, value) in enumerate(lines, start=1):
        record = _parse_record(
            value, f"applicants.jsonl line {number}", manifest, schools, categories
        )
        current = record.application.encode()
        if current <= previous:
            raise fail(
                f"applicants.jsonl line {number}.application",
                "applications strictly increasing (§4.2)",
                record.application,
            )
        previous = current
    raise CheckFailed("a record breaks §4 (found by the column checks, not located)")


def _parse_record(
    value: object,
    path: str,
    manifest: Manifest,
    schools: dict[str, School],
    categories: frozenset[str],
) -> Record:
    if not isinstance(value, dict) or value.keys() != RECORD_KEYS:
        found = sorted(value) if isinstance(value, dict) else type(value).__name__
        raise fail(path, f"an object with the keys {sorted(RECORD_KEYS)}", found)
    application = value["application"]
    if not isinstance(application, str) or not IDENTIFIER.fullmatch(application):
        raise fail(f"{path}.application", "an identifier", application)
    category, group = value["category"], value["group"]
    if category is not None and (not isinstance(category, str) or category not in categories):
        raise fail(f"{path}.category", "null or a category of the manifest", category)
    if group is not None and (not isinstance(group, str) or not IDENTIFIER.fullmatch(group)):
        raise fail(f"{path}.group", "null or an identifier", group)
    for key in ("masked_id", "masked_name"):
        if not isinstance(value[key], str):
            raise fail(f"{path}.{key}", "a string", value[key])
    if not isinstance(value["private_digest"], str) or not HEX64.fullmatch(value["private_digest"]):
        raise fail(f"{path}.private_digest", "64 lowercase hex digits", value["private_digest"])
    if value["sex"] not in ("F", "M"):
        raise fail(f"{path}.sex", '"F" or "M"', value["sex"])
    preferences = _preferences(value["preferences"], f"{path}.preferences", manifest, schools)
    tiers = value["tiers"]
    if not isinstance(tiers, dict):
        raise fail(f"{path}.tiers", "an object", tiers)
    for school_id, tier_id in tiers.items():
        if school_id not in schools:
            raise fail(f"{path}.tiers", "keys that are schools of the manifest (§4.6)", school_id)
        if not isinstance(tier_id, str) or tier_id not in schools[school_id].tier_rank:
            raise fail(f"{path}.tiers.{school_id}", f"a tier of school {school_id} (§4.6)", tier_id)
    return Record(
        application, category, group, preferences, value["private_digest"], value["sex"], tiers
    )


def _preferences(
    value: object, path: str, manifest: Manifest, schools: dict[str, School]
) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise fail(path, "an array of school ids", value)
    low, high = _preference_lengths(manifest)
    if not low <= len(value) <= high:
        raise fail(path, f"{low} to {high} schools in {manifest.mode} (§4.5)", value)
    for school_id in value:
        if not isinstance(school_id, str) or school_id not in schools:
            raise fail(path, "schools of the manifest only (§4.5)", school_id)
    if len(set(value)) != len(value):
        raise fail(path, "distinct schools (§4.1)", value)
    return tuple(value)


def applicant_root(lines: list[tuple[bytes, object]]) -> bytes:
    """The applicant root of §5.2 over the records' canonical bytes (the file's lines)."""
    return tree_root([leaf_hash(ENTRY_PREFIX + line) for line, _ in lines])


def build_units(records: tuple[Record, ...]) -> list[Unit]:
    """Units of §8.1, checking the group rules of §4.4; sorted by key bytes."""
    groups: dict[str, list[Record]] = {}
    units = []
    for record in records:
        if record.group is None:
            units.append(
                Unit("a:" + record.application, (record,), record.category, record.preferences, 1)
            )
        else:
            groups.setdefault(record.group, []).append(record)
    for group_id, members in groups.items():
        if not 2 <= len(members) <= 8:
            raise CheckFailed(
                f"group {group_id} has {len(members)} member(s) (§4.4)",
                expected="2 to 8 members",
                found=", ".join(m.application for m in members),
            )
        first = members[0]
        for member in members[1:]:
            if member.preferences != first.preferences or member.category != first.category:
                raise CheckFailed(
                    f"group {group_id}: members {first.application} and {member.application} differ (§4.4)",
                    expected="identical preferences and category",
                    found=f"{list(first.preferences)}/{first.category} vs {list(member.preferences)}/{member.category}",
                )
        units.append(
            Unit("g:" + group_id, tuple(members), first.category, first.preferences, len(members))
        )
    units.sort(key=lambda unit: unit.key.encode())
    return units
