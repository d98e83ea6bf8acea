"""Formula cells of a workbook's first sheet, found in its XML.

calamine reads a formula cell as its cached value, and as '' when the file was written by a
program that stores no values (a generated file, or `=HYPERLINK(...)` typed by hand): the
clerk would be told "the name is empty" about a cell that is plainly filled. So the first
sheet's XML is scanned, in one streaming pass, for `<c r="B7"...><f>` elements, and each is
reported as a formula. Only the position and a short prefix of the formula are kept.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from typing import IO
from xml.etree import ElementTree

from api.importing.table import FormulaCell

__all__ = ["formula_cells"]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_WITH_FORMULA = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"[^>]*>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]{0,40}))'
)
_CHUNK = 1 << 20
_OVERLAP = 512  # longer than any cell's opening tags, so a match across chunks is not lost
_KEPT = 1000  # formula cells remembered; the report lists fewer


def formula_cells(data: bytes) -> tuple[FormulaCell, ...]:
    """Every formula cell of the first worksheet (up to _KEPT), in file order."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            path = _first_sheet_path(archive)
            if path is None:
                return ()
            with archive.open(path) as sheet:
                return _scan(sheet)
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError, EOFError):
        return ()  # the workbook reader reports a damaged file itself


def _first_sheet_path(archive: zipfile.ZipFile) -> str | None:
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheet = workbook.find(f"{_MAIN}sheets/{_MAIN}sheet")
    if sheet is None:
        return None
    rel_id = sheet.get(f"{_REL}id")
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{_PKG_REL}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    return None


def _scan(sheet: IO[bytes]) -> tuple[FormulaCell, ...]:
    found: list[FormulaCell] = []
    seen: set[tuple[int, int]] = set()
    carry = b""
    while len(found) < _KEPT:
        chunk = sheet.read(_CHUNK)
        if not chunk:
            break
        text = carry + chunk
        if b"<f" in text or b":f" in text:
            for match in _CELL_WITH_FORMULA.finditer(text):
                cell = _cell(match)
                if (cell.row, cell.column) not in seen:
                    seen.add((cell.row, cell.column))
                    found.append(cell)
        carry = text[-_OVERLAP:]
    return tuple(found[:_KEPT])


def _cell(match: re.Match[bytes]) -> FormulaCell:
    letters, digits, formula = match.group(1), match.group(2), match.group(3) or b""
    column = 0
    for letter in letters.decode("ascii"):
        column = column * 26 + (ord(letter) - ord("A") + 1)
    text = formula.decode("utf-8", "replace").replace("&quot;", '"').replace("&amp;", "&")
    return FormulaCell(row=int(digits) - 1, column=column - 1, formula=text[:30])
