"""The applicant list as a whole: order, fit to the draw's rules, and its root (§4, §5.2)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from lottery.errors import InvalidRecord
from lottery.manifest import DrawRules
from lottery.merkle import applicant_entry, merkle_root
from lottery.records import PublicRecord, check_groups

__all__ = ["MASKED_ID", "MASKED_NAME", "RECORD_CEILING", "applicant_root", "check_records"]

MASKED_ID = re.compile(r"[0-9]{4}\*{10}[0-9]{3}[0-9X]")  # §4.1
_KEPT = r"[^\s*\x00-\x1f\x7f-\x9f]"  # a kept character of a masked name, §4.1
MASKED_NAME = re.compile(rf"\*|{_KEPT}\*+{_KEPT}?|{_KEPT}\*(?: {_KEPT}\*)+")
RECORD_CEILING = 8192  # §4.7: bytes of a record's line, newline included


def _check_preferences(rules: DrawRules, record: PublicRecord, schools: frozenset[str]) -> None:
    where, count = f"application {record.application}", len(record.preferences)
    if rules.mode == "single_school_lottery" and count != 1:
        raise InvalidRecord(f"{where}: lists {count} schools; single_school_lottery needs 1 (§4.5)")
    if rules.mode == "zone_assignment" and count != 0:
        raise InvalidRecord(f"{where}: lists {count} schools; zone_assignment needs none (§4.5)")
    if rules.mode in ("deferred_acceptance", "immediate_acceptance") and not (
        1 <= count <= rules.max_preferences
    ):
        raise InvalidRecord(
            f"{where}: lists {count} schools; {rules.mode} needs 1 to {rules.max_preferences} (§4.5)"
        )
    for school in record.preferences:
        if school not in schools:
            raise InvalidRecord(f"{where}: preference {school!r} is not a school of the draw")


def check_records(rules: DrawRules, records: Sequence[PublicRecord]) -> None:
    """Check records in application order against the rules (§4.1-§4.6, §6.3); raise
    `InvalidRecord` naming the application and the value."""
    tiers = {school.id: {tier.id for tier in school.tiers} for school in rules.schools}
    school_ids = frozenset(tiers)  # once: a city has thousands of schools
    categories = {category.id for category in rules.categories}
    previous = ""
    for record in records:
        where = f"application {record.application}"
        if record.application == previous:
            raise InvalidRecord(f"{where}: appears twice; application numbers are unique (§4.1)")
        if record.application < previous:
            raise InvalidRecord(
                f"{where}: after {previous!r}; applications must be unique and in order (§4.2)"
            )
        previous = record.application
        if not MASKED_ID.fullmatch(record.masked_id):
            raise InvalidRecord(f"{where}: masked_id does not have the masked shape of §4.1")
        if not MASKED_NAME.fullmatch(record.masked_name):
            raise InvalidRecord(f"{where}: masked_name does not have the masked shape of §4.1")
        _check_preferences(rules, record, school_ids)
        for school, tier in record.tiers:
            if school not in tiers:
                raise InvalidRecord(f"{where}: tiers names school {school!r}, not in the draw")
            if tier not in tiers[school]:
                raise InvalidRecord(f"{where}: tier {tier!r} is not a tier of school {school}")
        if record.category is not None and record.category not in categories:
            raise InvalidRecord(f"{where}: category {record.category!r} is not declared (§6.1)")
    check_groups(records)
    if rules.mode == "zone_assignment":
        seats = sum(school.seats for school in rules.schools)
        if seats < len(records):
            raise InvalidRecord(
                f"zone_assignment: {len(records)} applicants but only {seats} seats (§6.3)"
            )


def applicant_root(encoded_records: Sequence[bytes]) -> str:
    """`hex(MTH(d_0 .. d_{n-1}))` over `JCS(record)` in application order (§5.2)."""
    return merkle_root(applicant_entry(encoded) for encoded in encoded_records).hex()
