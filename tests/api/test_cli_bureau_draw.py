"""A bureau runs its own draw through the CLI only, from its own Excel export to published
results, with no JSON written by hand (issue 13): `lottery init` gives the draw workbook, the
clerk edits cells, `create` reads it, the bureau's export (title row, its own headers, school
names, tier labels, 是否随迁子女, twins) goes in as written, an upheld objection is corrected,
three witnesses hand in their commitment, reveal and co-signature files, and the bundle verifies."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from helpers import drand_round, id_number
from import_corpus.bureau import bureau_export
from sqlalchemy import select
from test_cli_lifecycle import Operator, add_witness, ceremony, in_an_hour

from api.db import make_engine
from api.models import Applicant, ApplicantPrivate, AuditEvent

DRAW = "XQ-2026-XX01"
WITNESSES = ("W1-notary", "W2-inspector", "W3-parent")


def _edit_draw_workbook(path: Path) -> None:
    """What a clerk does in Excel: fewer seats, so that the draw has to choose, and the drand
    round an hour ahead (the real clock runs this draw; the reveals close before it, §7.4)."""
    workbook = openpyxl.load_workbook(path)
    settings = workbook["抽签设置 settings"]
    (row,) = (
        r
        for r in range(1, settings.max_row + 1)
        if settings.cell(r, 1).value == "信标轮次 beacon round"
    )
    settings.cell(row=row, column=2).value = drand_round(in_an_hour())
    schools = workbook["学校 schools"]
    for row, seats in ((2, 12), (3, 12), (4, 6)):
        schools.cell(row=row, column=3).value = seats
    reserved = workbook["预留名额 reserved seats"]
    for row in (2, 3, 4):
        reserved.cell(row=row, column=3).value = 2
    workbook.save(path)


def _private(operator: Operator) -> dict[str, tuple[str, str]]:
    engine = make_engine(operator.env["DATABASE_URL"])
    with engine.connect() as connection:
        rows = connection.execute(
            select(Applicant.application, ApplicantPrivate.receipt_code, Applicant.tiers).join(
                ApplicantPrivate, Applicant.id == ApplicantPrivate.applicant_id
            )
        ).all()
    engine.dispose()
    return {application: (code, tiers) for application, code, tiers in rows}


@pytest.fixture
def operator(tmp_path: Path) -> Operator:
    run = Operator(tmp_path)
    run("keys")
    run("migrate")
    run("create-bureau", "--code", "XQ", "--name", "某县教育局")
    return run


def test_a_bureau_draw_from_its_own_export_to_a_verified_bundle(
    operator: Operator, tmp_path: Path
) -> None:
    workbook = tmp_path / "抽签定义.xlsx"
    assert str(workbook) in operator("init", str(workbook)).stdout
    assert operator("create", str(workbook)).stdout.strip() == DRAW
    again = operator("create", str(workbook), ok=False)
    assert again.exit_code == 1 and f"draw id {DRAW} is already taken" in again.output
    _edit_draw_workbook(workbook)
    assert "rules replaced" in operator("create", str(workbook), "--update").stdout

    template = tmp_path / "模板.xlsx"
    operator("template", DRAW, "--out", str(template))
    sheet = openpyxl.load_workbook(template).worksheets[0]
    assert [c.value for c in sheet[1]][:4] == ["姓名", "身份证号", "第一志愿", "第二志愿"]
    assert len(sheet.data_validations.dataValidation) == 4  # two schools, tier, category

    export = bureau_export(tmp_path / "报名导出.xlsx")
    imported = operator("import", DRAW, str(export)).stdout
    assert "imported 60 applicants" in imported
    assert "ignored column: 序号" in imported
    receipts = [Path(line.split(": ", 1)[1]) for line in imported.splitlines() if ": /" in line]
    pdf, sms = receipts
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_mode & 0o077 == 0
    lines = list(csv.reader(io.StringIO(sms.read_bytes().decode("utf-8-sig"))))
    assert len(lines) == 61 and lines[1][3].count("-") == 3  # XXXX-XXXX-XXXX-XXXX
    assert sum(1 for line in lines[1:] if line[0] == lines[1][0]) == 2, "twins share a receipt"

    operator("objection", DRAW)
    before = _private(operator)
    child = next(a for a in sorted(before) if '"T1"' in before[a][1])
    operator("correct", DRAW, child, "--tier", "仅户籍", "--reason", "异议成立: 户籍类别录入错误")
    after = _private(operator)
    assert after[child][0] == before[child][0], "an edit keeps the receipt code"
    assert after[child][1] != before[child][1]
    operator(
        "withdraw",
        DRAW,
        next(a for a in sorted(before) if '"T2"' in before[a][1]),
        "--reason",
        "重复报名",
    )
    assert len(_private(operator)) == 59
    wrong = next(a for a in sorted(_private(operator)) if '"T2"' in before[a][1])
    replacement = tmp_path / "替换.csv"
    replacement.write_text(
        f"学生姓名,身份证号码,第一志愿,入学类别\n王替换,{id_number(900, male=True)},城南小学,仅户籍\n",
        encoding="utf-8",
    )
    replaced = operator("replace", DRAW, wrong, str(replacement), "--reason", "录入了错误的儿童")
    assert f"{wrong} replaced by" in replaced.stdout and "receipts (1)" in replaced.stdout
    assert len(_private(operator)) == 59 and wrong not in _private(operator)

    for code in WITNESSES:  # each witness's own commitment file, made with its own key
        add_witness(operator, tmp_path, code, DRAW)
    operator("seal", DRAW)
    refused = operator("correct", DRAW, child, "--tier", "居住证", "--reason", "x", ok=False)
    assert refused.exit_code == 1 and "sealed" in refused.output
    operator("rehearse", DRAW, "彩排")
    ceremony(operator, tmp_path, draw_id=DRAW, witnesses=WITNESSES, value="cd" * 32)
    operator("run", DRAW)
    operator("publish", DRAW)
    operator("export", DRAW, "--out", str(tmp_path / "bundle"))
    from verifier import verify_bundle

    report = verify_bundle(tmp_path / "bundle")
    assert report.passed, report.as_dict()
    assert operator.count(AuditEvent, action="applicant.corrected") == 1
    assert operator.count(AuditEvent, action="applicant.withdrawn") == 2  # one by replace
    assert operator.count(AuditEvent, action="applicant.replaced") == 1
    reprinted = operator("receipts", DRAW, "--application", child).stdout
    assert "receipts (1)" in reprinted
    assert operator.count(AuditEvent, action="receipts.printed") == 1


def test_a_needed_column_under_an_unknown_header_is_refused_naming_it(
    operator: Operator, tmp_path: Path
) -> None:
    workbook = tmp_path / "抽签定义.xlsx"
    operator("init", str(workbook))
    operator("create", str(workbook))
    export = bureau_export(tmp_path / "导出.xlsx", children=6, tier_header="家庭类型")
    refused = operator("import", DRAW, str(export), ok=False)
    assert refused.exit_code == 1
    assert "家庭类型" in refused.output and "may hold a tier, category or group" in (
        refused.output.replace("\n", " ")
    )
    assert operator.count(Applicant) == 0
    mapped = operator("import", DRAW, str(export), "--map", "家庭类型=类别").stdout
    assert "imported 6 applicants" in mapped and "家庭类型 -> tier" in mapped
    (imported,) = (e for e in _events(operator) if e.action == "applicants.imported")
    assert '"mapped_columns":{"家庭类型":"tier"}' in imported.details
    assert '"ignored_columns":["序号"]' in imported.details


def _events(operator: Operator) -> list[AuditEvent]:
    engine = make_engine(operator.env["DATABASE_URL"])
    with engine.connect() as connection:
        rows = connection.execute(select(AuditEvent.action, AuditEvent.details)).all()
    engine.dispose()
    return [AuditEvent(action=a, details=d) for a, d in rows]


def test_draw_workbook_errors_name_the_sheet_and_the_cell(
    operator: Operator, tmp_path: Path
) -> None:
    workbook = tmp_path / "抽签定义.xlsx"
    operator("init", str(workbook))
    book = openpyxl.load_workbook(workbook)
    book["学校 schools"].cell(row=3, column=3).value = "九十"
    book["优先类别 tiers"].cell(row=2, column=1).value = "S09"
    book["抽签设置 settings"].cell(row=8, column=2).value = "2019-13-01"
    book.save(workbook)
    refused = operator("create", str(workbook), ok=False)
    assert refused.exit_code == 1
    text = refused.output.replace("\n", " ")
    assert "sheet '学校 schools' cell C3 (招生计划 seats): expected a whole number" in text
    assert "工作表“学校 schools”单元格 C3" in text
    assert "sheet '优先类别 tiers' cell A2" in text and "S09" in text
    assert "sheet '抽签设置 settings' cell B8" in text and "expected a date" in text
    assert "Traceback" not in refused.output
