"""Reading `applicants.jsonl` (§4.1, §13.1) fast and exactly: one regular expression per line.

A public record always has the same nine keys, whose values are identifiers (§1.3) or null,
free strings (the masked name and ID), an array of identifiers, 64 hex digits, "F" or "M", and
an object of identifiers. The expression below matches a line only when the line is exactly
JCS (§2.3) of such a record: the keys in sorted order, no whitespace, and every string written
without an escape, which is what JCS writes for a string holding no `"`, no `\\` and no control
character U+0000-U+001F (the only characters it escapes). The keys of `tiers` are then checked
to be strictly increasing, the order JCS gives them (identifiers are ASCII, so string order is
the order of §2.3).

A line that does not match is not necessarily wrong (a masked name might hold a quote, which JCS
escapes): then the file is read by the generic reader (`verifier.canonical`), which parses and
re-encodes every line and names any fault. Both readers give the same values; this one only
spares parsing and re-encoding a million records one by one.
"""

from __future__ import annotations

import operator
import re
from itertools import repeat
from typing import Any, NamedTuple

__all__ = ["RECORD_COLUMN_KEYS", "SchoolIdLists", "read_record_columns"]

# The record's keys in the order of JCS (sorted), which is the order of the columns returned.
RECORD_COLUMN_KEYS = (
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

_ID = r"[A-Za-z0-9._-]{1,64}"  # an identifier, §1.3
_TEXT = r'[^"\\\x00-\x1f]*'  # a string JCS writes as it is
_RECORD_LINE = re.compile(
    r'^\{"application":"(' + _ID + r')",'
    r'"category":(?:null|"(' + _ID + r')"),'
    r'"group":(?:null|"(' + _ID + r')"),'
    r'"masked_id":"' + _TEXT + r'",'
    r'"masked_name":"' + _TEXT + r'",'
    r'"preferences":\[((?:"' + _ID + r'")(?:,"' + _ID + r'")*)?\],'
    r'"private_digest":"[0-9a-f]{64}",'
    r'"sex":"([FM])",'
    r'"tiers":\{((?:"' + _ID + r'":"' + _ID + r'")(?:,"' + _ID + r'":"' + _ID + r'")*)?\}\}\n',
    re.MULTILINE,
)


class SchoolIdLists(NamedTuple):
    """The `preferences` of every record, flattened: all the school ids in record order, and
    how many each record lists. (Ten million short lists cost more to build than one.)"""

    ids: list[str]
    lengths: list[int]

    @classmethod
    def of(cls, lists: list[list[Any]]) -> SchoolIdLists:
        """The flattened form of these lists."""
        return cls([entry for entries in lists for entry in entries], list(map(len, lists)))


_TIER_PAIR = re.compile(r'"(' + _ID + r')":"(' + _ID + r')"')


def read_record_columns(data: bytes) -> list[Any] | None:
    """The records of `applicants.jsonl` as nine columns (in `RECORD_COLUMN_KEYS` order), or
    None when some line is not of the form above (the generic reader then decides).

    Null is None; `preferences` are `SchoolIdLists`; `tiers` are dicts. The masked name, masked
    ID and private digest columns are None: the expression has checked that they are strings
    (the digest: 64 lowercase hex digits), which is all §4 asks of them, and nothing in the
    checks reads them (a record's line holds them, for the parent check).
    """
    try:
        text = data.decode("utf-8")  # strict: a file that is not UTF-8 is refused there
    except UnicodeDecodeError:
        return None
    if not text:
        return [[], [], [], None, None, SchoolIdLists([], []), None, [], []]
    rows = _RECORD_LINE.findall(text)
    # Nothing in the expression matches a newline except its last character, and it starts at
    # a line's start: every match is one whole line. As many matches as lines: every line.
    if len(rows) != text.count("\n") or not text.endswith("\n"):
        return None
    applications, categories, groups, preferences, sexes, tier_pairs = map(
        list, zip(*rows, strict=True)
    )
    tiers: list[dict[str, str]] = []
    for pairs in tier_pairs:
        if not pairs:
            tiers.append({})
            continue
        found = _TIER_PAIR.findall(pairs)
        keys = [school for school, _ in found]
        if not all(map(operator.lt, keys, keys[1:])):
            return None  # keys out of order or repeated: not JCS (the generic reader says so)
        tiers.append(dict(found))
    return [
        applications,
        [value or None for value in categories],  # an identifier is never empty: "" is null
        [value or None for value in groups],
        None,
        None,
        _school_id_lists(preferences),
        None,
        sexes,
        tiers,
    ]


def _school_id_lists(arrays: list[str]) -> SchoolIdLists:
    """The school ids of each record's preferences, from the text between the brackets
    (`"S1","S2"`, or empty): identifiers hold no comma or quote (§1.3), so a record lists one
    more school than its text has commas, and the texts joined by commas split at `","`."""
    lengths = list(map(operator.add, map(str.count, arrays, repeat(",")), map(bool, arrays)))
    joined = ",".join(filter(None, arrays))
    return SchoolIdLists(joined[1:-1].split('","') if joined else [], lengths)
