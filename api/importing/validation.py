"""Row by row: every cell of every applicant row is read, checked and, if bad, reported.

A fault in one cell never stops the reading of the next cell or the next row,
so the clerk sees the whole list of problems at once. A row with no fault
becomes an `ImportedApplicant`; every row, faulty or not, also yields the keys
the cross-row checks need (ID number, application number, group), so a
duplicate is found even when one of its copies has other faults.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from api.importing.fields import check_birth_window, parse_code, parse_id_number_cell, parse_name
from api.importing.headers import Column, ColumnMap
from api.importing.labels import (
    parse_category,
    parse_migrant,
    parse_school,
    parse_school_list,
    parse_tiers,
)
from api.importing.model import ImportedApplicant, ImportRules
from api.importing.normalisation import normalise_text
from api.importing.report import ImportProblem, InvalidValue, Message
from api.importing.table import Cell, cell_text, is_blank, shown_value

__all__ = ["RowKeys", "validate_rows"]

T = TypeVar("T")


@dataclass(frozen=True)
class RowKeys:
    """What the cross-row checks need from one row; None where the cell could not be read."""

    row: int
    id_number: str | None
    application: str | None
    group: str | None
    preferences: tuple[str, ...] | None
    category: str | None


def validate_rows(
    rows: list[list[Cell]], *, columns: ColumnMap, rules: ImportRules
) -> tuple[list[ImportedApplicant], list[RowKeys], list[ImportProblem]]:
    """Read every non-blank row under the header: (applicants, keys of every row, problems)."""
    applicants: list[ImportedApplicant] = []
    keys: list[RowKeys] = []
    problems: list[ImportProblem] = []
    for index in range(columns.header_row + 1, len(rows)):
        cells = rows[index]
        if all(map(is_blank, cells)):
            continue
        reader = _RowReader(index + 1, cells, problems)
        applicant, row_keys = _read_row(reader, columns=columns, rules=rules)
        keys.append(row_keys)
        if applicant is not None:
            applicants.append(applicant)
    return applicants, keys, problems


class _RowReader:
    """One row's cells; records a located problem for each cell that fails to parse."""

    def __init__(self, row_number: int, cells: list[Cell], problems: list[ImportProblem]) -> None:
        self.row_number = row_number
        self.cells = cells
        self.problems = problems
        self.fault_count = 0

    def cell(self, column: Column) -> Cell:
        """The cell under `column`; a short row (CSV) reads as empty cells."""
        return self.cells[column.index] if column.index < len(self.cells) else ""

    def read(self, column: Column, parse: Callable[[Cell], T]) -> T | None:
        """parse(cell), or None after recording its faults."""
        cell = self.cell(column)
        try:
            return parse(cell)
        except InvalidValue as invalid:
            self.report(column, *invalid.messages)
            return None

    def report(self, column: Column, *messages: Message) -> None:
        """Record faults at this row and column, showing the cell as the clerk wrote it."""
        value = shown_value(self.cell(column))
        for message in messages:
            self.problems.append(
                ImportProblem.at(message, row=self.row_number, column=column.header, value=value)
            )
        self.fault_count += len(messages)


def _read_row(
    reader: _RowReader, *, columns: ColumnMap, rules: ImportRules
) -> tuple[ImportedApplicant | None, RowKeys]:
    """One row, every field read even after an earlier field failed."""
    application = (
        reader.read(columns.application, _parse_application) if columns.application else ""
    )
    name = reader.read(columns.name, parse_name)
    id_read = reader.read(columns.id_number, parse_id_number_cell)
    if id_read is not None:
        birth_date = id_read[1].birth_date
        reader.read(columns.id_number, lambda _: check_birth_window(birth_date, rules))
    preferences = _read_preferences(reader, columns=columns, rules=rules)
    tiers: tuple[tuple[str, str], ...] | None = ()
    if columns.tier is not None and preferences is not None:
        listed = preferences
        tiers = reader.read(columns.tier, lambda c: parse_tiers(c, preferences=listed, rules=rules))
    category = _read_category(reader, columns=columns, rules=rules)
    group = reader.read(columns.group, _parse_group) if columns.group else ""
    keys = RowKeys(
        row=reader.row_number,
        id_number=id_read[0] if id_read else None,
        application=application or None,
        group=group or None,
        preferences=preferences,
        category=category,
    )
    if (
        reader.fault_count
        or application is None
        or name is None
        or id_read is None
        or preferences is None
        or tiers is None
        or category is None
        or group is None
    ):
        return None, keys
    applicant = ImportedApplicant(
        row=reader.row_number,
        application=application or None,
        name=name,
        id_number=id_read[0],
        sex=id_read[1].sex,
        birth_date=id_read[1].birth_date,
        preferences=preferences,
        tiers=tiers,
        category=category or None,
        group=group or None,
    )
    return applicant, keys


def _read_category(reader: _RowReader, *, columns: ColumnMap, rules: ImportRules) -> str | None:
    """The category column, the 是否随迁子女 column, or both when they agree."""
    category = (
        reader.read(columns.category, lambda c: parse_category(c, rules))
        if columns.category
        else ""
    )
    if columns.migrant is None or category is None:
        return category
    migrant = reader.read(columns.migrant, lambda c: parse_migrant(c, rules))
    if migrant is None:
        return None
    expected = rules.migrant_category
    if migrant and category in ("", expected):
        return expected
    if not migrant and (not category or category != expected):
        return category
    reader.report(
        columns.migrant,
        Message(
            zh=f"与专项类别“{category}”不一致: 随迁子女的专项类别应为 {expected}",
            en=f"disagrees with the category '{category}': migrant children are {expected}",
        ),
    )
    return None


def _parse_application(cell: Cell) -> str:
    if not normalise_text(cell_text(cell)):
        raise InvalidValue(
            Message(
                zh="报名号为空: 请为每一行填写报名号, 或删除整列由系统编号",
                en="the application number is empty: fill it on every row, "
                "or delete the column and let the system number the applicants",
            )
        )
    return parse_code(cell)


def _parse_group(cell: Cell) -> str:
    return parse_code(cell) if normalise_text(cell_text(cell)) else ""


def _read_preferences(
    reader: _RowReader, *, columns: ColumnMap, rules: ImportRules
) -> tuple[str, ...] | None:
    """The row's school codes in order of preference, or None if any fault was found."""
    faults_before = reader.fault_count
    if columns.preferences_in_one_cell:
        column = columns.preferences[0]
        schools = reader.read(column, lambda cell: _preference_list(cell, rules))
    else:
        schools = _preferences_in_columns(reader, columns.preferences, rules)
    return schools if reader.fault_count == faults_before else None


def _preference_list(cell: Cell, rules: ImportRules) -> tuple[str, ...]:
    """One cell listing school codes; every fault in the list is reported together."""
    faults: list[Message] = []
    schools: list[str] = []
    for code in parse_school_list(cell, rules):
        try:
            school = parse_school(code, rules)
        except InvalidValue as invalid:
            faults.extend(invalid.messages)
            continue
        if school in schools:
            faults.append(_repeated(school))
        schools.append(school)
    if not schools and not faults:
        faults.append(_NO_PREFERENCE)
    if len(schools) > rules.max_preferences:
        faults.append(_too_many(len(schools), rules.max_preferences))
    if faults:
        raise InvalidValue(*faults)
    return tuple(schools)


def _preferences_in_columns(
    reader: _RowReader, columns: tuple[Column, ...], rules: ImportRules
) -> tuple[str, ...]:
    """Numbered preference columns: filled left to right, no gaps, no repeats."""
    schools: list[str] = []
    filled = 0
    gap: Column | None = None
    for column in columns:
        if is_blank(reader.cell(column)):
            gap = gap or column
            continue
        filled += 1
        if gap is not None:
            reader.report(gap, _gap(gap.header, column.header))
            gap = None
        if filled == rules.max_preferences + 1:
            reader.report(column, _too_many(_count_filled(reader, columns), rules.max_preferences))
        school = reader.read(
            column, lambda cell: parse_school(normalise_text(cell_text(cell)), rules)
        )
        if school is not None and school in schools:
            reader.report(column, _repeated(school))
        if school is not None:
            schools.append(school)
    if filled == 0:
        reader.report(columns[0], _NO_PREFERENCE)
    return tuple(schools)


def _count_filled(reader: _RowReader, columns: tuple[Column, ...]) -> int:
    return sum(not is_blank(reader.cell(column)) for column in columns)


_NO_PREFERENCE = Message(zh="没有填写任何志愿学校", en="no school is listed as a preference")


def _repeated(school: str) -> Message:
    return Message(zh=f"志愿学校 {school} 重复", en=f"school {school} is listed twice")


def _too_many(count: int, limit: int) -> Message:
    return Message(
        zh=f"志愿过多: 填写了 {count} 个, 最多 {limit} 个",
        en=f"too many preferences: {count} listed, at most {limit} allowed",
    )


def _gap(empty: str, later: str) -> Message:
    return Message(
        zh=f"{empty} 为空, 但后面的 {later} 有内容; 志愿须从第一列起连续填写",
        en=f"{empty} is empty but {later} is filled; fill preferences from the first column on",
    )
