"""The results workbook: one sheet per list (draw day and after the post-draw actions apart,
§14), the same public lists as the announcement, header frozen, filtered and printed on every
page, every text cell text (never a formula); and the CSV of the same rows."""

from __future__ import annotations

import csv
import dataclasses
import io
import zipfile

import pytest
from openpyxl import load_workbook
from test_documents_lists import (
    actions_draw,
    multi_children,
    multi_draw,
    privates,
    published_after_actions,
)

from api.documents import results_xlsx
from api.documents.public_csv import results_csv
from api.documents.public_lists import draw_facts

SCHOOLS = ("S01", "S02", "S03")


def workbook_cells(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    workbook = load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}


def test_one_sheet_per_list_with_admitted_and_waitlist_rows() -> None:
    _, bundle = multi_draw()
    sheets = workbook_cells(results_xlsx(bundle))
    assert list(sheets) == ["汇总", *(f"{s} {k}" for s in SCHOOLS for k in ("录取", "候补"))]
    records = {r.application: r for r in bundle.records}
    rows = {r[0]: r for r in bundle.results["applicants"]}
    for entry in bundle.results["schools"]:
        admitted = sheets[f"{entry['id']} 录取"]
        waiting = sheets[f"{entry['id']} 候补"]
        assert admitted[0][:3] == ("序号", "报名号", "姓名") == waiting[0][:3]
        assert len(admitted) - 1 == entry["admitted"]  # 600 rows for 300 seats is gone
        assert [line[1] for line in waiting[1:]] == entry["waitlist"]
        assert [line[0] for line in waiting[1:]] == list(range(1, len(waiting)))
        for line in admitted[1:] + waiting[1:]:
            record = records[str(line[1])]
            assert line[2:5] == (record.masked_name, record.masked_id, rows[line[1]][1])


def test_list_sheets_are_filtered_frozen_and_print_their_header_on_every_page() -> None:
    _, bundle = multi_draw()
    workbook = load_workbook(io.BytesIO(results_xlsx(bundle)))
    for sheet in workbook.worksheets[1:]:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A1:I")
        assert sheet.print_title_rows == "$1:$1"
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)


def test_summary_holds_digests_and_counts() -> None:
    _, bundle = multi_draw()
    summary = workbook_cells(results_xlsx(bundle))["汇总"]
    facts = draw_facts(bundle)
    values = {line[0]: line[1] for line in summary if line and line[0]}
    assert values["方案摘要"] == facts.manifest_digest
    assert values["结果摘要"] == facts.results_digest
    assert values["签名公钥指纹"] == facts.key_fingerprint
    assert values["报名人数"] == 32
    by_school = {line[0]: line for line in summary if line and line[0] in SCHOOLS}
    for entry in bundle.results["schools"]:
        line = by_school[entry["id"]]
        assert line[2:5] == (entry["seats"], entry["admitted"], len(entry["waitlist"]))


def test_id_like_columns_are_text() -> None:
    _, bundle = multi_draw()
    workbook = load_workbook(io.BytesIO(results_xlsx(bundle)))
    sheet = workbook["S01 录取"]
    for row in sheet.iter_rows(min_row=2):
        for cell in row[1:6]:  # application, name, ID number, both numbers
            assert cell.data_type == "s" and cell.number_format == "@", cell.coordinate
    # a lottery number made only of digits stays a string, leading zeros and all
    numbers = [row[4].value for row in sheet.iter_rows(min_row=2)]
    assert all(isinstance(n, str) and len(n) == 16 for n in numbers)


def test_a_name_written_like_a_formula_stays_text() -> None:
    _, bundle = multi_draw()
    first = bundle.records[0]
    formula = '=HYPERLINK("http://evil.example","*")'
    poisoned = dataclasses.replace(first, masked_name=formula)
    bundle = dataclasses.replace(bundle, records=(poisoned, *bundle.records[1:]))
    data = results_xlsx(bundle)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = "".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    assert "<f>" not in xml and "HYPERLINK" in xml  # a shared string, never a formula
    lines = list(csv.reader(io.StringIO(results_csv(bundle).decode("utf-8-sig"))))
    assert any(f"'{formula}" in line for line in lines)
    assert not any(cell.startswith("=") for line in lines for cell in line)


def test_csv_holds_the_same_rows_as_the_workbook() -> None:
    _, bundle = multi_draw()
    sheets = workbook_cells(results_xlsx(bundle))
    data = results_csv(bundle)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 Chinese only with the mark
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0][:4] == ["阶段", "名单", "学校代码", "学校"]
    for school in SCHOOLS:
        for kind in ("录取", "候补"):
            rows = [line[4:] for line in lines[1:] if line[2] == school and line[1] == kind]
            expected = [
                ["" if v is None else str(v) for v in line]
                for line in sheets[f"{school} {kind}"][1:]
            ]
            assert rows == expected


def test_no_full_name_or_id_number_and_identical_bytes() -> None:
    _, bundle = multi_draw()
    data = results_xlsx(bundle)
    assert data == results_xlsx(bundle)
    assert results_csv(bundle) == results_csv(bundle)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        xml = "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    assert "2026-07-01T02:00:00Z" in xml  # document times come from the draw, not the clock
    for person in privates(multi_children()):
        assert person.name not in xml and person.id_number not in xml
        assert person.receipt not in xml
    assert bundle.records[0].masked_id in xml


@pytest.mark.parametrize("tie_breaking", ["single", "multiple"])
def test_after_actions_the_lists_after_them_are_sheets_of_their_own(tie_breaking: str) -> None:
    draw = actions_draw(tie_breaking)
    drawn = workbook_cells(results_xlsx(multi_draw(tie_breaking)[1]))
    sheets = workbook_cells(results_xlsx(draw.bundle))
    for title, lines in drawn.items():
        if title != "汇总":
            assert sheets[title] == lines  # the draw day's lists, cell for cell
    school, waitlists, moved_by = published_after_actions(draw.bundle)
    records = {r.application: r for r in draw.bundle.records}
    for entry in draw.bundle.results["schools"]:
        admitted = sheets[f"{entry['id']} 递补后录取"][1:]
        waiting = sheets[f"{entry['id']} 递补后候补"][1:]
        assert [line[1] for line in admitted] == [a for a in school if school[a] == entry["id"]]
        assert [line[1] for line in waiting] == waitlists[entry["id"]]
        assert [line[0] for line in waiting] == list(range(1, len(waiting) + 1))
        for line in admitted:
            seq = moved_by.get(str(line[1]))
            assert line[8] == (None if seq is None else f"第 {seq} 项")
            assert seq is None or line[7] == "普通"
        for line in admitted + waiting:
            record = records[str(line[1])]
            assert line[2:4] == (record.masked_name, record.masked_id)
        for gone in (draw.declined, draw.disqualified):
            assert gone not in [line[1] for line in admitted + waiting]


def test_after_actions_the_summary_adds_the_totals_after_them() -> None:
    draw = actions_draw()
    summary = workbook_cells(results_xlsx(draw.bundle))["汇总"]
    values = {line[0]: line[1] for line in summary if line and line[0]}
    assert values["递补后已放弃"] == 1
    assert values["递补后资格复核未通过"] == 1
    assert sum(n for label, n in values.items() if str(label).startswith("递补后")) == 32
    assert "2026-07-03T09:00:00Z" in str(values["递补操作"])


def test_after_actions_the_workbook_is_still_deterministic_and_masked() -> None:
    draw = actions_draw()
    data = results_xlsx(draw.bundle)
    assert data == results_xlsx(draw.bundle)
    assert data != results_xlsx(multi_draw()[1])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    assert "2026-07-03T09:00:00Z" in xml  # modified: the last action it includes
    for person in privates(multi_children()):
        assert person.name not in xml and person.id_number not in xml
