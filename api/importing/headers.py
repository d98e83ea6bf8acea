"""Which column holds what: header spellings in Chinese or English.

Headers are matched after normalisation (case, full-width forms, spaces,
underscores and hyphens ignored), so `Application No`, `application_no` and
`ＡＰＰＬＩＣＡＴＩＯＮ＿ＮＯ` are one header. Preferences come either in one column
(`志愿`, codes separated in the cell) or in numbered columns (`志愿1`, `志愿2`,
... / `preference_1`, ...), never both.

The header row is the first of the top rows with two known headers, so the title rows a
bureau's system writes above it are skipped (and said to be). A column whose header is not
known is never dropped silently: see `api.importing.column_choices`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from api.importing.column_choices import ChoiceTracker
from api.importing.model import ColumnChoices
from api.importing.normalisation import normalise_header
from api.importing.report import ImportProblem, ImportRejected, InvalidValue, Message
from api.importing.table import Cell, cell_text, column_letter, header_row_index, is_blank

__all__ = [
    "ACCEPTED_HEADERS",
    "ROW_COUNTER_HEADERS",
    "Column",
    "ColumnMap",
    "find_header_row",
    "map_columns",
]

# Field -> accepted spellings, in the order they are suggested to the clerk: the first is the
# template's, the others are what bureaus' own exports say.
ACCEPTED_HEADERS: dict[str, tuple[str, ...]] = {
    "application": ("报名号", "报名编号", "application", "application_no", "application_number"),
    "name": ("姓名", "学生姓名", "儿童姓名", "考生姓名", "幼儿姓名", "name", "student_name"),
    "id_number": (
        "身份证号",
        "身份证号码",
        "公民身份号码",
        "学生身份证号",
        "学生身份证号码",
        "儿童身份证号",
        "证件号码",
        "id_number",
    ),
    "preferences": (
        "志愿",
        "志愿学校",
        "报名学校",
        "preferences",
        "志愿1, 志愿2, ...",
        "第一志愿, 第二志愿, ...",
        "preference_1, preference_2, ...",
    ),
    "tier": ("类别", "入学类别", "户籍类别", "优先类别", "招生类别", "tier"),
    "category": ("专项类别", "优待类别", "照顾类别", "预留类别", "category"),
    "migrant": ("是否随迁子女", "随迁子女", "migrant"),
    "group": ("同胞组", "多胞胎编号", "多胞胎组", "多胞胎组号", "同胞编号", "group"),
}
# A row counter (序号) holds nothing about the child: it is left out and listed as left out.
ROW_COUNTER_HEADERS = ("序号", "row_no")
_REQUIRED = ("name", "id_number", "preferences")
_SPELLINGS = {
    normalise_header(spelling): field
    for field, spellings in ACCEPTED_HEADERS.items()
    for spelling in spellings
    if "..." not in spelling
}
_ROW_COUNTERS = {normalise_header(h) for h in ROW_COUNTER_HEADERS}
_NUMBERED_PREFERENCE = re.compile(r"(?:志愿|preference)(\w+?)(?:学校)?|第(\w+)志愿(?:学校)?")
_CHINESE_UNITS = "一二三四五六七八九"
_CHINESE_POSITIONS = {
    **{char: i for i, char in enumerate(_CHINESE_UNITS, start=1)},
    "十": 10,
    **{"十" + char: 10 + i for i, char in enumerate(_CHINESE_UNITS, start=1)},
    "二十": 20,
}


@dataclass(frozen=True)
class Column:
    """A column of the file: its 0-based position and its header as the clerk wrote it."""

    index: int
    header: str


@dataclass(frozen=True)
class ColumnMap:
    """Where each field is; `header_row` is the 0-based index of the header row.

    `ignored` lists the columns left out (row counters, and those the clerk chose to ignore);
    `mapped` the columns read under a field the clerk named: both go into the audit log.
    """

    header_row: int
    name: Column
    id_number: Column
    preferences: tuple[Column, ...]
    preferences_in_one_cell: bool
    application: Column | None
    tier: Column | None
    category: Column | None
    group: Column | None
    migrant: Column | None = None
    ignored: tuple[str, ...] = ()
    mapped: tuple[tuple[str, str], ...] = ()


def find_header_row(rows: list[list[Cell]], choices: ColumnChoices | None = None) -> int | None:
    """The header row: the first of the top rows in which at least two cells are known headers
    (title rows above it are skipped); else the first row with anything in it."""
    first = header_row_index(rows)
    if first is None:
        return None
    known = set() if choices is None else {normalise_header(h) for h in choices.mapped}
    for index in range(first, min(len(rows), first + _HEADER_SEARCH_ROWS)):
        recognised = 0
        for cell in rows[index]:
            if is_blank(cell):
                continue
            header = _written(cell)
            field, number = _field_of(header)
            if field is not None or number is not None or normalise_header(header) in known:
                recognised += 1
        if recognised >= 2:
            return index
    return first


_HEADER_SEARCH_ROWS = 20


def map_columns(
    rows: list[list[Cell]], *, header_index: int | None, choices: ColumnChoices
) -> tuple[ColumnMap, tuple[ImportProblem, ...]]:
    """Map the header row's columns to fields; returns the map and warnings.

    Raises ImportRejected listing every header problem at once: missing required columns, a
    field given twice, blank headers over data, and every column the import does not know
    that the clerk has neither mapped nor ignored (no column is ever dropped silently).
    """
    if header_index is None:
        raise ImportRejected((ImportProblem.at(_NO_ROWS, row=None, column=None),))
    row_number = header_index + 1
    header_cells = rows[header_index]
    problems = _blank_headers_over_data(rows, header_index)
    warnings = title_row_warnings(rows, header_index)
    by_field: dict[str, list[Column]] = {}
    numbered: dict[int, list[Column]] = {}
    decided = ChoiceTracker(choices, row_number=row_number)
    for index, cell in enumerate(header_cells):
        if is_blank(cell):
            continue
        column = Column(index=index, header=_written(cell))
        field, number = decided.field_of(column.header, _field_of)
        if number is not None:
            numbered.setdefault(number, []).append(column)
        elif field is not None:
            by_field.setdefault(field, []).append(column)
    problems += decided.problems()
    problems += _duplicates(by_field, numbered, row_number)
    problems += _missing(by_field, numbered, header_cells, row_number)
    preferences, in_one_cell = _preference_columns(by_field, numbered, row_number, problems)
    if problems:
        raise ImportRejected(tuple(problems))
    return (
        ColumnMap(
            header_row=header_index,
            name=by_field["name"][0],
            id_number=by_field["id_number"][0],
            preferences=preferences,
            preferences_in_one_cell=in_one_cell,
            application=_optional(by_field, "application"),
            tier=_optional(by_field, "tier"),
            category=_optional(by_field, "category"),
            group=_optional(by_field, "group"),
            migrant=_optional(by_field, "migrant"),
            ignored=decided.ignored_headers,
            mapped=decided.mapped_headers,
        ),
        tuple(warnings),
    )


_NO_ROWS = Message(
    zh="文件中没有任何内容 (找不到表头)", en="the file has no content (no header row)"
)


def title_row_warnings(rows: list[list[Cell]], header_index: int) -> list[ImportProblem]:
    """Each non-blank row above the header, read as a title and skipped (said, not silent)."""
    warnings = []
    for index in range(header_index):
        cells = [_written(cell) for cell in rows[index] if not is_blank(cell)]
        if cells:
            title = " ".join(cells)[:80]
            message = Message(
                zh=f"表头在第 {header_index + 1} 行; 第 {index + 1} 行作为标题跳过",
                en=f"the header is row {header_index + 1}; row {index + 1} was read as a title "
                "and skipped",
            )
            warnings.append(ImportProblem.at(message, row=index + 1, column=None, value=title))
    return warnings


def _written(cell: Cell) -> str:
    try:
        return cell_text(cell).strip()
    except InvalidValue:
        return str(cell)


def _field_of(header: str) -> tuple[str | None, int | None]:
    """(field, None) for a named column, (None, n) for the n-th preference column;
    the field `row_counter` for 序号."""
    key = normalise_header(header)
    if key in _ROW_COUNTERS:
        return "row_counter", None
    if key in _SPELLINGS:
        return _SPELLINGS[key], None
    match = _NUMBERED_PREFERENCE.fullmatch(key)
    if match:
        number = _position(match.group(1) or match.group(2))
        if number is not None:
            return None, number
    return None, None


def _position(text: str) -> int | None:
    """1, 2, ... written in digits, or 1..20 in Chinese numerals (第一志愿, 志愿十二)."""
    if text.isascii() and text.isdigit():
        return int(text) if int(text) >= 1 else None
    return _CHINESE_POSITIONS.get(text)


def _blank_headers_over_data(rows: list[list[Cell]], header_index: int) -> list[ImportProblem]:
    """A column with data but no header (or cells beyond the header) cannot be interpreted."""
    header = rows[header_index]
    width = max(len(row) for row in rows)
    suspects = {i for i in range(width) if i >= len(header) or is_blank(header[i])}
    flagged: set[int] = set()
    for row in rows[header_index + 1 :]:
        if not suspects:
            break
        for index in [i for i in suspects if i < len(row) and not is_blank(row[i])]:
            suspects.discard(index)
            flagged.add(index)
    return [_blank_header_problem(index, header_index + 1) for index in sorted(flagged)]


def _blank_header_problem(index: int, row_number: int) -> ImportProblem:
    cell = f"{column_letter(index)}{row_number}"
    message = Message(
        zh=f"表头单元格 {cell} 为空, 但该列有数据; 请填写表头或删除该列",
        en=f"header cell {cell} is blank but the column holds data; "
        "give it a header or delete the column",
    )
    return ImportProblem.at(message, row=row_number, column=column_letter(index))


def _duplicates(
    by_field: dict[str, list[Column]], numbered: dict[int, list[Column]], row_number: int
) -> list[ImportProblem]:
    """Two columns meaning the same thing: which one is right is the clerk's call."""
    groups = [(field, columns) for field, columns in by_field.items()]
    groups += [(f"preference {n}", columns) for n, columns in sorted(numbered.items())]
    problems = []
    for field, columns in groups:
        if len(columns) < 2:
            continue
        listed = ", ".join(f"{c.header} ({column_letter(c.index)})" for c in columns)
        message = Message(
            zh=f"多个列表示同一项 ({field}): {listed}; 只能保留一列",
            en=f"several columns mean the same field ({field}): {listed}; keep only one",
        )
        problems.append(ImportProblem.at(message, row=row_number, column=columns[1].header))
    return problems


def _missing(
    by_field: dict[str, list[Column]],
    numbered: dict[int, list[Column]],
    header_cells: list[Cell],
    row_number: int,
) -> list[ImportProblem]:
    """Each missing required column, with the headers that would be accepted for it."""
    present = set(by_field) | ({"preferences"} if numbered else set())
    found = ", ".join(_written(cell) for cell in header_cells if not is_blank(cell))
    problems = []
    for field in _REQUIRED:
        if field in present:
            continue
        accepted = " / ".join(ACCEPTED_HEADERS[field])
        message = Message(
            zh=f"缺少必填列 {ACCEPTED_HEADERS[field][0]}; 可用的表头: {accepted}; 文件中的表头: {found}",
            en=f"missing required column {field}; accepted headers: {accepted}; "
            f"headers in the file: {found}",
        )
        problems.append(ImportProblem.at(message, row=row_number, column=None))
    return problems


def _preference_columns(
    by_field: dict[str, list[Column]],
    numbered: dict[int, list[Column]],
    row_number: int,
    problems: list[ImportProblem],
) -> tuple[tuple[Column, ...], bool]:
    """The preference columns in order, and whether the codes share one cell."""
    if "preferences" in by_field and numbered:
        problems.append(ImportProblem.at(_BOTH_FORMS, row=row_number, column=None))
    if "preferences" in by_field:
        return (by_field["preferences"][0],), True
    for expected, number in enumerate(sorted(numbered), start=1):
        if number != expected:
            message = Message(
                zh=f"志愿列编号不连续: 缺少第 {expected} 志愿列",
                en=f"numbered preference columns skip a number: preference {expected} is missing",
            )
            problems.append(ImportProblem.at(message, row=row_number, column=None))
            break
    return tuple(numbered[n][0] for n in sorted(numbered)), False


_BOTH_FORMS = Message(
    zh="志愿只能用一种写法: 一列“志愿”, 或“志愿1”“志愿2”……多列, 不能同时使用",
    en="give preferences one way only: one 'preferences' column or numbered "
    "columns preference_1, preference_2, ..., not both",
)


def _optional(by_field: dict[str, list[Column]], field: str) -> Column | None:
    columns = by_field.get(field)
    return columns[0] if columns else None
