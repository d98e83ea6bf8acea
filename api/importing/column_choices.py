"""No column is dropped silently: every header is known, mapped by the clerk, or ignored by
the clerk; anything else refuses the import, naming the column and saying how to decide.

A column the draw may need (a tier, a category, a group of twins) written under a header the
import does not know would otherwise vanish, and every child would be drawn in the last tier,
twins apart. The clerk's choices come from `ColumnChoices` (command line, API, or the
workbook's `列对应 mapping` sheet) and are reported back so the audit log records them.
"""

from __future__ import annotations

from collections.abc import Callable

from api.importing.model import ColumnChoices
from api.importing.normalisation import normalise_header
from api.importing.report import ImportProblem, Message

__all__ = ["FIELD_NAMES", "IGNORE_WORDS", "ChoiceTracker"]

Resolver = Callable[[str], tuple[str | None, int | None]]

# The fields a column can be mapped to, as offered to the clerk.
FIELD_NAMES = (
    "报名号 application",
    "姓名 name",
    "身份证号 id_number",
    "志愿 preferences (或 志愿1, 志愿2 ... / preference_1 ...)",
    "类别 tier",
    "专项类别 category",
    "是否随迁子女 migrant",
    "同胞组 group",
)
IGNORE_WORDS = frozenset({"ignore", "忽略", "不导入", "skip"})
# Words in a header that suggest the draw needs the column (tier, category, group).
_NEEDED_HINTS = ("类", "组", "胎", "随迁", "优待", "优先", "专项", "志愿", "学校", "户籍", "房产")


class ChoiceTracker:
    """Applies the clerk's choices to each header, and collects what remains undecided."""

    def __init__(self, choices: ColumnChoices, *, row_number: int) -> None:
        self._mapped = {normalise_header(k): (k, v) for k, v in choices.mapped.items()}
        self._ignored = {normalise_header(h): h for h in choices.ignored}
        self._row = row_number
        self._used: set[str] = set()
        self._problems: list[ImportProblem] = []
        self._ignored_headers: list[str] = []
        self._mapped_headers: list[tuple[str, str]] = []

    @property
    def ignored_headers(self) -> tuple[str, ...]:
        return tuple(self._ignored_headers)

    @property
    def mapped_headers(self) -> tuple[tuple[str, str], ...]:
        return tuple(self._mapped_headers)

    def field_of(self, header: str, resolve: Resolver) -> tuple[str | None, int | None]:
        """The field (or preference number) of a header, None, None for a column left out."""
        key = normalise_header(header)
        if key in self._ignored:
            self._used.add(key)
            self._ignored_headers.append(header)
            return None, None
        if key in self._mapped:
            self._used.add(key)
            return self._chosen(header, self._mapped[key][1], resolve)
        field, number = resolve(header)
        if field == "row_counter":
            self._ignored_headers.append(header)
            return None, None
        if field is None and number is None:
            self._problems.append(_unknown(header, row=self._row))
        return field, number

    def _chosen(self, header: str, target: str, resolve: Resolver) -> tuple[str | None, int | None]:
        if normalise_header(target) in IGNORE_WORDS:
            self._ignored_headers.append(header)
            return None, None
        field, number = resolve(target)
        if field == "row_counter" or (field is None and number is None):
            message = Message(
                zh=f"列对应中“{header}”对应的字段“{target}”无效; 可用字段: {', '.join(FIELD_NAMES)}",
                en=f"the mapping gives column '{header}' the unknown field '{target}'; "
                f"fields: {', '.join(FIELD_NAMES)}",
            )
            self._problems.append(ImportProblem.at(message, row=self._row, column=header))
            return None, None
        self._mapped_headers.append((header, field or f"preference_{number}"))
        return field, number

    def problems(self) -> list[ImportProblem]:
        """Undecided columns, and choices that name a column the file does not have."""
        missing = [
            original
            for key, original in [
                *((k, v[0]) for k, v in self._mapped.items()),
                *self._ignored.items(),
            ]
            if key not in self._used
        ]
        extra = [
            ImportProblem.at(
                Message(
                    zh=f"列对应或忽略的列“{header}”不在文件的表头中 (第 {self._row} 行)",
                    en=f"the mapping or ignore list names column '{header}', which is not in "
                    f"the header (row {self._row})",
                ),
                row=self._row,
                column=header,
            )
            for header in missing
        ]
        return [*self._problems, *extra]


def _unknown(header: str, *, row: int) -> ImportProblem:
    needed = any(word in header for word in _NEEDED_HINTS)
    hint_zh = "该列可能是抽签需要的类别、专项类别或同胞组; " if needed else ""
    hint_en = "it may hold a tier, category or group the draw needs; " if needed else ""
    message = Message(
        zh=f"无法识别的列“{header}”, 导入不会丢弃任何列: {hint_zh}"
        f"请在“列对应”表中或用 --map “{header}=字段” 指明它对应的字段, "
        f"或用 --ignore “{header}” 明确忽略. 可用字段: {', '.join(FIELD_NAMES)}",
        en=f"unknown column '{header}'; no column is ever dropped: {hint_en}"
        f"map it to a field (mapping sheet, or --map '{header}=FIELD') "
        f"or ignore it explicitly (--ignore '{header}'). Fields: {', '.join(FIELD_NAMES)}",
    )
    return ImportProblem.at(message, row=row, column=header)
