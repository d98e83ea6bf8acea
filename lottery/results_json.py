"""`JCS(results)` of protocol §12.3, assembled from its parts (`lottery.canonical_parts`).

A million-applicant results document is some 65 MB of JSON, almost all of it the applicant rows
(§12.1) and the waitlists and class lists (§12.2). When every application number is plain
(`lottery.canonical_parts.is_plain`), those are built as byte rows, all at once
(`lottery.byte_rows`); otherwise, and for every small member, `canonical_json` encodes them. The
bytes are the same either way (tests hold them equal to `rfc8785` on generated and real draws).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from lottery.byte_rows import ByteColumn, encoded_column, join_rows
from lottery.canonical_parts import array_of, object_of
from lottery.encoding import canonical_items, canonical_json

__all__ = ["SchoolPart", "applicant_rows_json", "results_json", "string_arrays_json"]

I64 = npt.NDArray[np.int64]
Outcome = tuple[str, str | None, str | None]


@dataclass(frozen=True, eq=False)
class SchoolPart:
    """A school entry of §12.2: its small members, and its waitlist and class lists given as
    indices into the applicant numbers (`classes` is None when the school has no classes)."""

    members: dict[str, Any]
    waitlist: I64
    classes: tuple[I64, ...] | None


def applicant_rows_json(
    applications: ByteColumn, numbers: ByteColumn, outcome: I64, outcomes: Sequence[Outcome]
) -> bytes:
    """JCS of the rows `[application_i, number_i, *outcomes[outcome[i]]]` (§12.1).

    Applications and numbers must be plain strings (their bytes go between quotes unescaped).
    """
    count = len(applications)
    if count == 0:
        return b"[]"
    # Row i is ',["' + application + '","' + number + '",' + the rest of JCS([status, ...]).
    tails = encoded_column(
        [b'",' + item[1:] for item in canonical_items(list(map(list, outcomes)))]
    )
    segments: list[bytes | ByteColumn] = [
        b',["',
        applications,
        b'","',
        numbers,
        tails.take(outcome),
    ]
    return join_rows(count, segments, opening=b"[", closing=b"]", skip=1)  # no leading comma


def string_arrays_json(applications: ByteColumn, lists: Sequence[I64]) -> list[bytes]:
    """JCS of each list of plain application numbers (given by index): one pass over all."""
    sizes = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    if not lists or not sizes.any():
        return [b"[]"] * len(lists)
    index = np.concatenate(lists).astype(np.int64, copy=False)
    chosen = applications.take(index)
    body = memoryview(join_rows(len(chosen), [b',"', chosen, b'"']))
    # Each item is ,"number" (3 bytes more than the number): the byte span of each list.
    row_end = np.cumsum(chosen.row_lengths() + 3)
    item_end = np.cumsum(sizes)
    ends = np.where(item_end > 0, row_end[np.maximum(item_end - 1, 0)], 0)
    starts = np.r_[0, ends[:-1]]
    return [
        b"".join((b"[", body[start + 1 : end], b"]")) if end > start else b"[]"
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True)
    ]


def _schools_json(parts: Sequence[SchoolPart], applications: ByteColumn) -> bytes:
    """JCS of the school entries (§12.2), the waitlists and class lists as byte rows."""
    lists: list[I64] = []
    for part in parts:
        lists.append(part.waitlist)
        lists.extend(part.classes or ())
    encoded_lists = iter(string_arrays_json(applications, lists))
    small = iter(canonical_items([v for part in parts for v in part.members.values()]))
    entries: list[bytes] = []
    for part in parts:
        members = {key: next(small) for key in part.members}
        members["waitlist"] = next(encoded_lists)
        members["classes"] = (
            b"null"
            if part.classes is None
            else array_of([next(encoded_lists) for _ in part.classes])
        )
        entries.append(object_of(members))
    return array_of(entries)


def results_json(
    header: dict[str, Any],
    *,
    applicant_rows: bytes,
    schools: Sequence[SchoolPart],
    applications: ByteColumn,
) -> bytes:
    """JCS of a results document (§12.3): `header` holds its small members; the applicant rows
    are encoded already; the schools' lists index into the plain `applications`."""
    members = {key: canonical_json(value) for key, value in header.items()}
    members["applicants"] = applicant_rows
    members["schools"] = _schools_json(schools, applications)
    return object_of(members)
