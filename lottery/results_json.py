"""`JCS(results)` of protocol §12.3, assembled from its parts (`lottery.canonical_parts`).

A million-applicant results document is some 65 MB of JSON, almost all of it the applicant rows
(§12.1) and the waitlists (§12.2). Encoded part by part it costs a fraction of a generic
encoder's time; the bytes are the same (a test holds them equal to `rfc8785` on real draws).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from lottery.canonical_parts import array_of, is_plain, object_of, string_array
from lottery.encoding import canonical_items, canonical_json

__all__ = ["applicant_rows_json", "results_json", "schools_json"]

Outcome = tuple[str, str | None, str | None]
_BIG_SCHOOL_MEMBERS = ("waitlist", "classes")


def applicant_rows_json(
    applications: Sequence[str],
    numbers: Sequence[str],
    outcome: npt.NDArray[np.int64],
    outcomes: Sequence[Outcome],
    *,
    plain: bool = False,
) -> bytes:
    """JCS of the rows `[applications[i], numbers[i], *outcomes[outcome[i]]]` (§12.1).

    `plain=True`: the caller has checked `is_plain` on the applications and the numbers.
    """
    n = len(applications)
    if n == 0:
        return b"[]"
    if not (plain or (is_plain(applications) and is_plain(numbers))):
        rows = [
            [a, b, *outcomes[k]]
            for a, b, k in zip(applications, numbers, outcome.tolist(), strict=True)
        ]
        return canonical_json(rows)
    # Row i is '["' + application + '","' + number + '",' + the rest of JCS([status, ...]).
    tails = ['",' + item[1:].decode("utf-8") for item in canonical_items(list(map(list, outcomes)))]
    parts: list[str] = [""] * (5 * n)
    parts[0::5] = [',["'] * n
    parts[1::5] = applications
    parts[2::5] = ['","'] * n
    parts[3::5] = numbers
    parts[4::5] = np.array(tails, dtype=object)[outcome].tolist()
    parts[0] = '[["'
    parts.append("]")
    return "".join(parts).encode("utf-8")


def schools_json(entries: Sequence[dict[str, Any]], *, plain_lists: bool = False) -> bytes:
    """JCS of the results' school entries (§12.2): waitlists and classes as string arrays.

    `plain_lists=True`: the caller has checked `is_plain` on every string of the waitlists and
    class lists (they are application numbers taken from a checked sequence).
    """
    small = [
        {key: value for key, value in entry.items() if key not in _BIG_SCHOOL_MEMBERS}
        for entry in entries
    ]
    encoded_small = iter(canonical_items([v for entry in small for v in entry.values()]))
    encoded: list[bytes] = []
    for entry, rest in zip(entries, small, strict=True):
        members = {key: next(encoded_small) for key in rest}
        for key in _BIG_SCHOOL_MEMBERS:
            if key in entry:
                members[key] = _big_member(entry[key], plain_lists)
        encoded.append(object_of(members))
    return array_of(encoded)


def _big_member(value: Any, plain: bool) -> bytes:
    """A waitlist (array of application numbers) or class lists (`null` or arrays of them)."""
    if isinstance(value, list) and all(isinstance(item, list) for item in value):
        return array_of(string_array(item, plain=plain) for item in value)
    if isinstance(value, list):
        return string_array(value, plain=plain)
    return canonical_json(value)


def results_json(
    results: dict[str, Any], applicant_rows: bytes, *, plain_lists: bool = False
) -> bytes:
    """JCS of a results document (§12.3) whose `applicants` rows are encoded already.

    `plain_lists`: as in `schools_json`.
    """
    members = {
        key: canonical_json(value)
        for key, value in results.items()
        if key not in ("applicants", "schools")
    }
    members["applicants"] = applicant_rows
    members["schools"] = schools_json(results["schools"], plain_lists=plain_lists)
    return object_of(members)
