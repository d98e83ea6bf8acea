"""The public lists as one CSV file (UTF-8 with a byte-order mark, so Excel reads the Chinese):
one line per child per list, the list named in the first columns (draw day or after the
actions, admitted or waitlist, school), then the columns of `list_rows.HEADER`.

A spreadsheet opening a CSV runs a cell that starts with `=`, `+`, `-` or `@` as a formula
(CSV injection); such a value is written with a leading apostrophe, as OWASP recommends, so
it stays text.
"""

from __future__ import annotations

import csv
import io

from api.documents.list_rows import HEADER, KINDS, STAGES, list_rows
from lottery import Bundle

__all__ = ["as_text", "results_csv"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def as_text(value: object) -> str:
    """A cell value a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def results_csv(bundle: Bundle) -> bytes:
    """Every public list of the bundle as CSV bytes. Raises like `list_rows`."""
    _, _, tables = list_rows(bundle)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(("阶段", "名单", "学校代码", "学校", *HEADER))
    for table in tables:
        for row in table.rows:
            writer.writerow(
                [STAGES[table.stage], KINDS[table.kind], as_text(table.school_id),
                 as_text(table.school_name), *(as_text(v) for v in row)]
            )  # fmt: skip
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
