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

from api.importing.formulas import formula_cells
from api.importing.report import ImportProblem, Message, reject_file
from api.importing.table import (
    Cell,
    CellRange,
    FormulaCell,
    RawTable,
    column_letter,
    is_blank,
    shown_value,
)

__all__ = ["TEMPLATE_LISTS", "cell_problems", "read_workbook"]

# Checked on the sizes the zip declares before calamine inflates anything, so
# a small "zip bomb" is refused at once. A 150,000-row sheet inflates to ~100 MB.
_MAX_INFLATED_BYTES = 1 << 30
_SAVE_AS_XLSX = Message(
    zh="请在 Excel 中重新另存为 .xlsx 工作簿", en="save it again from Excel as an .xlsx workbook"
)


def read_workbook(data: bytes, *, filename: str) -> RawTable:
    """Cells of the first sheet; row i of the result is Excel row i + 1 (A1 is rows[0][0]).

    A sheet named 列对应 (or `mapping`) is read as the clerk's column choices; merged ranges
    and formula cells are kept so that the reader can report them against the header.
    """
    _check_archive(data, filename=filename)
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            names = workbook.sheet_names
            if not names:
                reject_file(_unreadable("no worksheet", "没有工作表"), filename=filename)
            sheet = workbook.get_sheet_by_index(0)
            rows: list[list[Cell]] = sheet.to_python(skip_empty_area=False)
            ranges = sheet.merged_cell_ranges or []
            mapping_name = next((n for n in names[1:] if _is_mapping_sheet(n)), None)
            mapping_rows: list[list[Cell]] = (
                []
                if mapping_name is None
                else workbook.get_sheet_by_name(mapping_name).to_python(skip_empty_area=False)
            )
    except (CalamineError, ValueError, OSError) as error:
        reject_file(_unreadable(str(error), str(error)), filename=filename)
    merged = tuple(
        CellRange(first_row=r0, first_column=c0, last_row=r1, last_column=c1)
        for (r0, c0), (r1, c1) in ranges
    )
    return RawTable(
        format="xlsx",
        encoding=None,
        rows=rows,
        warnings=_ignored_sheets([n for n in names if n not in (mapping_name, TEMPLATE_LISTS)]),
        merged=merged,
        formulas=formula_cells(data),
        mapping=_mapping_pairs(mapping_rows),
    )


# The drop-down lists of the applicant template (api.services.applicant_template): not data.
TEMPLATE_LISTS = "选项 lists"
_MAPPING_SHEETS = ("列对应", "mapping", "列对应mapping", "columnmapping")


def _is_mapping_sheet(name: str) -> bool:
    return "".join(name.split()).casefold() in _MAPPING_SHEETS


def _mapping_pairs(rows: list[list[Cell]]) -> tuple[tuple[str, str], ...]:
    """(header, field) pairs of a mapping sheet: column A the file's header, column B the field
    (or 忽略 / ignore); a first row reading 表头 / header is a heading."""
    pairs = []
    for row in rows:
        cells = [shown_value(cell) for cell in row[:2]] + ["", ""]
        header, field = cells[0], cells[1]
        if not header or header.startswith(("表头", "header")):
            continue
        pairs.append((header, field))
    return tuple(pairs)


def cell_problems(
    table: RawTable, header_index: int | None
) -> tuple[tuple[ImportProblem, ...], tuple[ImportProblem, ...]]:
    """(merged, formulas): merged blocks at or below the header and formula cells below it,
    each located under its column's header. A merged title above the header is fine."""
    rows = table.rows
    header = [] if header_index is None else rows[header_index]
    start = 0 if header_index is None else header_index
    merged = tuple(
        _merged_cell_problem(
            cells, header, below_header=header_index is not None and cells.first_row > header_index
        )
        for cells in table.merged
        if cells.last_row >= start
    )
    formulas = tuple(
        _formula_problem(cell, header)
        for cell in table.formulas[:_FORMULAS_LISTED]
        if header_index is None or cell.row >= header_index
    )
    return merged, formulas


_FORMULAS_LISTED = 200


def _formula_problem(cell: FormulaCell, header: list[Cell]) -> ImportProblem:
    column = column_letter(cell.column)
    if cell.column < len(header) and not is_blank(header[cell.column]):
        column = shown_value(header[cell.column])
    reference = f"{column_letter(cell.column)}{cell.row + 1}"
    message = Message(
        zh=f"单元格 {reference} 是公式 (={cell.formula}), 不是填写的内容; 导入只接受值: "
        "请复制该列, 用“选择性粘贴 → 数值”粘贴回去后再导入",
        en=f"cell {reference} holds a formula (={cell.formula}), not a typed value; the import "
        "takes values only: copy the column and Paste Special -> Values, then import again",
    )
    return ImportProblem.at(message, row=cell.row + 1, column=column, value=reference)


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
