"""The grid of cells read from a file, before any column has a meaning.

Both readers (CSV text and XLSX workbooks) produce a `RawTable` whose row i is
the row the clerk sees as row i + 1 in Excel, so every problem can point at the
right place. XLSX cells keep their types: an ID number that came back as a
number has already lost digits, and only the type tells us.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from api.importing.model import FileFormat
from api.importing.normalisation import normalise_text
from api.importing.report import ImportProblem, InvalidValue, Message

__all__ = [
    "Cell",
    "CellRange",
    "FormulaCell",
    "RawTable",
    "cell_text",
    "column_letter",
    "header_row_index",
    "is_blank",
    "shown_value",
]

Cell = (
    str
    | int
    | float
    | bool
    | datetime.date
    | datetime.datetime
    | datetime.time
    | datetime.timedelta
)


@dataclass(frozen=True)
class CellRange:
    """A rectangle of cells, 0-based and inclusive, as a workbook's merged ranges are."""

    first_row: int
    first_column: int
    last_row: int
    last_column: int

    def excel_reference(self) -> str:
        """The range as Excel writes it, e.g. A5:B6."""
        start = f"{column_letter(self.first_column)}{self.first_row + 1}"
        end = f"{column_letter(self.last_column)}{self.last_row + 1}"
        return f"{start}:{end}"


@dataclass(frozen=True)
class RawTable:
    """Every row of the file (or of the workbook's first sheet), cells as read."""

    format: FileFormat
    encoding: str | None
    rows: list[list[Cell]]
    problems: tuple[ImportProblem, ...] = ()
    warnings: tuple[ImportProblem, ...] = ()
    merged: tuple[CellRange, ...] = ()
    formulas: tuple[FormulaCell, ...] = ()
    mapping: tuple[tuple[str, str], ...] = ()  # the workbook's 列对应 sheet: (header, field)


@dataclass(frozen=True)
class FormulaCell:
    """A cell that holds a formula (0-based row and column), and the formula's text."""

    row: int
    column: int
    formula: str


def header_row_index(rows: list[list[Cell]]) -> int | None:
    """The header is the first row with anything in it (leading blank rows are tolerated)."""
    return next((i for i, row in enumerate(rows) if not all(map(is_blank, row))), None)


def column_letter(index: int) -> str:
    """Excel's name for a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def is_blank(cell: Cell) -> bool:
    """True for an empty cell (calamine reads empty cells as ''), invisible characters included."""
    return isinstance(cell, str) and not normalise_text(cell)


def cell_text(cell: Cell) -> str:
    """The text of a cell meant to hold text or a code.

    Whole numbers are accepted (an application number typed as 1001 is "1001");
    dates, times and true/false are not text a clerk meant to type here.
    """
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        raise InvalidValue(
            Message(
                zh="单元格是逻辑值 (TRUE/FALSE), 应为文本", en="the cell holds TRUE/FALSE, not text"
            )
        )
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float):
        if cell.is_integer():
            return str(int(cell))
        return repr(cell)
    raise InvalidValue(
        Message(zh="单元格是日期或时间, 应为文本", en="the cell holds a date or time, not text")
    )


def shown_value(cell: Cell) -> str:
    """A cell as it is shown back to the clerk in a problem report."""
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 1e15:
        return str(int(cell))
    return str(cell).strip()
