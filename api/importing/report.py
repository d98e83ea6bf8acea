"""Problems found in an applicant file, and the report a clerk can open in Excel.

An import is all-or-nothing: the reader collects every problem in one pass and
raises one `ImportRejected` carrying all of them, so the clerk fixes the whole
file once instead of meeting the errors one by one. Every message is written in
Chinese and English, says where (row as Excel shows it, column header as it is
written in the file) and what was expected and what was found.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import NoReturn

__all__ = ["ImportProblem", "ImportRejected", "InvalidValue", "Message", "reject_file"]

# A report line starting with one of these is a formula to Excel ("CSV injection"):
# the value comes from the uploaded file, so it is neutralised before it is written.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# __str__ is for logs and terminals; the CSV report always holds everything.
_MAX_PROBLEMS_IN_TEXT = 50


@dataclass(frozen=True)
class Message:
    """One explanation in both languages the bureau works in."""

    zh: str
    en: str


class InvalidValue(Exception):
    """A single cell failed a check; raised by field parsers, caught per row.

    It carries one or more messages so that a cell with two faults (an ID number
    with an impossible birth date *and* a wrong check digit) reports both.
    """

    def __init__(self, *messages: Message) -> None:
        super().__init__("; ".join(message.en for message in messages))
        self.messages = messages


@dataclass(frozen=True)
class ImportProblem:
    """One problem (or warning) in an applicant file.

    `row` is 1-based as the clerk sees it in Excel (the header is usually row 1);
    `row` and `column` are None for problems about the whole file.
    """

    row: int | None
    column: str | None
    value: str | None
    message_zh: str
    message_en: str

    @classmethod
    def at(
        cls, message: Message, *, row: int | None, column: str | None, value: str | None = None
    ) -> ImportProblem:
        """Place a bilingual message at a cell, a row or (both None) the whole file."""
        return cls(
            row=row, column=column, value=value, message_zh=message.zh, message_en=message.en
        )

    def describe(self) -> str:
        """One line: '第12行 身份证号: ... / row 12, column 身份证号: ...'."""
        where_zh, where_en = self._location()
        line = f"{where_zh}{self.message_zh} / {where_en}{self.message_en}"
        if self.value is not None:
            line += f" [{self.value}]"
        return line

    def _location(self) -> tuple[str, str]:
        if self.row is not None and self.column is not None:
            return f"第{self.row}行 {self.column}: ", f"row {self.row}, column {self.column}: "
        if self.row is not None:
            return f"第{self.row}行: ", f"row {self.row}: "
        if self.column is not None:
            return f"列 {self.column}: ", f"column {self.column}: "
        return "", ""


class ImportRejected(Exception):
    """The applicant file was refused as a whole; `problems` lists every reason.

    Nothing from a rejected file is imported, so there is never a half-imported
    list to clean up.
    """

    def __init__(self, problems: tuple[ImportProblem, ...], *, filename: str | None = None) -> None:
        if not problems:
            raise ValueError("ImportRejected needs at least one problem")
        self.problems = problems
        self.filename = filename
        super().__init__(self._text())

    def __str__(self) -> str:
        return self._text()

    def _text(self) -> str:
        count = len(self.problems)
        source = f" ({self.filename})" if self.filename else ""
        lines = [f"导入被拒绝, 共 {count} 个问题 / import rejected, {count} problem(s){source}:"]
        lines += [f"  {p.describe()}" for p in self.problems[:_MAX_PROBLEMS_IN_TEXT]]
        hidden = count - _MAX_PROBLEMS_IN_TEXT
        if hidden > 0:
            lines.append(
                f"  ……另有 {hidden} 个问题, 见 CSV 报告 / ... and {hidden} more, see the CSV report"
            )
        return "\n".join(lines)

    def to_csv_report(self) -> bytes:
        """Every problem as CSV in UTF-8 with a BOM, which Excel opens without mojibake."""
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(["行 row", "列 column", "值 value", "问题", "problem"])
        for problem in self.problems:
            writer.writerow(
                [
                    "" if problem.row is None else str(problem.row),
                    _excel_safe(problem.column),
                    _excel_safe(problem.value),
                    problem.message_zh,
                    problem.message_en,
                ]
            )
        return buffer.getvalue().encode("utf-8-sig")


def reject_file(message: Message, *, filename: str | None) -> NoReturn:
    """Refuse a file for one reason that concerns the file as a whole."""
    raise ImportRejected((ImportProblem.at(message, row=None, column=None),), filename=filename)


def _excel_safe(text: str | None) -> str:
    """Quote a file-supplied value so Excel shows it instead of evaluating it."""
    if text is None:
        return ""
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text
