"""The applicant template of a draw: an Excel list whose headers the import knows and whose
school, tier and category cells offer the draw's own names in drop-down lists.

Generated from the draw's rules, so a clerk cannot pick a school or a tier the draw does not
have. The ID-number column is formatted as text (Excel would otherwise round an 18-digit
number to 15 digits). The lists live on a second sheet, 选项 lists, which the import skips.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session

from api.importing.workbook import TEMPLATE_LISTS
from api.models import Draw
from api.services.applicants import import_rules

__all__ = ["applicant_template_xlsx"]

_ROWS = 2000  # rows prepared with drop-downs and text format
_LISTS = TEMPLATE_LISTS
_CHINESE_ORDINALS = "一二三四五六七八九十"


def _preference_headers(count: int) -> list[str]:
    if count == 1:
        return ["志愿"]
    return [
        f"第{_CHINESE_ORDINALS[i]}志愿" if i < len(_CHINESE_ORDINALS) else f"志愿{i + 1}"
        for i in range(count)
    ]


def applicant_template_xlsx(session: Session, draw: Draw) -> bytes:
    """The template workbook (xlsx bytes) for `draw`."""
    rules = import_rules(session, draw)
    schools = [rules.school_names[code] for code in sorted(rules.school_names)]
    tiers: list[str] = []
    for code in sorted(rules.tier_labels):
        tiers += [label for label in rules.tier_labels[code].values() if label not in tiers]
    categories = [rules.category_labels[code] for code in sorted(rules.category_labels)]
    preferences = _preference_headers(draw.max_preferences)
    header = ["姓名", "身份证号", *preferences, "类别", "专项类别", "同胞组"]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "考生名单 applicants"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    lists = workbook.create_sheet(_LISTS)
    lists.append(["学校 schools", "类别 tiers", "专项类别 categories"])
    for index in range(max(len(schools), len(tiers), len(categories))):
        lists.append(
            [
                schools[index] if index < len(schools) else None,
                tiers[index] if index < len(tiers) else None,
                categories[index] if index < len(categories) else None,
            ]
        )
    first_preference = 3
    dropdowns = [
        (first_preference + i, "A", len(schools), "学校 school") for i in range(len(preferences))
    ]
    dropdowns.append((first_preference + len(preferences), "B", len(tiers), "类别 tier"))
    dropdowns.append((first_preference + len(preferences) + 1, "C", len(categories), "专项类别"))
    for column, source, count, title in dropdowns:
        if count:
            _dropdown(
                sheet,
                column=column,
                source=f"'{_LISTS}'!${source}$2:${source}${count + 1}",
                title=title,
            )
    for row in range(2, _ROWS + 2):
        sheet.cell(row=row, column=2).number_format = "@"
    for index, width in enumerate([12, 22, *(18 for _ in preferences), 18, 14, 10], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    lists.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _dropdown(sheet: Worksheet, *, column: int, source: str, title: str) -> None:
    letter = get_column_letter(column)
    validation = DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=title,
        error="请从下拉列表中选择 / choose from the list",
    )
    validation.add(f"{letter}2:{letter}{_ROWS + 1}")
    sheet.add_data_validation(validation)
