"""Header problems: missing, doubled, blank over data, two preference forms."""

from __future__ import annotations

import pytest
from import_corpus.builders import HEADER_ZH, RULES, applicant_row, csv_bytes, make_id, xlsx_bytes

from api.importing import ImportProblem, ImportRejected, read_applicant_bytes


def _problems(data: bytes, filename: str = "x.csv") -> tuple[ImportProblem, ...]:
    with pytest.raises(ImportRejected) as caught:
        read_applicant_bytes(data, filename=filename, draw_rules=RULES)
    return caught.value.problems


def test_every_missing_required_column_is_named_with_accepted_headers() -> None:
    problems = _problems(csv_bytes([["报名号", "备注"], ["A1", "x"]]))
    assert len(problems) == 4
    assert "unknown column '备注'" in problems[0].message_en
    missing = [p.message_en for p in problems[1:]]
    assert any("missing required column name" in m and "姓名 / name" in m for m in missing)
    assert any("missing required column id_number" in m and "身份证号" in m for m in missing)
    assert any("missing required column preferences" in m and "志愿1" in m for m in missing)
    assert all(p.row == 1 for p in problems)
    assert all("报名号, 备注" in m for m in missing), "headers found in the file are listed"


def test_same_field_in_two_languages_is_a_duplicate_header() -> None:
    header = ["姓名", "身份证号", "志愿", "Name"]
    (problem,) = _problems(csv_bytes([header, ["张三", make_id(), "S01", "张三"]]))
    assert (problem.row, problem.column) == (1, "Name")
    assert "姓名 (A), Name (D)" in problem.message_en


def test_both_preference_forms_at_once() -> None:
    header = ["姓名", "身份证号", "志愿", "志愿1"]
    (problem,) = _problems(csv_bytes([header, ["张三", make_id(), "S01", "S01"]]))
    assert "not both" in problem.message_en


def test_numbered_preference_columns_must_not_skip_a_number() -> None:
    header = ["姓名", "身份证号", "志愿1", "志愿3"]
    (problem,) = _problems(csv_bytes([header, ["张三", make_id(), "S01", "S02"]]))
    assert "preference 2 is missing" in problem.message_en


def test_blank_header_over_data_is_an_error_in_csv() -> None:
    rows = [[*HEADER_ZH, ""], [*applicant_row(), "something"]]
    (problem,) = _problems(csv_bytes(rows))
    assert (problem.row, problem.column) == (1, "H")
    assert "header cell H1 is blank" in problem.message_en


def test_cells_beyond_the_header_are_an_error() -> None:
    rows = [HEADER_ZH, [*applicant_row(), "", "stray"]]
    (problem,) = _problems(csv_bytes(rows))
    assert problem.column == "I"


def test_trailing_blank_header_without_data_is_fine() -> None:
    rows = [[*HEADER_ZH, "", ""], [*applicant_row(), "", ""]]
    result = read_applicant_bytes(csv_bytes(rows), filename="x.csv", draw_rules=RULES)
    assert len(result.rows) == 1


def test_blank_header_in_xlsx() -> None:
    header = ["姓名", None, "身份证号", "志愿"]
    (problem,) = _problems(xlsx_bytes([header, ["张三", "?", make_id(), "S01"]]), "x.xlsx")
    assert "header cell B1 is blank" in problem.message_en


def test_merged_header_cells_are_reported_as_merged() -> None:
    header = ["姓名", "身份证号", "志愿", None]
    data = xlsx_bytes([header, ["张三", make_id(), "S01", "S02"]], merge="C1:D1")
    problems = _problems(data, "x.xlsx")
    merged = [p for p in problems if "merged" in p.message_en]
    assert [(p.row, p.value) for p in merged] == [(1, "C1:D1")]
