"""Row checks: each fault located by row, column and value, every faulty row reported."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from import_corpus.builders import (
    HEADER_ZH,
    RULES,
    applicant_row,
    csv_bytes,
    make_id,
    wrong_check,
    xlsx_bytes,
)

from api.importing import ImportProblem, ImportRejected, read_applicant_bytes


def _problems(rows: Sequence[Sequence[object]], *, xlsx: bool = False) -> list[ImportProblem]:
    data = xlsx_bytes(rows) if xlsx else csv_bytes(rows)
    with pytest.raises(ImportRejected) as caught:
        read_applicant_bytes(data, filename="x.xlsx" if xlsx else "x.csv", draw_rules=RULES)
    return list(caught.value.problems)


def _where(problems: list[ImportProblem], fragment: str) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.column) for p in problems if fragment in p.message_en]


def _ids(count: int) -> list[str]:
    return [make_id(sequence=f"{n:03d}") for n in range(count)]


def test_bad_check_digit_on_every_row_is_reported() -> None:
    ids = _ids(5)
    rows: list[Sequence[object]] = [HEADER_ZH]
    for n, id_number in enumerate(ids):
        bad = wrong_check(id_number) if n % 2 == 0 else id_number
        rows.append(applicant_row(id_number=bad, application=f"A{n}"))
    problems = _problems(rows)
    assert _where(problems, "check digit should be") == [
        (2, "身份证号"),
        (4, "身份证号"),
        (6, "身份证号"),
    ]
    first = problems[0]
    assert first.value == wrong_check(ids[0])
    assert f"校验位应为 {ids[0][17]}, 实际为 {wrong_check(ids[0])[17]}" in first.message_zh
    assert first.describe().startswith("第2行 身份证号: 校验位应为")
    assert " / row 2, column 身份证号: check digit should be" in first.describe()


def test_impossible_birth_date() -> None:
    rows: list[Sequence[object]] = [HEADER_ZH, applicant_row(id_number=make_id(birth="20130229"))]
    assert _where(_problems(rows), "20130229, is not a real date") == [(2, "身份证号")]


def test_birth_date_outside_the_window_names_the_range() -> None:
    rows: list[Sequence[object]] = [
        HEADER_ZH,
        applicant_row(id_number=make_id(birth="20120831"), application="A1"),
        applicant_row(id_number=make_id(birth="20120901"), application="A2"),
        applicant_row(id_number=make_id(birth="20130831"), application="A3"),
        applicant_row(id_number=make_id(birth="20130901"), application="A4"),
    ]
    problems = _problems(rows)
    assert _where(problems, "outside the eligible range 2012-09-01 to 2013-08-31") == [
        (2, "身份证号"),
        (5, "身份证号"),
    ]


def test_id_stored_as_a_number_in_xlsx() -> None:
    row: list[object] = list(applicant_row())
    row[2] = 110105201303071230
    problems = _problems([HEADER_ZH, row], xlsx=True)
    (problem,) = problems
    assert (problem.row, problem.column) == (2, "身份证号")
    assert "format the column as Text" in problem.message_en
    assert "文本" in problem.message_zh


def test_duplicate_id_reports_every_copy() -> None:
    same = make_id()
    rows: list[Sequence[object]] = [
        HEADER_ZH,
        applicant_row(id_number=same, application="A1"),
        applicant_row(id_number=make_id(sequence="200"), application="A2"),
        applicant_row(id_number=same, application="A3", preferences="S09"),
    ]
    problems = _problems(rows)
    duplicates = [p for p in problems if "duplicate ID" in p.message_en]
    assert [(p.row, p.column) for p in duplicates] == [(2, "身份证号"), (4, "身份证号")]
    assert "also in row(s) 4" in duplicates[0].message_en
    assert "also in row(s) 2" in duplicates[1].message_en
    assert _where(problems, "unknown school code S09") == [(4, "志愿")], "other faults too"


def test_duplicate_application_number() -> None:
    rows: list[Sequence[object]] = [
        HEADER_ZH,
        applicant_row(id_number=make_id(sequence="100"), application="A1"),
        applicant_row(id_number=make_id(sequence="101"), application="A1"),
    ]
    assert _where(_problems(rows), "duplicate application number") == [(2, "报名号"), (3, "报名号")]


def test_empty_application_when_the_column_exists() -> None:
    rows: list[Sequence[object]] = [HEADER_ZH, applicant_row(application="")]
    assert _where(_problems(rows), "application number is empty") == [(2, "报名号")]


def test_empty_required_fields_are_each_reported() -> None:
    rows: list[Sequence[object]] = [HEADER_ZH, ["A1", "", "", "", "", "", ""]]
    problems = _problems(rows)
    assert _where(problems, "the name is empty") == [(2, "姓名")]
    assert _where(problems, "the ID number is empty") == [(2, "身份证号")]
    assert _where(problems, "no school is listed") == [(2, "志愿")]


@pytest.mark.parametrize(
    ("preferences", "fragment"),
    [
        ("S01;S09", "unknown school code S09"),
        ("s01", "unknown school code s01; did you mean S01?"),
        ("S01;S02;S01", "school S01 is listed twice"),
        ("S01;S02;S03;S01", "too many preferences: 4 listed, at most 3"),
        ("S01;S 0 2", "unknown school code S"),
        ("S01;学校", "invalid code '学校'"),
    ],
)
def test_malformed_preferences(preferences: str, fragment: str) -> None:
    rows: list[Sequence[object]] = [HEADER_ZH, applicant_row(preferences=preferences)]
    assert _where(_problems(rows), fragment) == [(2, "志愿")]


def test_numbered_preferences_with_a_gap_and_a_repeat() -> None:
    header = ["姓名", "身份证号", "志愿1", "志愿2", "志愿3"]
    rows: list[Sequence[object]] = [
        header,
        ["张三", make_id(sequence="100"), "S01", "", "S02"],
        ["李四", make_id(sequence="101"), "S01", "S01", ""],
    ]
    problems = _problems(rows)
    assert _where(problems, "志愿2 is empty but 志愿3 is filled") == [(2, "志愿2")]
    assert _where(problems, "school S01 is listed twice") == [(3, "志愿2")]


@pytest.mark.parametrize(
    ("tier", "fragment"),
    [
        ("T3", "tier T3 is not a tier of school S01; allowed: T1, T2"),
        ("S01:T9", "tier T9 is not a tier of school S01"),
        ("S01:T1;S03:T1", "a tier is given for school S03, which is not among the preferences"),
        ("S01:T1;S01:T2", "school S01 is given a tier twice"),
        ("T1;T2", "give one tier code"),
        ("S01:T1;T2", "give one tier code"),
    ],
)
def test_tier_problems(tier: str, fragment: str) -> None:
    rows: list[Sequence[object]] = [HEADER_ZH, applicant_row(preferences="S01;S02", tier=tier)]
    assert _where(_problems(rows), fragment) == [(2, "类别")]


def test_single_tier_unknown_for_one_of_the_schools() -> None:
    rows: list[Sequence[object]] = [HEADER_ZH, applicant_row(preferences="S01;S02", tier="T2")]
    problems = _problems(rows)
    assert _where(problems, "tier T2 is not a tier of school S02") == [(2, "类别")]
    assert len(problems) == 1


def test_unknown_category() -> None:
    rows: list[Sequence[object]] = [HEADER_ZH, applicant_row(category="VIP")]
    assert _where(_problems(rows), "unknown category VIP; allowed: MIL, SIB") == [(2, "专项类别")]


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("张?", "a character was lost"),
        ("张三3", "cannot contain digits"),
        ("x" * 65, "too long"),
    ],
)
def test_bad_names(name: str, fragment: str) -> None:
    rows: list[Sequence[object]] = [HEADER_ZH, applicant_row(name=name)]
    assert _where(_problems(rows), fragment) == [(2, "姓名")]


def test_group_members_must_agree_on_preferences_and_category() -> None:
    rows: list[Sequence[object]] = [
        HEADER_ZH,
        applicant_row(id_number=make_id(sequence="100"), application="A1", group="G1"),
        applicant_row(
            id_number=make_id(sequence="101"), application="A2", group="G1", preferences="S02;S01"
        ),
        applicant_row(
            id_number=make_id(sequence="102"), application="A3", group="G1", category="SIB"
        ),
        applicant_row(id_number=make_id(sequence="103"), application="A4", group="G2"),
        applicant_row(id_number=make_id(sequence="104"), application="A5", group="G2"),
    ]
    problems = _problems(rows)
    assert _where(problems, "members of group G1 differ in preferences") == [
        (2, "同胞组"),
        (3, "同胞组"),
        (4, "同胞组"),
    ]
    assert _where(problems, "members of group G1 differ in category") == [
        (2, "同胞组"),
        (3, "同胞组"),
        (4, "同胞组"),
    ]
    assert "3: S02;S01" in problems[0].message_en
    assert not _where(problems, "G2")


def test_merged_cells_in_data_rows_are_reported() -> None:
    rows: list[Sequence[object]] = [
        HEADER_ZH,
        applicant_row(id_number=make_id(sequence="100"), application="A1", preferences="S01"),
        applicant_row(id_number=make_id(sequence="101"), application="A2", preferences=""),
    ]
    data = xlsx_bytes(rows, merge="D2:D3")
    with pytest.raises(ImportRejected) as caught:
        read_applicant_bytes(data, filename="x.xlsx", draw_rules=RULES)
    problems = list(caught.value.problems)
    assert _where(problems, "cells D2:D3 are merged") == [(2, "志愿")]
    assert _where(problems, "no school is listed") == [(3, "志愿")]


def test_date_cell_where_text_is_expected() -> None:
    import datetime

    row: list[object] = list(applicant_row())
    row[1] = datetime.date(2020, 1, 1)
    assert _where(_problems([HEADER_ZH, row], xlsx=True), "holds a date") == [(2, "姓名")]


def test_nothing_is_returned_when_a_single_row_is_bad() -> None:
    rows = [HEADER_ZH]
    rows += [applicant_row(id_number=i, application=f"A{n}") for n, i in enumerate(_ids(50))]
    rows[30][3] = "S99"
    problems = _problems(rows)
    assert [(p.row, p.column) for p in problems] == [(31, "志愿")], "list index 30 is Excel row 31"
