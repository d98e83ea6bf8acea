"""Good files in every accepted form give the same applicants."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from import_corpus.builders import (
    HEADER_EN,
    HEADER_ZH,
    RULES,
    applicant_row,
    csv_bytes,
    make_id,
    xlsx_bytes,
)

from api.importing import (
    ColumnChoices,
    ImportedApplicant,
    ImportRejected,
    read_applicant_bytes,
    read_applicant_file,
)

BOY = make_id(birth="20130307", sequence="123")
GIRL = make_id(birth="20121115", sequence="084")
ROWS = [
    applicant_row(
        name="张三丰", id_number=BOY, preferences="S01;S02", tier="S01:T1", application="A001"
    ),
    applicant_row(
        name="Anna Lopez",
        id_number=GIRL,
        preferences="S02",
        tier="T3",
        category="SIB",
        group="G1",
        application="A002",
    ),
    applicant_row(
        name="李四",
        id_number=make_id(sequence="125"),
        preferences="S02",
        category="SIB",
        group="G1",
        application="A003",
    ),
]
EXPECTED_FIRST_TWO = (
    ImportedApplicant(
        row=2,
        application="A001",
        name="张三丰",
        id_number=BOY,
        sex="M",
        birth_date=datetime.date(2013, 3, 7),
        preferences=("S01", "S02"),
        tiers=(("S01", "T1"),),
        category=None,
        group=None,
    ),
    ImportedApplicant(
        row=3,
        application="A002",
        name="Anna Lopez",
        id_number=GIRL,
        sex="F",
        birth_date=datetime.date(2012, 11, 15),
        preferences=("S02",),
        tiers=(("S02", "T3"),),
        category="SIB",
        group="G1",
    ),
)


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")],
)
@pytest.mark.parametrize("header", [HEADER_ZH, HEADER_EN], ids=["zh", "en"])
def test_csv_encodings_and_header_languages(
    tmp_path: Path, encoding: str, reported: str, header: list[str]
) -> None:
    path = tmp_path / "applicants.csv"
    path.write_bytes(csv_bytes([header, *ROWS], encoding=encoding))
    result = read_applicant_file(path, draw_rules=RULES)
    assert result.format == "csv"
    assert result.encoding == reported
    assert result.rows[:2] == EXPECTED_FIRST_TWO
    assert len(result.rows) == 3
    assert result.warnings == ()


def test_gb18030_file_is_not_mistaken_for_utf8() -> None:
    data = csv_bytes([HEADER_ZH, *ROWS], encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = read_applicant_bytes(data, filename="x.csv", draw_rules=RULES)
    assert result.rows[0].name == "张三丰"


def test_tab_and_semicolon_delimited_csv() -> None:
    for delimiter in ("\t", ";"):
        rows = [HEADER_EN, *ROWS[:1]]
        data = csv_bytes(rows, delimiter=delimiter)
        result = read_applicant_bytes(data, filename="x.csv", draw_rules=RULES)
        assert result.rows == EXPECTED_FIRST_TWO[:1]


def test_xlsx_with_chinese_headers(tmp_path: Path) -> None:
    path = tmp_path / "applicants.xlsx"
    path.write_bytes(xlsx_bytes([HEADER_ZH, *ROWS]))
    result = read_applicant_file(path, draw_rules=RULES)
    assert (result.format, result.encoding) == ("xlsx", None)
    assert result.rows[:2] == EXPECTED_FIRST_TWO


def test_xlsx_content_wins_over_a_csv_file_name() -> None:
    data = xlsx_bytes([HEADER_EN, *ROWS])
    assert read_applicant_bytes(data, filename="list.csv", draw_rules=RULES).format == "xlsx"


def test_xlsx_numeric_application_number_is_accepted_as_text() -> None:
    row: list[object] = list(ROWS[0])
    row[0] = 20240001
    result = read_applicant_bytes(xlsx_bytes([HEADER_ZH, row]), filename="x.xlsx", draw_rules=RULES)
    assert result.rows[0].application == "20240001"


def test_leading_blank_rows_keep_excel_row_numbers() -> None:
    result = read_applicant_bytes(
        xlsx_bytes([[], [], HEADER_ZH, ROWS[0]]), filename="x.xlsx", draw_rules=RULES
    )
    assert result.rows[0].row == 4


def test_blank_rows_between_applicants_are_skipped_but_rows_keep_their_numbers() -> None:
    data = csv_bytes([HEADER_ZH, ROWS[0], [], ["", "", ""], ROWS[1], ROWS[2]])
    result = read_applicant_bytes(data, filename="x.csv", draw_rules=RULES)
    assert [a.row for a in result.rows] == [2, 5, 6]


def test_numbered_preference_columns() -> None:
    header = ["姓名", "身份证号", "志愿1", "志愿2", "第三志愿"]
    rows = [header, ["张三", BOY, "S02", "S01", ""], ["李四", GIRL, "S03", "S02", "S01"]]
    result = read_applicant_bytes(csv_bytes(rows), filename="x.csv", draw_rules=RULES)
    assert [a.preferences for a in result.rows] == [("S02", "S01"), ("S03", "S02", "S01")]
    assert all(a.application is None and a.tiers == () for a in result.rows)


def test_english_numbered_preference_columns() -> None:
    header = ["Name", "ID Number", "Preference 1", "preference_2"]
    rows = [header, ["Anna Lopez", GIRL, "S02", "S03"]]
    result = read_applicant_bytes(csv_bytes(rows), filename="x.csv", draw_rules=RULES)
    assert result.rows[0].preferences == ("S02", "S03")


def test_single_tier_applies_to_every_listed_school() -> None:
    rows = [HEADER_EN, applicant_row(id_number=BOY, preferences="S02;S01;S03", tier="T1")]
    result = read_applicant_bytes(csv_bytes(rows), filename="x.csv", draw_rules=RULES)
    assert result.rows[0].tiers == (("S01", "T1"), ("S02", "T1"), ("S03", "T1"))


def test_an_unknown_column_refuses_the_import_until_the_clerk_decides() -> None:
    rows = [[*HEADER_ZH, "家长电话"], [*ROWS[0], "13800000000"]]
    with pytest.raises(ImportRejected) as caught:
        read_applicant_bytes(csv_bytes(rows), filename="x.csv", draw_rules=RULES)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (1, "家长电话")
    assert "unknown column '家长电话'" in problem.message_en and "--ignore" in problem.message_en
    choices = ColumnChoices(ignored=frozenset({"家长电话"}))
    result = read_applicant_bytes(
        csv_bytes(rows), filename="x.csv", draw_rules=RULES, choices=choices
    )
    assert len(result.rows) == 1
    assert result.ignored_columns == ("家长电话",)


def test_extra_sheets_are_reported_as_a_warning() -> None:
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in [HEADER_ZH, ROWS[0]]:
        sheet.append(row)
    workbook.create_sheet("说明")
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read_applicant_bytes(buffer.getvalue(), filename="x.xlsx", draw_rules=RULES)
    assert any("说明" in w.message_en for w in result.warnings)


def test_single_member_group_is_a_warning() -> None:
    rows = [HEADER_ZH, applicant_row(id_number=BOY, group="G9")]
    result = read_applicant_bytes(csv_bytes(rows), filename="x.csv", draw_rules=RULES)
    assert [(w.row, w.column) for w in result.warnings] == [(2, "同胞组")]
    assert "single member" in result.warnings[0].message_en
