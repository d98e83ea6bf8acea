"""The results workbook: the same public lists as the announcement, ID-like cells as text, and
after post-draw actions the lists as they stand after them, below the draw day's (§14)."""

from __future__ import annotations

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
from api.documents.public_lists import draw_facts


def workbook_cells(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    workbook = load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}


def test_one_sheet_per_school_with_admitted_and_waitlist_rows() -> None:
    _, bundle = multi_draw()
    sheets = workbook_cells(results_xlsx(bundle))
    assert list(sheets) == ["Summary 汇总", "S01", "S02", "S03"]
    records = {r.application: r for r in bundle.records}
    rows = {r[0]: r for r in bundle.results["applicants"]}
    for entry in bundle.results["schools"]:
        lines = sheets[entry["id"]][2:]
        admitted = [line for line in lines if line[0] == "录取 admitted"]
        waiting = [line for line in lines if line[0] == "候补 waitlist"]
        assert len(admitted) == entry["admitted"]
        assert [line[2] for line in waiting] == entry["waitlist"]
        assert [line[1] for line in waiting] == list(range(1, len(waiting) + 1))
        for line in admitted + waiting:
            record = records[str(line[2])]
            assert line[3:6] == (record.masked_name, record.masked_id, rows[line[2]][1])


def test_summary_holds_digests_and_counts() -> None:
    _, bundle = multi_draw()
    summary = workbook_cells(results_xlsx(bundle))["Summary 汇总"]
    facts = draw_facts(bundle)
    values = {line[0]: line[1] for line in summary if line and line[0]}
    assert values["方案摘要 Manifest digest"] == facts.manifest_digest
    assert values["结果摘要 Results digest"] == facts.results_digest
    assert values["签名公钥指纹 Signing key fingerprint"] == facts.key_fingerprint
    assert values["报名人数 Applicants"] == 32
    by_school = {line[0]: line for line in summary if line and line[0] in ("S01", "S02", "S03")}
    for entry in bundle.results["schools"]:
        line = by_school[entry["id"]]
        assert line[2:5] == (entry["seats"], entry["admitted"], len(entry["waitlist"]))


def test_id_like_columns_are_text() -> None:
    _, bundle = multi_draw()
    workbook = load_workbook(io.BytesIO(results_xlsx(bundle)))
    sheet = workbook["S01"]
    for row in sheet.iter_rows(min_row=3):
        for cell in row[2:7]:  # application, name, ID number, both numbers
            assert cell.data_type == "s" and cell.number_format == "@", cell.coordinate
    # a lottery number made only of digits stays a string, leading zeros and all
    numbers = [row[5].value for row in sheet.iter_rows(min_row=3)]
    assert all(isinstance(n, str) and len(n) == 16 for n in numbers)


def test_no_full_name_or_id_number_and_identical_bytes() -> None:
    _, bundle = multi_draw()
    data = results_xlsx(bundle)
    assert data == results_xlsx(bundle)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        xml = "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    assert "2026-07-01T02:00:00Z" in xml  # document times come from the draw, not the clock
    for person in privates(multi_children()):
        assert person.name not in xml and person.id_number not in xml
        assert person.receipt not in xml
    assert bundle.records[0].masked_id in xml


_AFTER = ("递补后录取 admitted after actions", "递补后候补 waitlist after actions")


@pytest.mark.parametrize("tie_breaking", ["single", "multiple"])
def test_after_actions_each_school_adds_its_lists_below_the_draw_days(tie_breaking: str) -> None:
    draw = actions_draw(tie_breaking)
    drawn = workbook_cells(results_xlsx(multi_draw(tie_breaking)[1]))
    sheets = workbook_cells(results_xlsx(draw.bundle))
    assert list(sheets) == list(drawn)
    school, waitlists, moved_by = published_after_actions(draw.bundle)
    records = {r.application: r for r in draw.bundle.records}
    for entry in draw.bundle.results["schools"]:
        lines, day = sheets[entry["id"]], drawn[entry["id"]]
        # the draw day's lists come first, cell for cell, under a title that says so
        assert lines[0][:2] == day[0][:2] and "摇号当天" in str(lines[0][2])
        assert lines[1 : len(day)] == [(*line, None) for line in day[1:]]
        assert lines[len(day)] == (None,) * 10
        assert str(lines[len(day) + 1][0]).startswith("递补后")
        assert "2026-07-03T09:00:00Z" in str(lines[len(day) + 1][1])
        assert lines[len(day) + 2][-1] == "递补 Moved in"
        later = lines[len(day) + 3 :]
        admitted = [line for line in later if line[0] == _AFTER[0]]
        waiting = [line for line in later if line[0] == _AFTER[1]]
        assert len(admitted) + len(waiting) == len(later)
        assert [line[2] for line in admitted] == [a for a in school if school[a] == entry["id"]]
        assert [line[2] for line in waiting] == waitlists[entry["id"]]
        assert [line[1] for line in waiting] == list(range(1, len(waiting) + 1))
        for line in admitted:
            seq = moved_by.get(str(line[2]))
            assert line[9] == (None if seq is None else f"第 {seq} 项 action {seq}")
            assert seq is None or line[8] == "普通 open"
        for line in admitted + waiting:
            record = records[str(line[2])]
            assert line[3:5] == (record.masked_name, record.masked_id)
    for gone in (draw.declined, draw.disqualified):
        assert not any(
            line[2] == gone for lines in sheets.values() for line in lines if line[0] in _AFTER
        )


def test_after_actions_the_summary_adds_the_totals_after_them() -> None:
    draw = actions_draw()
    drawn = workbook_cells(results_xlsx(multi_draw()[1]))["Summary 汇总"]
    summary = workbook_cells(results_xlsx(draw.bundle))["Summary 汇总"]
    assert summary[: len(drawn)] == drawn
    values = {line[0]: line[1] for line in summary[len(drawn) :] if line and line[0]}
    assert values["已放弃 declined（递补后 after actions）"] == 1
    assert values["资格复核未通过 failed the eligibility re-check（递补后 after actions）"] == 1
    assert sum(n for label, n in values.items() if str(label).endswith("after actions）")) == 32
    school, waitlists, _ = published_after_actions(draw.bundle)
    for entry in draw.bundle.results["schools"]:
        admitted = sum(1 for a in school if school[a] == entry["id"])
        line = next(line for line in summary[len(drawn) :] if line[0] == entry["id"])
        assert line[2:5] == (entry["seats"], admitted, len(waitlists[entry["id"]]))


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
