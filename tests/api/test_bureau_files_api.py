"""The bureau's files over HTTP: the draw workbook, the applicant template, corrections before
sealing, receipts; on SQLite and PostgreSQL (issue 13)."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from fastapi.testclient import TestClient
from helpers import DRAW_ID, draw_spec, id_number, sealed_draw
from pypdf import PdfReader

from lottery import format_receipt

XQ_DRAW = "XQ-2026-XX01"


def _workbook_draw(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    template = client.get("/api/draw-template.xlsx")
    assert template.status_code == 200
    created = client.post(
        "/api/draws/workbook",
        content=template.content,
        headers=headers,
        params={"filename": "d.xlsx"},
    )
    assert created.status_code == 201, created.text
    return dict(created.json())


def _filled_template(client: TestClient, headers: dict[str, str], rows: list[list[str]]) -> bytes:
    answer = client.get(f"/api/draws/{XQ_DRAW}/applicants/template.xlsx", headers=headers)
    assert answer.status_code == 200, answer.text
    workbook = openpyxl.load_workbook(io.BytesIO(answer.content))
    sheet = workbook.worksheets[0]
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _private(client: TestClient, headers: dict[str, str], draw: str) -> dict[str, dict[str, Any]]:
    answer = client.get(f"/api/draws/{draw}/applicants/private", headers=headers)
    assert answer.status_code == 200, answer.text
    return {row["application"]: row for row in answer.json()}


def test_a_draw_from_the_workbook_and_a_list_from_its_template(client: TestClient, bureau) -> None:
    draw = _workbook_draw(client, bureau.operator)
    assert draw["id"] == XQ_DRAW and draw["mode"] == "deferred_acceptance"
    assert [s["id"] for s in draw["schools"]] == ["S01", "S02", "S03"]
    assert draw["schools"][0]["tiers"][0] == {"id": "T1", "label": "户籍+房产一致"}
    assert "公告栏" in draw["sealing_announcement"]
    rows = [
        ["张小明", id_number(1, male=True), "第一小学", "实验小学", "户籍+房产一致", "", ""],
        ["李小红", id_number(2, male=False), "城南小学", "", "居住证", "随迁子女", ""],
    ]
    data = _filled_template(client, bureau.operator, rows)
    imported = client.post(
        f"/api/draws/{XQ_DRAW}/applicants/import",
        content=data,
        params={"filename": "list.xlsx"},
        headers=bureau.operator,
    )
    assert imported.status_code == 201, imported.text
    private = _private(client, bureau.operator, XQ_DRAW)
    second = next(r for r in private.values() if r["name"] == "李小红")
    assert second["preferences"] == ["S03"] and second["category"] == "MIG"
    assert second["tiers"] == {"S03": "T3"}


def test_workbook_faults_name_the_sheet_and_cell(client: TestClient, bureau) -> None:
    book = openpyxl.load_workbook(io.BytesIO(client.get("/api/draw-template.xlsx").content))
    book["学校 schools"]["C2"] = 0
    buffer = io.BytesIO()
    book.save(buffer)
    answer = client.post("/api/draws/workbook", content=buffer.getvalue(), headers=bureau.operator)
    assert answer.status_code == 422
    (problem,) = answer.json()["problems"]
    assert problem["field"] == "学校 schools!C2"
    assert "cell C2 (招生计划 seats): expected a whole number above 0" in problem["message_en"]


def test_an_unknown_column_is_refused_then_mapped_by_the_query(client: TestClient, bureau) -> None:
    _workbook_draw(client, bureau.operator)
    csv = "姓名,身份证号,志愿,家庭类型\r\n张三," + id_number(3, male=True) + ",S01,仅户籍\r\n"
    url = f"/api/draws/{XQ_DRAW}/applicants/import"
    refused = client.post(
        url, content=csv.encode(), params={"filename": "x.csv"}, headers=bureau.operator
    )
    assert refused.status_code == 422
    assert refused.json()["problems"][0]["field"] == "家庭类型"
    mapped = client.post(
        url,
        content=csv.encode(),
        params={"filename": "x.csv", "map": "家庭类型=tier"},
        headers=bureau.operator,
    )
    assert mapped.status_code == 201, mapped.text
    (row,) = _private(client, bureau.operator, XQ_DRAW).values()
    assert row["tiers"] == {"S01": "T2"}
    audit = client.get(f"/api/draws/{XQ_DRAW}/audit", headers=bureau.operator)
    assert audit.status_code == 200, audit.text
    details = [e["details"] for e in audit.json() if e["action"] == "applicants.imported"]
    assert details == [{**details[0], "mapped_columns": {"家庭类型": "tier"}}]


def test_corrections_keep_the_receipt_and_are_refused_after_sealing(
    client: TestClient, bureau
) -> None:
    assert client.post("/api/draws", json=draw_spec(), headers=bureau.operator).status_code == 201
    rows = [
        {"name": "张三丰", "id_number": id_number(n, male=True), "preferences": ["S01"]}
        for n in (1, 3, 5)
    ]
    created = client.post(f"/api/draws/{DRAW_ID}/applicants", json=rows, headers=bureau.operator)
    first, second, third = created.json()["receipts"]
    url = f"/api/draws/{DRAW_ID}/applicants"
    named = client.patch(
        f"{url}/{first['application']}",
        json={"reason": "张三丰 的家长提出异议", "name": "张三峰"},
        headers=bureau.operator,
    )
    assert named.status_code == 422 and "public audit log" in named.json()["message_en"]
    edited = client.patch(
        f"{url}/{first['application']}",
        json={"reason": "异议成立: 姓名录入错误", "name": "张三峰", "tiers": "户籍+房产"},
        headers=bureau.operator,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["receipt_code"] == first["receipt_code"]
    private = _private(client, bureau.operator, DRAW_ID)
    assert private[first["application"]]["name"] == "张三峰"
    assert private[first["application"]]["receipt_code"] == first["receipt_code"]
    assert private[first["application"]]["tiers"] == {"S01": "T1"}
    audit = client.get(f"/api/draws/{DRAW_ID}/audit", headers=bureau.operator).json()
    (entry,) = [e for e in audit if e["action"] == "applicant.corrected"]
    assert entry["details"] == {
        "application": first["application"],
        "reason": "异议成立: 姓名录入错误",
        "changed": ["name", "tiers"],
        "before": {"tiers": {}},
        "after": {"tiers": {"S01": "T1"}},
    }, "public fields before and after; of the name only that it changed"
    gone = client.post(
        f"{url}/{second['application']}/withdraw",
        json={"reason": "不符合条件"},
        headers=bureau.operator,
    )
    assert gone.status_code == 204
    replacement = f"姓名,身份证号,志愿\r\n王五,{id_number(7, male=True)},S01\r\n".encode()
    replaced = client.post(
        f"{url}/{third['application']}/replace",
        content=replacement,
        params={"reason": "录入了错误的儿童"},
        headers=bureau.operator,
    )
    assert replaced.status_code == 201, replaced.text
    assert set(_private(client, bureau.operator, DRAW_ID)) == {
        first["application"],
        replaced.json()["receipts"][0]["application"],
    }
    no_reason = client.post(
        f"{url}/{first['application']}/withdraw", json={"reason": " "}, headers=bureau.operator
    )
    assert no_reason.status_code == 422
    other_bureau = client.patch(
        f"{url}/{first['application']}", json={"reason": "x"}, headers=bureau.other_operator
    )
    assert other_bureau.status_code in (403, 404)


def test_nothing_changes_after_sealing(client: TestClient, bureau) -> None:
    sealed = sealed_draw(client, bureau.operator)
    application = sealed["receipts"][0]["application"]
    url = f"/api/draws/{DRAW_ID}/applicants/{application}"
    edit = client.patch(url, json={"reason": "太晚了", "name": "王五"}, headers=bureau.operator)
    assert edit.status_code == 409 and "sealed" in edit.json()["message_en"]
    gone = client.post(f"{url}/withdraw", json={"reason": "太晚了"}, headers=bureau.operator)
    assert gone.status_code == 409


def test_receipts_one_per_family_with_code_fingerprint_and_announcement(
    client: TestClient, bureau, signer
) -> None:
    _workbook_draw(client, bureau.operator)
    rows = [
        ["双胞甲", id_number(11, male=True), "第一小学", "", "仅户籍", "", "G1"],
        ["双胞乙", id_number(12, male=False), "第一小学", "", "仅户籍", "", "G1"],
        ["独生丙", id_number(13, male=True), "实验小学", "", "居住证", "", ""],
    ]
    data = _filled_template(client, bureau.operator, rows)
    imported = client.post(
        f"/api/draws/{XQ_DRAW}/applicants/import",
        content=data,
        params={"filename": "list.xlsx"},
        headers=bureau.operator,
    )
    assert imported.status_code == 201, imported.text
    receipts = imported.json()["receipts"]
    pdf = client.post(f"/api/draws/{XQ_DRAW}/receipts", json={}, headers=bureau.operator)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(pdf.content)).pages
    assert len(pages) == 2, "the twins share one receipt"
    text = "".join(page.extract_text() for page in pages).replace(" ", "")
    for receipt in receipts:
        assert receipt["application"] in text
        assert format_receipt(receipt["receipt_code"]) in text
    assert signer.fingerprint[:16] in text
    sms = client.post(
        f"/api/draws/{XQ_DRAW}/receipts",
        json={"applications": [receipts[0]["application"]], "format": "csv"},
        headers=bureau.operator,
    )
    lines = sms.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 3, "asking for one twin prints the receipt both share"
    assert "双胞甲" not in sms.text and "公告栏" in sms.content.decode("utf-8-sig")
    anonymous = client.post(f"/api/draws/{XQ_DRAW}/receipts", json={})
    assert anonymous.status_code in (401, 403, 404)


def test_a_twin_is_not_withdrawn_alone_and_an_id_is_not_taken_twice(
    client: TestClient, bureau
) -> None:
    assert client.post("/api/draws", json=draw_spec(), headers=bureau.operator).status_code == 201
    rows = [
        {"name": name, "id_number": id_number(n, male=n % 2 == 1), "preferences": ["S01"], **extra}
        for name, n, extra in (
            ("双胞甲", 1, {"group": "G1"}),
            ("双胞乙", 2, {"group": "G1"}),
            ("独生丙", 3, {}),
        )
    ]
    created = client.post(f"/api/draws/{DRAW_ID}/applicants", json=rows, headers=bureau.operator)
    twin, other_twin, single = created.json()["receipts"]
    url = f"/api/draws/{DRAW_ID}/applicants"
    alone = client.post(
        f"{url}/{twin['application']}/withdraw", json={"reason": "放弃"}, headers=bureau.operator
    )
    assert alone.status_code == 422
    assert f"leave group G1 with {other_twin['application']} alone" in alone.json()["message_en"]
    taken = client.patch(
        f"{url}/{single['application']}",
        json={"reason": "更正身份证号", "id_number": rows[0]["id_number"]},
        headers=bureau.operator,
    )
    assert taken.status_code == 422
    assert twin["application"] in taken.json()["message_en"]
    assert rows[0]["id_number"] not in taken.text, "the ID number is masked in the answer"
