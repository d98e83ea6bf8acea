"""Checks across rows: one child once, one application number once, groups that agree.

Duplicates are reported on every row involved, each naming the others, so the
clerk can see which copy to keep. Siblings and twins applying together (a
group) are placed together by the draw, which only makes sense if they ask for
the same schools in the same order and the same reserved-seat category.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from api.importing.headers import ColumnMap
from api.importing.report import ImportProblem, Message
from api.importing.validation import RowKeys

__all__ = ["cross_row_problems"]

# Rows named in one message; a clerk does not read a list of a thousand rows.
_ROWS_LISTED = 10


def cross_row_problems(
    keys: list[RowKeys], *, columns: ColumnMap
) -> tuple[list[ImportProblem], list[ImportProblem]]:
    """(problems, warnings) about duplicates and groups."""
    problems = _duplicates(keys, lambda k: k.id_number, columns.id_number.header, _same_id)
    if columns.application is not None:
        problems += _duplicates(
            keys, lambda k: k.application, columns.application.header, _same_application
        )
    warnings: list[ImportProblem] = []
    if columns.group is not None:
        group_column = columns.group.header
        for group, members in _by(keys, lambda k: k.group).items():
            if len(members) == 1:
                warnings.append(
                    ImportProblem.at(
                        _lone(group), row=members[0].row, column=group_column, value=group
                    )
                )
                continue
            problems += _disagreements(group, members, group_column)
    return problems, warnings


def _by(keys: list[RowKeys], key: Callable[[RowKeys], str | None]) -> dict[str, list[RowKeys]]:
    grouped: dict[str, list[RowKeys]] = defaultdict(list)
    for row_keys in keys:
        value = key(row_keys)
        if value is not None:
            grouped[value].append(row_keys)
    return grouped


def _duplicates(
    keys: list[RowKeys],
    key: Callable[[RowKeys], str | None],
    column: str,
    message: Callable[[str], Message],
) -> list[ImportProblem]:
    problems = []
    for value, rows in _by(keys, key).items():
        if len(rows) < 2:
            continue
        for row_keys in rows:
            others = _row_list(row_keys, rows)
            problems.append(
                ImportProblem.at(message(others), row=row_keys.row, column=column, value=str(value))
            )
    return problems


def _disagreements(group: str, members: list[RowKeys], column: str) -> list[ImportProblem]:
    """Every member of a group that disagrees on preferences or category is told so."""
    problems = []
    fields: list[tuple[str, str, Callable[[RowKeys], str | None]]] = [
        (
            "志愿",
            "preferences",
            lambda k: None if k.preferences is None else ";".join(k.preferences),
        ),
        ("专项类别", "category", lambda k: k.category),
    ]
    for label_zh, label_en, value_of in fields:
        read = [(m.row, value_of(m)) for m in members if value_of(m) is not None]
        if len({value for _, value in read}) < 2:
            continue
        listed = "; ".join(f"{row}: {value or '-'}" for row, value in read[:_ROWS_LISTED])
        message = Message(
            zh=f"同胞组 {group} 的成员{label_zh}不一致 (行号: 值) {listed}",
            en=f"members of group {group} differ in {label_en} (row: value) {listed}",
        )
        problems += [
            ImportProblem.at(message, row=row, column=column, value=str(group)) for row, _ in read
        ]
    return problems


def _row_list(this: RowKeys, rows: list[RowKeys]) -> str:
    """The other rows of a duplicate set, at most _ROWS_LISTED of them (linear, never quadratic)."""
    others = [r.row for r in rows[: _ROWS_LISTED + 1] if r is not this][:_ROWS_LISTED]
    more = len(rows) - 1 - len(others)
    listed = ", ".join(str(row) for row in others)
    return f"{listed} (+{more})" if more > 0 else listed


def _same_id(others: str) -> Message:
    return Message(
        zh=f"身份证号重复, 与第 {others} 行相同", en=f"duplicate ID number, also in row(s) {others}"
    )


def _same_application(others: str) -> Message:
    return Message(
        zh=f"报名号重复, 与第 {others} 行相同",
        en=f"duplicate application number, also in row(s) {others}",
    )


def _lone(group: str) -> Message:
    return Message(
        zh=f"同胞组 {group} 只有一名成员; 请检查组号是否填错",
        en=f"group {group} has a single member; check the group code",
    )
