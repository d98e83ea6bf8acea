"""XLSX workbooks, read with calamine: first sheet, cells with their types.

Typed cells matter: an ID number that comes back as a number has lost digits in
Excel (it keeps 15 significant digits), and only the type reveals that. Merged
cells are reported, because a merged block keeps its value in the top-left cell
only and leaves the others silently empty.
"""

from __future__ import annotations

import io
import zipfile

from python_calamine import CalamineError, CalamineWorkbook

from api.importing.report import ImportProblem, Message, reject_file
from api.importing.table import (
    Cell,
    CellRange,
    RawTable,
    column_letter,
    header_row_index,
    is_blank,
    shown_value,
)

__all__ = ["read_workbook"]

# Checked on the sizes the zip declares before calamine inflates anything, so
# a small "zip bomb" is refused at once. A 150,000-row sheet inflates to ~100 MB.
_MAX_INFLATED_BYTES = 1 << 30
_SAVE_AS_XLSX = Message(
    zh="请在 Excel 中重新另存为 .xlsx 工作簿", en="save it again from Excel as an .xlsx workbook"
)


def read_workbook(data: bytes, *, filename: str) -> RawTable:
    """Cells of the first sheet; row i of the result is Excel row i + 1 (A1 is rows[0][0])."""
    _check_archive(data, filename=filename)
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            names = workbook.sheet_names
            if not names:
                reject_file(_unreadable("no worksheet", "没有工作表"), filename=filename)
            sheet = workbook.get_sheet_by_index(0)
            rows: list[list[Cell]] = sheet.to_python(skip_empty_area=False)
            ranges = sheet.merged_cell_ranges or []
    except (CalamineError, ValueError, OSError) as error:
        reject_file(_unreadable(str(error), str(error)), filename=filename)
    merged = [
        CellRange(first_row=r0, first_column=c0, last_row=r1, last_column=c1)
        for (r0, c0), (r1, c1) in ranges
    ]
    return RawTable(
        format="xlsx",
        encoding=None,
        rows=rows,
        problems=_merged_cell_problems(merged, rows),
        warnings=_ignored_sheets(names),
    )


def _merged_cell_problems(
    merged: list[CellRange], rows: list[list[Cell]]
) -> tuple[ImportProblem, ...]:
    """A merged block leaves all but its top-left cell empty: the clerk must unmerge and fill.

    The problem is located under the column's header when the block is below it.
    """
    header_index = header_row_index(rows)
    header = [] if header_index is None else rows[header_index]
    return tuple(
        _merged_cell_problem(
            cells, header, below_header=header_index is not None and cells.first_row > header_index
        )
        for cells in merged
    )


def _merged_cell_problem(
    cells: CellRange, header: list[Cell], *, below_header: bool
) -> ImportProblem:
    column = column_letter(cells.first_column)
    if (
        below_header
        and cells.first_column < len(header)
        and not is_blank(header[cells.first_column])
    ):
        column = shown_value(header[cells.first_column])
    reference = cells.excel_reference()
    message = Message(
        zh=f"单元格 {reference} 是合并单元格; 请取消合并, 并在每个单元格中填写内容",
        en=f"cells {reference} are merged; unmerge them and fill in every cell",
    )
    return ImportProblem.at(message, row=cells.first_row + 1, column=column, value=reference)


def _check_archive(data: bytes, *, filename: str) -> None:
    """Refuse zip files that are damaged, are not workbooks, or would inflate too far."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        reject_file(
            _unreadable(f"damaged zip: {error}", f"压缩包已损坏: {error}"), filename=filename
        )
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" not in names:
        kind_en, kind_zh = _archive_kind(names)
        reject_file(
            Message(
                zh=f"文件是 zip 压缩包, 但不是 Excel 工作簿 ({kind_zh}); {_SAVE_AS_XLSX.zh}",
                en=f"the file is a zip archive but not an Excel workbook ({kind_en}); "
                f"{_SAVE_AS_XLSX.en}",
            ),
            filename=filename,
        )
    if sum(entry.file_size for entry in entries) > _MAX_INFLATED_BYTES:
        reject_file(
            _unreadable("it would inflate to more than 1 GiB", "解压后超过 1 GiB"),
            filename=filename,
        )


def _archive_kind(names: set[str]) -> tuple[str, str]:
    if "content.xml" in names:
        return "an OpenDocument file", "OpenDocument 文件"
    if "word/document.xml" in names:
        return "a Word document", "Word 文档"
    return "no xl/workbook.xml inside", "其中没有 xl/workbook.xml"


def _unreadable(detail_en: str, detail_zh: str) -> Message:
    return Message(
        zh=f"无法读取 Excel 工作簿 ({detail_zh}); {_SAVE_AS_XLSX.zh}",
        en=f"the Excel workbook cannot be read ({detail_en}); {_SAVE_AS_XLSX.en}",
    )


def _ignored_sheets(names: list[str]) -> tuple[ImportProblem, ...]:
    if len(names) < 2:
        return ()
    others = ", ".join(names[1:])
    message = Message(
        zh=f"只读取了第一个工作表“{names[0]}”, 其余工作表被忽略: {others}",
        en=f"only the first sheet '{names[0]}' was read; other sheets ignored: {others}",
    )
    return (ImportProblem.at(message, row=None, column=None),)
