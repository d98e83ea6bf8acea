"""Build valid ID numbers, CSV bytes and XLSX bytes for the import tests."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence

import openpyxl

from api.importing import ImportRules

RULES = ImportRules(
    schools=frozenset({"S01", "S02", "S03"}),
    birth_date_from=datetime.date(2012, 9, 1),
    birth_date_to=datetime.date(2013, 8, 31),
    max_preferences=3,
    tiers_by_school={"S01": ("T1", "T2"), "S02": ("T1", "T3"), "S03": ("T1",)},
    categories=frozenset({"SIB", "MIL"}),
)

HEADER_ZH = ["报名号", "姓名", "身份证号", "志愿", "类别", "专项类别", "同胞组"]
HEADER_EN = ["application", "name", "id_number", "preferences", "tier", "category", "group"]


def iso7064_check(first_17: str) -> str:
    """Check character such that the weighted sum of all 18 positions is 1 mod 11."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first_17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def make_id(birth: str = "20130307", sequence: str = "123", region: str = "110105") -> str:
    """A valid 18-character ID; the sequence's last digit is odd for a boy."""
    first_17 = region + birth + sequence
    return first_17 + iso7064_check(first_17)


def wrong_check(id_number: str) -> str:
    """The same ID number with a check character that is certainly wrong."""
    wrong = "0" if id_number[17] != "0" else "1"
    return id_number[:17] + wrong


def csv_bytes(
    rows: Sequence[Sequence[object]], *, encoding: str = "utf-8", delimiter: str = ","
) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[object]], *, merge: str | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def applicant_row(
    name: str = "张三",
    id_number: str | None = None,
    preferences: str = "S01;S02",
    tier: str = "",
    category: str = "",
    group: str = "",
    application: str = "A001",
) -> list[str]:
    """A row in HEADER_ZH / HEADER_EN order."""
    return [
        application,
        name,
        id_number if id_number is not None else make_id(),
        preferences,
        tier,
        category,
        group,
    ]


def make_id_ending_in_x() -> str:
    """A valid ID whose check character is X, the one a clerk may type in lower case."""
    return next(
        id_number
        for id_number in (make_id(sequence=f"{n:03d}") for n in range(1000))
        if id_number.endswith("X")
    )


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def fast_xlsx_bytes(rows: Sequence[Sequence[str]]) -> bytes:
    """A minimal XLSX with inline-string cells, written directly: for large sheets.

    openpyxl takes ~10 s for 150,000 rows; this takes ~1 s, which keeps the
    large-file test short enough to run.
    """
    from xml.sax.saxutils import escape

    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    ]
    for row in rows:
        cells = "".join(f'<c t="inlineStr"><is><t>{escape(value)}</t></is></c>' for value in row)
        lines.append(f"<row>{cells}</row>")
    lines.append("</sheetData></worksheet>")
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", "".join(lines))
    return buffer.getvalue()
