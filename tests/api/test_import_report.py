"""The rejection report: readable text, and a CSV a clerk opens safely in Excel."""

from __future__ import annotations

import csv
import io

import pytest

from api.importing import ImportProblem, ImportRejected


def _problem(row: int | None, value: str | None = None) -> ImportProblem:
    return ImportProblem(
        row=row,
        column=None if row is None else "身份证号",
        value=value,
        message_zh="校验位应为 7, 实际为 3",
        message_en="check digit should be 7, found 3",
    )


def test_str_lists_every_problem_in_both_languages() -> None:
    text = str(ImportRejected((_problem(12), _problem(None)), filename="list.csv"))
    assert "2 problem(s) (list.csv)" in text
    assert (
        "第12行 身份证号: 校验位应为 7, 实际为 3 / row 12, column 身份证号: "
        "check digit should be 7, found 3" in text
    )


def test_str_is_capped_but_says_how_many_are_hidden() -> None:
    text = str(ImportRejected(tuple(_problem(n) for n in range(2, 102))))
    assert "第51行" in text and "第52行" not in text
    assert "and 50 more, see the CSV report" in text


def test_csv_report_has_a_bom_and_every_problem() -> None:
    report = ImportRejected(tuple(_problem(n, "X") for n in range(2, 102))).to_csv_report()
    assert report.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(report.decode("utf-8-sig"))))
    assert rows[0] == ["行 row", "列 column", "值 value", "问题", "problem"]
    assert len(rows) == 101
    assert rows[1] == [
        "2",
        "身份证号",
        "X",
        "校验位应为 7, 实际为 3",
        "check digit should be 7, found 3",
    ]


@pytest.mark.parametrize("value", ['=HYPERLINK("http://evil")', "+1+1", "-2", "@SUM(A1)"])
def test_csv_report_defuses_formulas_from_the_uploaded_file(value: str) -> None:
    """CSV injection: a cell value echoed into the report must not run in Excel."""
    report = ImportRejected((_problem(2, value),)).to_csv_report()
    (_, row) = list(csv.reader(io.StringIO(report.decode("utf-8-sig"))))
    assert row[2] == "'" + value


def test_a_rejection_needs_a_problem() -> None:
    with pytest.raises(ValueError, match="at least one problem"):
        ImportRejected(())
