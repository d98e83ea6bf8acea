"""The public lists as an Excel workbook (openpyxl): a summary sheet, then one sheet per list
(`list_rows`): each school's admitted list and waitlist on the draw day, and after the post-draw
actions (§14) on sheets of their own. Every list sheet has its header on row 1, frozen, with an
autofilter, printed on every page (print titles), A4, with the list's name as the page header.

Every text value is written as text (cell type string, number format `@`): Excel never turns
`00012` into 12 or a hex number into a date, and a value such as `=HYPERLINK(...)` (a name
typed so) stays text, never a formula. The bytes are deterministic: document times come from
the draw and the zip entries carry a fixed timestamp.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from api.cutoff_words import cutoff_text
from api.documents.list_rows import HEADER, KINDS, STAGES, ListRows, list_rows
from api.documents.messages import mode_word, status_word
from api.documents.public_lists import ListsAfterActions, PublicLists
from lottery import Bundle

__all__ = ["fixed_zip", "results_xlsx", "text_row", "xlsx_time"]

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)([^<]*)(</dcterms:modified>)")
_TEXT = "@"
_BAD_SHEET_CHARACTERS = str.maketrans({c: "_" for c in "[]:*?/\\"})
_WIDTHS = (7, 16, 10, 22, 19, 19, 30, 24, 10)


def text_row(sheet: Worksheet, values: Sequence[object], *, bold: bool = False) -> list[Cell]:
    """Cells for one row: a string is stored as text (type `s`, format `@`), whatever it
    starts with, numbers as numbers."""
    cells = []
    for value in values:
        cell = Cell(sheet, value=None)
        if isinstance(value, str):
            cell.value = value
            cell.data_type = "s"  # never "f": openpyxl would take "=..." for a formula
            cell.number_format = _TEXT
        else:
            cell.value = value
        if bold:
            cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def _append(sheet: Worksheet, values: Sequence[object], *, bold: bool = False) -> None:
    # Cells are styled before they are appended: looking the new row up again through
    # `sheet.max_row` scans every row each time, which made a 150,000-row list quadratic.
    sheet.append(text_row(sheet, values, bold=bold))


def _summary(sheet: Worksheet, lists: PublicLists, later: ListsAfterActions | None) -> None:
    facts = lists.facts
    for label, value in (
        ("标题", facts.title),
        ("摇号编号", facts.draw_id),
        ("主办单位", facts.authority),
        ("摇号方式", mode_word(facts.mode, "zh")),
        ("封存时间（UTC）", facts.sealed_at),
        ("报名人数", facts.applicant_count),
        ("方案摘要", facts.manifest_digest),
        ("随机种子", facts.seed),
        ("结果摘要", facts.results_digest),
        ("签名公钥指纹", facts.key_fingerprint),
        *((f"摇号当天{status_word(s, 'zh')}", n) for s, n in lists.status_counts),
    ):
        _append(sheet, (label, value))
    if later is not None:
        _append(sheet, ("递补操作", f"{later.action_count} 项，截至 {later.last_action_at}"))
        _append(sheet, ("递补记录摘要", later.actions_digest))
        for status, n in later.status_counts:
            _append(sheet, (f"递补后{status_word(status, 'zh')}", n))
    _append(sheet, ())
    header = ("学校代码", "学校", "计划", "录取", "候补", "普通名额录取线类别",
              "普通名额录取线号码", "各类名额录取线")  # fmt: skip
    _append(sheet, header, bold=True)
    for school in lists.schools:
        cutoff_tier = school.cutoff_tier[1] if school.cutoff_tier is not None else ""
        every = "\n".join(cutoff_text(line, "zh") for line in school.cutoff_lines("zh"))
        _append(
            sheet,
            (school.school_id, school.name, school.seats, school.admitted_count,
             len(school.waitlist), cutoff_tier, school.cutoff_number or "", every),
        )  # fmt: skip
    if lists.groups_without_room:  # §10.10
        _append(sheet, ("无法整组安置的同胞组", "，".join(lists.groups_without_room)))
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 70


def _list_sheet(sheet: Worksheet, table: ListRows) -> None:
    _append(sheet, HEADER, bold=True)
    for row in table.rows:
        _append(sheet, row)
    last = f"{chr(ord('A') + len(HEADER) - 1)}{max(len(table.rows) + 1, 2)}"
    sheet.auto_filter.ref = f"A1:{last}"
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddHeader.center.text = table.title
    sheet.oddFooter.center.text = "第 &P 页 共 &N 页"
    for column, width in zip("ABCDEFGHI", _WIDTHS, strict=True):
        sheet.column_dimensions[column].width = width


def sheet_titles(tables: Sequence[ListRows]) -> list[str]:
    """Excel sheet names: at most 31 characters, none of `[]:*?/\\`, unique."""
    titles: list[str] = []
    for n, table in enumerate(tables, start=1):
        suffix = f" {STAGES[table.stage] if table.stage != 'draw_day' else ''}{KINDS[table.kind]}"
        title = table.school_id.translate(_BAD_SHEET_CHARACTERS)[: 31 - len(suffix)] + suffix
        if title.casefold() in {t.casefold() for t in titles}:
            title = f"{title[:24]}~{n}"
        titles.append(title)
    return titles


def fixed_zip(data: bytes, *, modified: str) -> bytes:
    """The same zip with every entry's time fixed and entries in a stable order.

    openpyxl stamps the wall-clock time into docProps/core.xml on every save, whatever the
    workbook's properties say; that stamp is replaced by `modified` so the bytes are stable.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(name)
            if name == "docProps/core.xml":
                content = _MODIFIED.sub(
                    lambda m: m.group(1) + modified.encode() + m.group(3), content
                )
            target.writestr(info, content)
    return buffer.getvalue()


def results_xlsx(bundle: Bundle) -> bytes:
    """The public lists of a read bundle as an .xlsx workbook (bytes): the draw day's, and
    after its post-draw actions if it has any, one sheet per list.

    Raises `UnmaskedPersonalData` (and writes nothing) if any listed record is not masked, and
    `UnverifiedActions` if the bundle's actions do not check out.
    """
    lists, later, tables = list_rows(bundle)
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "汇总"
    _summary(summary, lists, later)
    for table, title in zip(tables, sheet_titles(tables), strict=True):
        _list_sheet(workbook.create_sheet(title), table)
    # After actions the workbook is of the time of the last action it includes.
    modified = lists.facts.sealed_at if later is None else later.last_action_at
    workbook.properties.created = xlsx_time(lists.facts.sealed_at)
    workbook.properties.modified = xlsx_time(modified)
    workbook.properties.creator = "sunshine draw"
    workbook.properties.title = f"{lists.facts.title} 公示名单"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return fixed_zip(buffer.getvalue(), modified=modified)


def xlsx_time(value: str) -> datetime.datetime:
    return datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
