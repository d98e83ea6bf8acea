"""The results workbook: the same public lists as the announcement, ID-like cells as text."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook
from test_documents_lists import multi_children, multi_draw, privates

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
