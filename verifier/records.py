"""Public applicant records (protocol §4), the applicant root (§5.2) and units (§8.1)."""

from __future__ import annotations

import re
from typing import NamedTuple

from verifier.canonical import parse_canonical
from verifier.errors import CheckFailed, VerificationError
from verifier.fields import HEX64, Fields, fail
from verifier.hashing import PROTOCOL
from verifier.manifest import Manifest, School
from verifier.merkle import leaf_hash, tree_root

RECORD_KEYS = (
    "application", "category", "group", "masked_id", "masked_name", "preferences",
    "private_digest", "receipt_check", "sex", "tiers",
)  # fmt: skip
ENTRY_PREFIX = f"{PROTOCOL}/applicant".encode("ascii") + b"\x00"  # §5.2
MASKED_ID = re.compile(r"[0-9]{4}\*{10}[0-9]{3}[0-9X]")  # §4.1
_KEPT = r"[^\s*\x00-\x1f\x7f-\x9f]"  # one kept character of a masked name, §4.1
MASKED_NAME = re.compile(rf"\*|{_KEPT}\*+{_KEPT}?|{_KEPT}\*(?: {_KEPT}\*)+")
RECORD_CEILING = 8192  # §4.7
GROUP_SIZES = range(2, 9)  # §4.4


class Record(NamedTuple):
    """One public record (§4.1), as far as the draw reads it."""

    application: str
    category: str | None
    group: str | None
    sex: str
    tiers: dict[str, str]
    preferences: tuple[str, ...]
    receipt_check: str


class Unit(NamedTuple):
    """A child alone, key `a:` + application, or a group, key `g:` + group (§8.1). Members are
    in application order; they share one category and one list of preferences (§4.4)."""

    key: str
    members: tuple[Record, ...]
    size: int
    category: str | None
    preferences: tuple[str, ...]


def make_unit(key: str, members: tuple[Record, ...]) -> Unit:
    return Unit(key, members, len(members), members[0].category, members[0].preferences)


def split_lines(data: bytes) -> list[bytes]:
    """The lines of applicants.jsonl without their newlines (§13.1)."""
    if data and not data.endswith(b"\n"):
        raise CheckFailed("json_last_newline")
    return data.split(b"\n")[:-1]


def applicant_root(lines: list[bytes]) -> bytes:
    """The applicant root: MTH over the entries `ENTRY_PREFIX || JCS(record)` (§5.2)."""
    return tree_root([leaf_hash(ENTRY_PREFIX + line) for line in lines])


def parse_records(lines: list[bytes], manifest: Manifest) -> list[Record]:
    """Every record checked against §4 and the manifest, in the order of §4.2."""
    records: list[Record] = []
    schools = {school.id: school for school in manifest.schools}
    for number, line in enumerate(lines, start=1):
        if len(line) + 1 > RECORD_CEILING:  # (4.7)
            raise CheckFailed("record_too_long", line=number, limit=RECORD_CEILING)
        try:
            value = parse_canonical(line)
        except VerificationError as error:
            raise CheckFailed("json_line", line=number, fault=error.message) from error
        record = _record(Fields(value, f"applicants.jsonl line {number}"), manifest, schools)
        if records and records[-1].application >= record.application:  # (4.2); ASCII (§1.3)
            raise CheckFailed("record_order", line=number, application=record.application)
        records.append(record)
    return records


def _record(fields: Fields, manifest: Manifest, schools: dict[str, School]) -> Record:
    fields.exact_keys(RECORD_KEYS)  # (4.1)
    application = fields.identifier("application")
    category = fields.optional_identifier("category")
    if category is not None and category not in manifest.categories:
        options = " | ".join(manifest.categories)
        raise fail(f"{fields.path}.category", "term_one_of", category, options=options)
    fields.matching("masked_id", MASKED_ID, "term_masked_id")
    fields.matching("masked_name", MASKED_NAME, "term_masked_name")
    fields.matching("private_digest", HEX64, "term_hex64")
    receipt = fields.matching("receipt_check", HEX64, "term_hex64")  # (4.8)
    sex = fields.choice("sex", ["F", "M"])
    preferences = fields.array("preferences")
    if not all(isinstance(p, str) and p in schools for p in preferences):  # (4.5)
        raise fail(f"{fields.path}.preferences", "term_manifest_schools", preferences)
    if len(set(preferences)) != len(preferences):
        raise fail(f"{fields.path}.preferences", "term_distinct_nonempty", preferences)
    wanted = {"single_school_lottery": (1, 1), "zone_assignment": (0, 0)}
    low, high = wanted.get(manifest.mode, (1, manifest.max_preferences))
    if not low <= len(preferences) <= high:
        path = f"{fields.path}.preferences"
        raise fail(path, "term_list_length", preferences, low=low, high=high)
    tiers = fields.sub("tiers")  # (4.6)
    for school_id, tier in tiers.value.items():
        if school_id not in schools or tier not in schools[school_id].tiers:
            raise fail(f"{tiers.path}.{school_id}", "term_tier_of_school", tier)
    group = fields.optional_identifier("group")
    return Record(application, category, group, sex, tiers.value, tuple(preferences), receipt)


def build_units(records: list[Record]) -> list[Unit]:
    """Units (§8.1) in the order of their keys' bytes, groups checked against §4.4."""
    groups: dict[str, list[Record]] = {}
    units = []
    for record in records:
        if record.group is None:
            units.append(make_unit("a:" + record.application, (record,)))
        else:
            groups.setdefault(record.group, []).append(record)
    for group, members in groups.items():
        if len(members) not in GROUP_SIZES:
            raise CheckFailed("group_size", group=group, size=len(members))
        first = members[0]
        for member in members[1:]:
            if (member.preferences, member.category) != (first.preferences, first.category):
                raise CheckFailed("group_differs", group=group, application=member.application)
        units.append(make_unit("g:" + group, tuple(members)))  # records are in application order
    units.sort(key=lambda unit: unit.key.encode())
    return units
