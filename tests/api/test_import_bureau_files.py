"""Files as bureaus write them: title rows, their own headers, school names, tier labels, a
是否随迁子女 column; and no column ever dropped without the clerk saying so (issue 13)."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Sequence

import openpyxl
import pytest
from import_corpus.builders import RULES, csv_bytes, make_id, xlsx_bytes

from api.importing import ColumnChoices, ImportRejected, read_applicant_bytes

BUREAU_RULES = dataclasses.replace(
    RULES,
    school_names={"S01": "第一小学", "S02": "实验小学 (东校区)", "S03": "第三小学"},
    tier_labels={
        "S01": {"T1": "户籍+房产一致", "T2": "仅户籍"},
        "S02": {"T1": "户籍+房产一致", "T3": "居住证"},
        "S03": {"T1": "户籍+房产一致"},
    },
    categories=frozenset({"SIB", "MIL", "MIG"}),
    category_labels={"SIB": "长幼随学", "MIL": "军人子女", "MIG": "随迁子女"},
    migrant_category="MIG",
)
BOY, GIRL, TWIN = make_id(sequence="101"), make_id(sequence="102"), make_id(sequence="103")
TITLE = ["某县教育局 2026 年小学一年级新生报名名单 (导出)", None, None, None, None, None, None]
HEADER = ["序号", "学生姓名", "学生身份证号", "第一志愿", "第二志愿", "入学类别", "是否随迁子女"]


def _bureau_export(extra_header: Sequence[str] = (), extra: Sequence[object] = ()) -> bytes:
    rows: list[list[object]] = [
        TITLE,
        [*HEADER, "多胞胎编号", *extra_header],
        [1, "张三", BOY, "第一小学", "实验小学 (东校区)", "户籍+房产一致", "否", "", *extra],
        [2, "李四", GIRL, "S02", "", "居住证", "是", "G1", *extra],
        [3, "李五", TWIN, "实验小学(东校区)", "", "居住证", "是", "G1", *extra],
    ]
    return xlsx_bytes(rows, merge="A1:G1")


def test_a_bureau_export_imports_as_written() -> None:
    result = read_applicant_bytes(_bureau_export(), filename="导出.xlsx", draw_rules=BUREAU_RULES)
    first, second, third = result.rows
    assert first.preferences == ("S01", "S02")
    assert first.tiers == (("S01", "T1"), ("S02", "T1"))
    assert first.category is None
    assert second.tiers == (("S02", "T3"),) and second.category == "MIG"
    assert (second.group, third.group) == ("G1", "G1")
    assert result.ignored_columns == ("序号",), "the row counter is left out, and said so"
    assert any(w.row == 1 and "read as a title" in w.message_en for w in result.warnings)


@pytest.mark.parametrize("header", ["家庭类型", "特殊群体", "户别"])
def test_a_column_the_draw_may_need_under_an_unknown_header_is_refused(header: str) -> None:
    data = _bureau_export([header], ["T1"])
    with pytest.raises(ImportRejected) as caught:
        read_applicant_bytes(data, filename="导出.xlsx", draw_rules=BUREAU_RULES)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (2, header)
    assert f"unknown column '{header}'" in problem.message_en
    assert f"无法识别的列“{header}”" in problem.message_zh


def test_a_group_column_under_an_unknown_header_names_the_need() -> None:
    rows = [["姓名", "身份证号", "志愿", "双胞胎组别"], ["张三", BOY, "S01", "G1"]]
    with pytest.raises(ImportRejected) as caught:
        read_applicant_bytes(csv_bytes(rows), filename="x.csv", draw_rules=BUREAU_RULES)
    (problem,) = caught.value.problems
    assert "may hold a tier, category or group" in problem.message_en


def test_mapping_a_column_by_flag_reads_it_and_reports_the_choice() -> None:
    rows = [["姓名", "身份证号", "志愿", "双胞胎组别"], ["张三", BOY, "S01", "G1"]]
    rows.append(["张四", GIRL, "S01", "G1"])
    choices = ColumnChoices(mapped={"双胞胎组别": "group"})
    result = read_applicant_bytes(
        csv_bytes(rows), filename="x.csv", draw_rules=BUREAU_RULES, choices=choices
    )
    assert [r.group for r in result.rows] == ["G1", "G1"]
    assert result.mapped_columns == (("双胞胎组别", "group"),)


def test_a_mapping_sheet_in_the_workbook_maps_and_ignores() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in [
        ["姓名", "身份证号", "志愿", "家庭类型", "家长电话"],
        ["张三", BOY, "S01", "T2", "1"],
    ]:
        sheet.append(row)
    mapping = workbook.create_sheet("列对应")
    for row in [["表头 header", "字段 field"], ["家庭类型", "类别"], ["家长电话", "忽略"]]:
        mapping.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read_applicant_bytes(buffer.getvalue(), filename="x.xlsx", draw_rules=BUREAU_RULES)
    assert result.rows[0].tiers == (("S01", "T2"),)
    assert result.ignored_columns == ("家长电话",)
    assert result.mapped_columns == (("家庭类型", "tier"),)
    assert not any("ignored" in w.message_en for w in result.warnings), "the sheet is read"


def test_a_choice_naming_a_column_the_file_lacks_is_refused() -> None:
    rows = [["姓名", "身份证号", "志愿"], ["张三", BOY, "S01"]]
    choices = ColumnChoices(ignored=frozenset({"家长电话"}))
    with pytest.raises(ImportRejected) as caught:
        read_applicant_bytes(csv_bytes(rows), filename="x.csv", draw_rules=RULES, choices=choices)
    assert "names column '家长电话', which is not in the header" in str(caught.value)


def test_migrant_yes_against_another_category_is_refused() -> None:
    rows = [
        ["姓名", "身份证号", "志愿", "优待类别", "是否随迁子女"],
        ["张三", BOY, "S01", "军人子女", "是"],
    ]
    with pytest.raises(ImportRejected) as caught:
        read_applicant_bytes(csv_bytes(rows), filename="x.csv", draw_rules=BUREAU_RULES)
    (problem,) = caught.value.problems
    assert problem.column == "是否随迁子女" and "disagrees with the category 'MIL'" in (
        problem.message_en
    )


def test_a_formula_cell_is_refused_as_a_formula() -> None:
    rows = [["姓名", "身份证号", "志愿"], ['=HYPERLINK("http://x","张三")', BOY, "S01"]]
    with pytest.raises(ImportRejected) as caught:
        read_applicant_bytes(xlsx_bytes(rows), filename="x.xlsx", draw_rules=RULES)
    problems = caught.value.problems
    assert [(p.row, p.column, p.value) for p in problems if "formula" in p.message_en] == [
        (2, "姓名", "A2")
    ]
    assert "HYPERLINK" in problems[0].message_en and "公式" in problems[0].message_zh
    assert not any("the name is empty" in p.message_en for p in problems)


def test_a_formula_typed_as_text_in_a_csv_name_is_refused() -> None:
    rows = [["姓名", "身份证号", "志愿"], ['=HYPERLINK("http://x","张")', BOY, "S01"]]
    with pytest.raises(ImportRejected) as caught:
        read_applicant_bytes(csv_bytes(rows), filename="x.csv", draw_rules=RULES)
    assert "like an Excel formula" in caught.value.problems[0].message_en


@pytest.mark.parametrize("name", ["王\U00020000", "李\U0002a6d6明", "张\U00031350", "陈\U0002ebf0"])
def test_rare_han_characters_of_every_extension_are_accepted(name: str) -> None:
    rows = [["姓名", "身份证号", "志愿"], [name, BOY, "S01"]]
    result = read_applicant_bytes(csv_bytes(rows), filename="x.csv", draw_rules=RULES)
    assert result.rows[0].name == name


@pytest.mark.parametrize(
    ("name", "point"), [("张\u202e三", "U+202E"), ("张\x07三", "U+0007"), ("张\ue000三", "U+E000")]
)
def test_control_and_format_characters_are_refused_by_code_point(name: str, point: str) -> None:
    rows = [["姓名", "身份证号", "志愿"], [name, BOY, "S01"]]
    with pytest.raises(ImportRejected) as caught:
        read_applicant_bytes(csv_bytes(rows), filename="x.csv", draw_rules=RULES)
    (problem,) = caught.value.problems
    assert point in problem.message_en and problem.column == "姓名"


def test_formulas_in_a_column_left_out_do_no_harm() -> None:
    rows = [["序号", "姓名", "身份证号", "志愿"], ["=ROW()-1", "张三", BOY, "S01"]]
    result = read_applicant_bytes(xlsx_bytes(rows), filename="x.xlsx", draw_rules=RULES)
    assert result.ignored_columns == ("序号",) and len(result.rows) == 1


def test_the_guide_lists_every_header_the_import_knows() -> None:
    from pathlib import Path

    from api.importing.headers import ACCEPTED_HEADERS, ROW_COUNTER_HEADERS

    guide = (Path(__file__).parents[2] / "docs" / "bureau-files.md").read_text(encoding="utf-8")
    spellings = [s for spellings in ACCEPTED_HEADERS.values() for s in spellings if "..." not in s]
    missing = [s for s in [*spellings, *ROW_COUNTER_HEADERS] if s not in guide]
    assert missing == []
