"""Applicants through the service: import all-or-nothing, numbering, receipts, private table."""

from __future__ import annotations

from fastapi.testclient import TestClient
from helpers import DRAW_ID, applicant_rows, draw_spec, id_number

D = f"/api/draws/{DRAW_ID}"


def _csv(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    return "\r\n".join(",".join(r) for r in rows).encode(encoding)


def _count(client: TestClient, headers) -> int:
    return len(client.get(f"{D}/applicants/private", headers=headers).json())


def test_file_import_gb18030_numbers_and_receipts(client: TestClient, bureau) -> None:
    client.post("/api/draws", json=draw_spec(), headers=bureau.operator)
    data = _csv(
        [
            ["姓名", "身份证号", "志愿", "类别"],
            ["张三丰", id_number(1, male=True), "S01", "T1"],
            ["李四", id_number(2, male=False), "S01", ""],
        ],
        encoding="gb18030",
    )
    answer = client.post(
        f"{D}/applicants/import?filename=list.csv", content=data, headers=bureau.operator
    )
    assert answer.status_code == 201, answer.text
    receipts = answer.json()["receipts"]
    assert [r["application"] for r in receipts] == ["XQ000001", "XQ000002"]
    assert all(len(r["receipt_code"]) == 16 for r in receipts)
    assert receipts[0]["receipt_code"] != receipts[1]["receipt_code"]
    private = client.get(f"{D}/applicants/private", headers=bureau.operator).json()
    assert {p["name"] for p in private} == {"张三丰", "李四"}
    public = client.get(f"{D}/applicants/public", headers=bureau.operator).json()
    assert {p["masked_name"] for p in public} == {"张*丰", "李*"}


def test_a_file_with_any_error_imports_nothing(client: TestClient, bureau) -> None:
    client.post("/api/draws", json=draw_spec(), headers=bureau.operator)
    good = id_number(1, male=True)
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    data = _csv(
        [
            ["姓名", "身份证号", "志愿"],
            ["张三丰", good, "S01"],
            ["李四", bad_check, "S01"],
            ["王五", id_number(3, male=True), "S99"],
        ]
    )
    audit_before = len(client.get(f"{D}/audit", headers=bureau.auditor).json())
    answer = client.post(
        f"{D}/applicants/import?filename=bad.csv", content=data, headers=bureau.operator
    )
    assert answer.status_code == 422
    problems = answer.json()["problems"]
    assert {p["row"] for p in problems} == {3, 4}
    assert all(p["message_zh"] and p["message_en"] for p in problems)
    assert _count(client, bureau.operator) == 0
    assert len(client.get(f"{D}/audit", headers=bureau.auditor).json()) == audit_before


def test_the_same_child_twice_across_imports_is_refused(client: TestClient, bureau) -> None:
    client.post("/api/draws", json=draw_spec(), headers=bureau.operator)
    rows = applicant_rows(2)
    assert client.post(f"{D}/applicants", json=rows, headers=bureau.operator).status_code == 201
    again = client.post(
        f"{D}/applicants", json=rows[:1] + applicant_rows(3)[2:], headers=bureau.operator
    )
    assert again.status_code == 422
    assert again.json()["problems"][0]["field"] == "id_number"
    assert _count(client, bureau.operator) == 2


def test_given_application_numbers_are_kept_and_duplicates_refused(
    client: TestClient, bureau
) -> None:
    client.post("/api/draws", json=draw_spec(), headers=bureau.operator)
    rows = applicant_rows(2)
    rows[0]["application"], rows[1]["application"] = "A-1", "A-2"
    answer = client.post(f"{D}/applicants", json=rows, headers=bureau.operator)
    assert [r["application"] for r in answer.json()["receipts"]] == ["A-1", "A-2"]
    more = applicant_rows(3)[2:]
    more[0]["application"] = "A-1"
    refused = client.post(f"{D}/applicants", json=more, headers=bureau.operator)
    assert refused.status_code == 422
    assert refused.json()["problems"][0]["value"] == "A-1"


def test_no_edits_after_sealing(client: TestClient, bureau) -> None:
    from helpers import sealed_draw

    sealed_draw(client, bureau.operator)
    late = client.post(f"{D}/applicants", json=applicant_rows(8)[7:], headers=bureau.operator)
    assert late.status_code == 409
    assert late.json()["error"] == "wrong_state"
    assert (
        client.put(f"{D}/rules", json=draw_spec(seats=5), headers=bureau.operator).status_code
        == 409
    )
    assert _count(client, bureau.operator) == 6
