"""The draw-definition workbook's sheets, found by name in Chinese or English, and every
faulty cell recorded with its sheet and cell reference."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TypeVar

from python_calamine import CalamineError, CalamineWorkbook

from api.draw_workbook.cells import Cell, CellFault
from api.draw_workbook.layout import SETTING_KEYS, SETTINGS, SheetLayout
from api.errors import InvalidInput, Problem
from api.importing.normalisation import normalise_header, normalise_text
from api.importing.table import column_letter

__all__ = ["Book", "Place", "read_sheets"]

T = TypeVar("T")
Place = tuple[int, int, Cell]  # 0-based row and column, and the cell's value


def read_sheets(data: bytes, filename: str) -> dict[str, list[list[Cell]]]:
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            return {
                name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
                for name in workbook.sheet_names
            }
    except (CalamineError, ValueError, OSError) as error:
        raise InvalidInput(
            f"无法读取抽签定义工作簿 {filename}; 请用 lottery init 生成的 .xlsx 文件",
            f"cannot read the draw workbook {filename} ({error}); start from `lottery init`",
        ) from None


def _same(written: str, wanted: str) -> bool:
    """A sheet name or header matches by its whole text, its Chinese or its English half."""
    key = normalise_header(written)
    zh, _, en = wanted.partition(" ")
    return key in {normalise_header(wanted), normalise_header(zh), normalise_header(en)}


class Book:
    def __init__(self, sheets: dict[str, list[list[Cell]]]) -> None:
        self.sheets = sheets
        self.problems: list[Problem] = []

    def fault(
        self, sheet: str, row: int, column: int, what: str, value: Cell, f: CellFault
    ) -> None:
        cell = f"{column_letter(column)}{row + 1}"
        shown = "" if value is None else str(value).strip()
        self.problems.append(
            Problem(
                field=f"{sheet}!{cell}",
                message_zh=f"工作表“{sheet}”单元格 {cell} ({what}): {f.zh}",
                message_en=f"sheet '{sheet}' cell {cell} ({what}): {f.en}",
                row=row + 1,
                value=shown[:80] or None,
            )
        )

    def sheet(self, name: str, *, optional: bool = False) -> tuple[str, list[list[Cell]]] | None:
        for written, rows in self.sheets.items():
            if _same(written, name):
                return written, rows
        if not optional:
            self.problems.append(
                Problem(
                    field=name,
                    message_zh=f"缺少工作表“{name}”; 现有: {', '.join(self.sheets)}",
                    message_en=f"the workbook has no sheet '{name}'; it has: {', '.join(self.sheets)}",
                )
            )
        return None

    def settings(self) -> tuple[str, dict[str, Place | None]]:
        """The settings sheet's name and, per setting, where its value (column B) is."""
        found = self.sheet(SETTINGS)
        if found is None:
            return SETTINGS, {}
        name, rows = found
        places: dict[str, Place | None] = {}
        for index, row in enumerate(rows[1:], start=1):
            label = normalise_text(str(row[0])) if row and row[0] not in (None, "") else ""
            setting = next((s for s in SETTING_KEYS if label and _same(label, s.label)), None)
            if setting is not None:
                places[setting.key] = (index, 1, row[1] if len(row) > 1 else None)
        for setting in SETTING_KEYS:
            if setting.key not in places and setting.required:
                self.problems.append(
                    Problem(
                        field=f"{name}!A",
                        message_zh=f"工作表“{name}”缺少“{setting.label}”一行",
                        message_en=f"sheet '{name}' has no line '{setting.label}'",
                    )
                )
        return name, places

    def table(
        self, layout: SheetLayout, *, optional: bool = False
    ) -> tuple[str, list[dict[str, Place]]]:
        """The sheet's name and its rows as {column key: place}, blank rows skipped."""
        found = self.sheet(layout.name, optional=optional)
        if found is None:
            return layout.name, []
        name, rows = found
        header = rows[0] if rows else []
        where: dict[str, int] = {}
        for key, wanted in layout.columns:
            column = next(
                (i for i, cell in enumerate(header) if cell and _same(str(cell), wanted)), None
            )
            if column is not None:
                where[key] = column
            elif key in layout.required:
                self.problems.append(
                    Problem(
                        field=f"{name}!1",
                        message_zh=f"工作表“{name}”第 1 行缺少表头“{wanted}”",
                        message_en=f"sheet '{name}' row 1 has no header '{wanted}'",
                    )
                )
        out = []
        for index, row in enumerate(rows[1:], start=1):
            if all(cell in (None, "") for cell in row):
                continue
            out.append(
                {
                    key: (index, column, row[column] if column < len(row) else None)
                    for key, column in where.items()
                }
            )
        return name, out

    def read(self, sheet: str, place: Place, what: str, parse: Callable[[Cell], T]) -> T | None:
        """parse(value), or None after recording the fault at its cell."""
        row, column, value = place
        try:
            return parse(value)
        except CellFault as fault:
            self.fault(sheet, row, column, what, value, fault)
            return None
