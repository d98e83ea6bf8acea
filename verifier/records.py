"""Public applicant records (protocol §4), their tree (§5.2) and units (§8.1)."""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain, count, islice, repeat
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from verifier.canonical import parse_canonical, parse_canonical_lines
from verifier.errors import CheckFailed
from verifier.fields import HEX64, IDENTIFIER, fail
from verifier.hashing import tag
from verifier.manifest import Manifest, School
from verifier.merkle import leaf_hashes, tree_root
from verifier.record_lines import RECORD_COLUMN_KEYS, SchoolIdLists, read_record_columns

RECORD_KEYS = frozenset(RECORD_COLUMN_KEYS)
ENTRY_PREFIX = tag("applicant")  # protocol §5.2


class Record(NamedTuple):
    """One public record, protocol §4.1, as far as the checks read it (immutable; a named tuple,
    cheap for a million). The masked name and ID and the private digest are checked as they
    are read and not kept: the record's line in the file holds them."""

    application: str
    category: str | None
    group: str | None
    sex: str
    tiers: dict[str, str]
    schools: tuple[int, ...]  # the preferences as indices into the manifest's schools


class Unit(NamedTuple):
    """A child alone or a sibling/twin group, protocol §8.1 (immutable named tuple)."""

    key: str
    members: tuple[Record, ...]
    category: str | None
    schools: tuple[int, ...]  # the members' preferences (the same for all, §4.4) as indices
    size: int  # the number of members


# `tuple.__new__` on a named tuple class builds it from an iterable of its fields, as
# `Record._make` does, but in C: `map` then makes a million of them without a Python call each.
_new_record = partial(tuple.__new__, Record)
_new_unit = partial(tuple.__new__, Unit)


_IDENTIFIER_LINES = re.compile(r"(?:[A-Za-z0-9._-]{1,64}\n)*")  # §1.3, one per line
_HEX64_LINES = re.compile(r"(?:[0-9a-f]{64}\n)*")


@dataclass(frozen=True, eq=False)
class ApplicantFile:
    """`applicants.jsonl` as read in check 1: its bytes, and the records as nine columns
    (`RECORD_COLUMN_KEYS` order) or, from the generic reader, as parsed objects."""

    data: bytes
    columns: list[list[Any] | None] | None
    values: list[Any] | None

    @property
    def count(self) -> int:
        """The number of records (lines)."""
        if self.columns is not None and self.columns[0] is not None:
            return len(self.columns[0])
        assert self.values is not None
        return len(self.values)

    @property
    def lines(self) -> list[bytes]:
        """Each line's bytes without its newline: the leaves of §5.2. Split on each use: the
        checks take the root from the background work; only the parent check and the
        locating of a fault need the lines."""
        lines = self.data.split(b"\n")
        lines.pop()  # after the last newline (both readers require one): nothing
        return lines

    def value(self, index: int) -> Any:
        """The record on line `index` (from 0) as an object."""
        if self.values is not None:
            return self.values[index]
        return parse_canonical(self.lines[index])

    def index_of(self, application: str) -> int | None:
        """The line (from 0) of the record with this application number, if any."""
        if self.columns is not None and self.columns[0] is not None:
            applications: list[Any] = self.columns[0]
        else:
            assert self.values is not None
            applications = [
                value.get("application") if isinstance(value, dict) else None
                for value in self.values
            ]
        return next((i for i, found in enumerate(applications) if found == application), None)


def parse_records(file: ApplicantFile, manifest: Manifest) -> tuple[Record, ...]:
    """Check every record against §4 and the manifest, in the order of §4.2.

    The checks run column by column, which is fast; if any fails, the records are checked
    again one by one to name the first faulty record and field.
    """
    try:
        columns = file.columns if file.columns is not None else _value_columns(file.values or [])
        checked = None if columns is None else _checked_columns(columns, manifest)
    except (KeyError, TypeError):  # a missing key, a school outside the manifest, a value
        checked = None  # unhashable where a string belongs: the slow path names it
    if checked is None:
        values = file.values
        if values is None:  # read by the fast reader: read again, generically, to locate it
            values = [value for _, value in parse_canonical_lines(file.data)]
        _check_one_by_one(values, manifest)
        raise CheckFailed("a record breaks §4 (found by the column checks, not located)")
    return tuple(map(_new_record, zip(*checked, strict=True)))


_RECORD_COLUMNS = itemgetter(*RECORD_COLUMN_KEYS)


def _value_columns(values: list[Any]) -> list[Sequence[Any]] | None:
    """Parsed records as columns, if each is an object with exactly the keys of §4.1 (KeyError
    or TypeError otherwise, from the getter)."""
    if values and set(map(len, values)) != {len(RECORD_KEYS)}:
        return None
    columns: list[Sequence[Any]] = list(zip(*map(_RECORD_COLUMNS, values), strict=True))
    return columns or [()] * len(RECORD_KEYS)


def _checked_columns(
    columns: Sequence[Sequence[Any] | None], manifest: Manifest
) -> list[Sequence[Any]] | None:
    """The columns of `Record` (application, category, group, sex, tiers, preferences as school
    indices), if all of §4.1-§4.6 hold, else None. Each rule is one pass over a column by a
    built-in (`map`, `set`, a regular expression over the joined column), which is far faster
    than Python code per record. A masked or digest column that is None was checked by the fast
    reader."""
    applications, categories, groups, masked_ids, masked_names, preferences = columns[:6]
    digests, sexes, tiers = columns[6:]
    if applications is None or categories is None or groups is None or preferences is None:
        return None
    if sexes is None or tiers is None:
        return None
    if not _IDENTIFIER_LINES.fullmatch("".join(a + "\n" for a in applications)):
        return None
    if not all(map(operator.lt, applications, applications[1:])):
        return None  # §4.2: strictly increasing (ASCII: string order is byte order)
    if digests is not None and not _HEX64_LINES.fullmatch("".join(d + "\n" for d in digests)):
        return None
    if not set(categories) <= {None, *manifest.categories}:
        return None
    if not all(type(g) is str and IDENTIFIER.fullmatch(g) for g in set(groups) - {None}):
        return None
    if not set(sexes) <= {"F", "M"}:
        return None
    masked = [column for column in (masked_ids, masked_names) if column is not None]
    if not set(map(type, chain.from_iterable(masked))) <= {str}:  # None: checked by the reader
        return None
    schools = _school_indices(preferences, manifest)
    if schools is None or not _tiers_valid(tiers, manifest):
        return None
    return [applications, categories, groups, sexes, tiers, schools]


def _school_indices(preferences: Any, manifest: Manifest) -> list[tuple[int, ...]] | None:
    """Every preference list as school indices (manifest order), if §4.5 and §4.1 hold: arrays
    of the mode's length, of distinct schools of the manifest (else None, or KeyError for a
    school outside the manifest). Looking each school up once both checks it and gives the
    allocation its lists: a million records list ten million schools, looked up by one `map`
    over the flattened lists (`SchoolIdLists`, as the fast reader gives them)."""
    if not isinstance(preferences, SchoolIdLists):  # the generic reader's: one value a record
        if not set(map(type, preferences)) <= {list}:
            return None
        preferences = SchoolIdLists.of(preferences)
    low, high = _preference_lengths(manifest)
    lengths = preferences.lengths
    if lengths and not low <= min(lengths) <= max(lengths) <= high:
        return None
    index_of = {school.id: index for index, school in enumerate(manifest.schools)}.__getitem__
    indices = _cut(list(map(index_of, preferences.ids)), lengths)
    # A list has distinct entries when its set is as long; a set is never longer than its
    # list, so equal totals mean every list is distinct.
    return indices if sum(map(len, map(set, indices))) == len(preferences.ids) else None


def _cut(flat: list[int], lengths: list[int]) -> list[tuple[int, ...]]:
    """`flat` cut into consecutive tuples of these lengths (which add up to its length)."""
    if len(set(lengths)) == 1 and lengths[0] > 0:  # all as long: zip one iterator n times over
        return list(zip(*[iter(flat)] * lengths[0], strict=True))
    entries = iter(flat)
    return [tuple(islice(entries, length)) for length in lengths]


def _tiers_valid(tiers: Sequence[Any], manifest: Manifest) -> bool:
    """§4.6: every key a school of the manifest, every value a tier of that school."""
    if not set(map(type, tiers)) <= {dict}:
        return False
    ranks = {s.id: s.tier_rank for s in manifest.schools}
    for named in filter(None, tiers):  # most children name no tier
        for school_id, tier_id in named.items():
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


def _check_one_by_one(values: list[Any], manifest: Manifest) -> None:
    """Find and raise the first faulty record, field by field (slow path of `parse_records`)."""
    schools = {s.id: s for s in manifest.schools}
    categories = frozenset(manifest.categories)
    previous = b""
    for number, value in enumerate(values, start=1):
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
    order = {school_id: index for index, school_id in enumerate(schools)}
    return Record(
        application,
        category,
        group,
        value["sex"],
        tiers,
        tuple(order[school_id] for school_id in preferences),
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


def applicant_root(lines: list[bytes]) -> bytes:
    """The applicant root of §5.2 over the records' canonical bytes (the file's lines)."""
    return tree_root(leaf_hashes(ENTRY_PREFIX, lines))


def build_units(records: tuple[Record, ...], manifest: Manifest) -> list[Unit]:
    """Units of §8.1, checking the group rules of §4.4; sorted by key bytes."""
    singles = [record for record in records if record.group is None]
    # One unit per single child, built by `map` over columns (`zip(singles)` gives each child
    # as a 1-tuple of members): no Python call per child, for a million of them.
    units = list(
        map(
            _new_unit,
            zip(
                map("a:".__add__, map(attrgetter("application"), singles)),
                zip(singles),
                map(attrgetter("category"), singles),
                map(attrgetter("schools"), singles),
                repeat(1),
            ),
        )
    )
    groups: dict[str, list[Record]] = {}
    for record in records:
        if record.group is not None:
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
            if member.schools != first.schools or member.category != first.category:
                ids = [[manifest.schools[s].id for s in m.schools] for m in (first, member)]
                raise CheckFailed(
                    f"group {group_id}: members {first.application} and {member.application} differ (§4.4)",
                    expected="identical preferences and category",
                    found=f"{ids[0]}/{first.category} vs {ids[1]}/{member.category}",
                )
        units.append(
            Unit("g:" + group_id, tuple(members), first.category, first.schools, len(members))
        )
    units.sort(key=attrgetter("key"))  # keys are ASCII (§1.3): string order is byte order
    return units


def applicant_units(records: tuple[Record, ...], units: list[Unit]) -> list[tuple[str, int]]:
    """(application, index of its unit in `build_units`) for each record, in application order.

    Units are sorted by key bytes (§8.1) and every "a:" key sorts before every "g:" key, so the
    children without a group are the first units, in application order; only the members of
    groups need looking up.
    """
    group_unit = {unit.key[2:]: u for u, unit in enumerate(units) if unit.key.startswith("g:")}
    single_unit = count()
    return [
        (
            record.application,
            next(single_unit) if record.group is None else group_unit[record.group],
        )
        for record in records
    ]


def read_applicant_file(data: bytes) -> ApplicantFile:
    """`applicants.jsonl` (§13.1): by the fast exact reader when every line is of its form,
    else by the generic reader, which raises `VerificationError` naming a line that is not
    canonical."""
    columns = read_record_columns(data)
    if columns is not None:
        return ApplicantFile(data, columns, None)
    pairs = parse_canonical_lines(data)
    return ApplicantFile(data, None, [value for _, value in pairs])
