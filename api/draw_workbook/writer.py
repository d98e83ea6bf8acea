"""`lottery init`: a filled-in draw-definition workbook that the clerk edits, not a blank form.

The example is a county's draw as bureaus run them: three primary schools, a first and a
second choice (平行志愿), three residence tiers per school, seats reserved for migrant children
(随迁子女), twins who apply together. Every text cell is written as text (never a formula),
dates as dates, and a 说明 guide sheet says what each sheet is for.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from api.draw_workbook.layout import (
    CATEGORIES,
    RESERVED,
    SCHOOLS,
    SETTING_KEYS,
    SETTINGS,
    TIERS,
    SheetLayout,
)

__all__ = ["draw_template_xlsx"]

_EXAMPLE_SETTINGS: dict[str, object] = {
    "id": "XQ-2026-XX01",
    "title": "某县 2026 年小学一年级电脑派位",
    "mode": "平行志愿",
    "max_preferences": 2,
    "tie_breaking": "统一随机号",
    "min_reveals": 2,
    "birth_date_from": datetime.date(2019, 9, 1),
    "birth_date_to": datetime.date(2020, 8, 31),
    "beacon_source": "drand:52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    "beacon_round": "40000000",  # quicknet, 2027-06-12T12:29:24Z
    "beacon_format": "hex64",
    "sealing_announcement": "县教育局网站“阳光招生”专栏及教育局一楼公告栏 (封存当日)",
}
_EXAMPLE_SCHOOLS = (
    ("S01", "第一小学", 90, "小学", 2, 45, "分开"),
    ("S02", "实验小学", 90, "小学", 2, 45, "分开"),
    ("S03", "城南小学", 45, "小学", None, None, None),
)
_TIER_LABELS = (("T1", "户籍+房产一致"), ("T2", "仅户籍"), ("T3", "居住证"))
_EXAMPLE_CATEGORIES = (("MIG", "随迁子女"),)
_EXAMPLE_RESERVED = (("S01", "MIG", 9), ("S02", "MIG", 9), ("S03", "MIG", 4))
_GUIDE = (
    ("说明 guide", ""),
    ("本工作簿定义一次摇号; 修改示例后运行 lottery create 本文件", "edit the example, then run"),
    ("", "lottery create THIS_FILE"),
    ("抽签设置: 每行一项, 在 B 列填写", "settings: one per line, value in column B"),
    ("学校: 每行一所学校", "schools: one line per school"),
    ("优先类别: 每校的类别从高到低依次列出 (先列的优先)", "tiers: best first, per school"),
    ("专项类别: 可预留名额的类别, 如随迁子女", "categories that may have reserved seats"),
    ("预留名额: 某校为某专项类别预留的名额", "reserved seats of a school for a category"),
    ("代码只能用字母、数字、点、下划线和横线", "codes: letters, digits, . _ -"),
    ("出错时会指出工作表、单元格和原因", "errors name the sheet, the cell and the reason"),
)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def draw_template_xlsx() -> bytes:
    """The filled-in example workbook (xlsx bytes)."""
    workbook = Workbook()
    settings = workbook.active
    assert settings is not None
    settings.title = SETTINGS
    _settings_sheet(settings)
    tiers = [
        (school[0], code, label) for school in _EXAMPLE_SCHOOLS for code, label in _TIER_LABELS
    ]
    for layout, rows in (
        (SCHOOLS, _EXAMPLE_SCHOOLS),
        (TIERS, tiers),
        (CATEGORIES, _EXAMPLE_CATEGORIES),
        (RESERVED, _EXAMPLE_RESERVED),
    ):
        _list_sheet(workbook.create_sheet(layout.name), layout, rows)
    guide = workbook.create_sheet("说明 guide")
    for zh, en in _GUIDE:
        guide.append([zh, en])
    guide.column_dimensions["A"].width = 52
    guide.column_dimensions["B"].width = 48
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _settings_sheet(sheet: Worksheet) -> None:
    sheet.append(["项目 item", "值 value", "说明 note"])
    for setting in SETTING_KEYS:
        value = _EXAMPLE_SETTINGS.get(setting.key)
        sheet.append([setting.label, value, setting.note])
        cell = sheet.cell(row=sheet.max_row, column=2)
        if isinstance(value, datetime.date):
            cell.number_format = "yyyy-mm-dd"
        elif isinstance(value, str):
            cell.number_format = "@"
    _style_header(sheet, widths=(34, 44, 60))


def _list_sheet(sheet: Worksheet, layout: SheetLayout, rows: Sequence[Sequence[object]]) -> None:
    sheet.append([header for _, header in layout.columns])
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.number_format = "@"
    _style_header(sheet, widths=tuple(22 for _ in layout.columns))


def _style_header(sheet: Worksheet, *, widths: tuple[int, ...]) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(wrap_text=True)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
