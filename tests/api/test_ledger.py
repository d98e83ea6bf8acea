"""The objection and complaint ledger (招生入学工作问题线索管理台账): recorded, closed, linked to
the audit log, masked in public, exported as an xlsx whose every cell is text."""

from __future__ import annotations

import io
import json

from fastapi.testclient import TestClient
from helpers import DRAW_ID, applicant_rows, draw_spec
from openpyxl import load_workbook

from api.localtime import local_time, parse_local_time

D = f"/api/draws/{DRAW_ID}"
NAME = '=HYPERLINK("http://x","欧阳娜娜")'
ID = "11010120200101123X"


def _in_objection(client: TestClient, headers: dict[str, str]) -> None:
    assert client.post("/api/draws", json=draw_spec(), headers=headers).status_code == 201
    assert (
        client.post(f"{D}/applicants", json=applicant_rows(4), headers=headers).status_code == 201
    )
    assert client.post(f"{D}/objection", headers=headers).status_code == 200


def _objection(client: TestClient, headers: dict[str, str], **extra: str) -> dict:
    body = {
        "kind": "objection",
        "raised_by": "欧阳娜娜",
        "contact": "13800000000",
        "raised_at": "2026-07-10 09:30",
        "channel": "来电",
        "application": "XQ000002",
        "subject": f"孩子的身份证号 {ID} 登记错了一位",
        **extra,
    }
    answer = client.post(f"{D}/ledger", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_an_objection_is_recorded_closed_and_linked_to_the_audit_log(client, bureau) -> None:
    _in_objection(client, bureau.operator)
    entry = _objection(client, bureau.operator)
    assert entry["seq"] == 1 and entry["status"] == "open"
    assert entry["raised_at"] == "2026-07-10T01:30:00Z"
    assert entry["raised_at_local"] == "2026年7月10日 09:30"
    log = client.get(f"{D}/audit", headers=bureau.auditor).json()
    recorded = log[-1]
    assert recorded["action"] == "ledger.recorded" and recorded["seq"] == entry["recorded_seq"]
    assert set(recorded["details"]) == {"seq", "kind", "entry"}
    assert "欧阳" not in json.dumps(recorded, ensure_ascii=False)
    change_seq = recorded["seq"]  # stands in for the correction's own audit entry
    closed = client.post(
        f"{D}/ledger/1/close",
        json={
            "handling": "核对户籍资料",
            "result": "异议成立",
            "change": "更正身份证号",
            "change_audit_seq": change_seq,
        },
        headers=bureau.operator,
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed" and closed.json()["closed_seq"] == change_seq + 1
    log = client.get(f"{D}/audit", headers=bureau.auditor).json()
    assert log[-1]["action"] == "ledger.closed" and log[-1]["details"]["change"] == change_seq
    assert log[-1]["details"]["entry"] != recorded["details"]["entry"]
    again = client.post(
        f"{D}/ledger/1/close", json={"handling": "x", "result": "y"}, headers=bureau.operator
    )
    assert again.status_code == 409


def test_the_public_ledger_is_masked(client, bureau) -> None:
    _in_objection(client, bureau.operator)
    _objection(client, bureau.operator)
    public = client.get(f"{D}/ledger/public").json()
    assert public[0]["raised_by"] == "欧**娜"
    text = json.dumps(public, ensure_ascii=False)
    for secret in ("欧阳娜娜", "13800000000", ID, "来电"):
        assert secret not in text
    assert "1101**********123X" in text
    assert client.get(f"{D}/ledger").status_code == 401
    private = client.get(f"{D}/ledger", headers=bureau.auditor).json()
    assert private[0]["raised_by"] == "欧阳娜娜" and private[0]["contact"] == "13800000000"


def test_the_workbook_writes_every_cell_as_text(client, bureau) -> None:
    _in_objection(client, bureau.operator)
    _objection(client, bureau.operator, raised_by=NAME, application="000123")
    answer = client.get(f"{D}/ledger.xlsx", headers=bureau.operator)
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type == "s" for c in cells)
    values = {c.value for c in cells}
    assert NAME in values and "000123" in values and "1" in values
    masked = client.get(f"{D}/ledger.xlsx?masked=true", headers=bureau.operator)
    masked_values = {
        c.value for row in load_workbook(io.BytesIO(masked.content)).active.iter_rows() for c in row
    }
    assert NAME not in masked_values and "13800000000" not in masked_values


def test_a_complaint_waits_for_the_draw(client, bureau) -> None:
    _in_objection(client, bureau.operator)
    refused = client.post(
        f"{D}/ledger",
        json={"kind": "complaint", "raised_by": "张三", "subject": "结果不公"},
        headers=bureau.operator,
    )
    assert refused.status_code == 409
    assert (
        client.post(
            f"{D}/ledger", json={"kind": "objection", "raised_by": "张三", "subject": "x"}
        ).status_code
        == 401
    )


def test_local_time_reads_and_writes_the_zone() -> None:
    assert local_time("2026-07-10T01:30:00Z", "Asia/Shanghai") == "2026年7月10日 09:30"
    assert parse_local_time("2026-07-10 09:30", "Asia/Shanghai") == "2026-07-10T01:30:00Z"
    assert parse_local_time("2026-07-10 09:30", "UTC") == "2026-07-10T09:30:00Z"


def _published(client: TestClient, bureau) -> dict:  # type: ignore[no-untyped-def]
    """A published draw of 6 children for 3 seats: 3 wait."""
    from helpers import run_ceremony, sealed_draw

    setup = sealed_draw(client, bureau.operator)
    run_ceremony(client, bureau.operator, setup["witnesses"])
    assert client.post(f"{D}/run", headers=bureau.operator).status_code == 200
    assert client.post(f"{D}/publish", headers=bureau.operator).status_code == 200
    return dict(json.loads(client.get(f"{D}/results.json").content))


def test_a_manual_placement_is_recorded_logged_and_exported(client, bureau) -> None:  # type: ignore[no-untyped-def]
    """§10.10: the bureau's placement of children the draw left without a seat is recorded in
    the ledger and the audit log; it changes no published outcome."""
    results = _published(client, bureau)
    waiting = [row[0] for row in results["applicants"] if row[2] != "admitted"]
    admitted = [row[0] for row in results["applicants"] if row[2] == "admitted"]
    body = {
        "kind": "placement",
        "raised_by": "县教育局基教科",
        "subject": "同胞组整组安置到第一小学 (局务会决定)",
        "school": "S01",
        "applications": waiting[:2],
    }
    refused = client.post(
        f"{D}/ledger", json={**body, "applications": admitted[:1]}, headers=bureau.operator
    )
    assert refused.status_code == 422, refused.text  # holds a seat already
    assert (
        client.post(f"{D}/ledger", json={**body, "school": "S99"}, headers=bureau.operator)
    ).status_code == 422
    assert (
        client.post(
            f"{D}/ledger", json={**body, "kind": "complaint"}, headers=bureau.operator
        ).status_code
        == 422
    )
    answer = client.post(f"{D}/ledger", json=body, headers=bureau.operator)
    assert answer.status_code == 201, answer.text
    entry = answer.json()
    assert entry["kind"] == "placement" and entry["status"] == "closed"
    assert entry["placement"] == {"school": "S01", "applications": waiting[:2], "group": None}
    logged = client.get(f"{D}/audit", headers=bureau.auditor).json()[-1]
    assert logged["action"] == "ledger.recorded" and logged["seq"] == entry["recorded_seq"]
    assert logged["details"]["placement"] == entry["placement"]
    assert (
        json.loads(client.get(f"{D}/results.json").content) == results
    )  # nothing published changes
    sheet = load_workbook(
        io.BytesIO(client.get(f"{D}/ledger.xlsx", headers=bureau.operator).content)
    ).active
    values = {c.value for row in sheet.iter_rows() for c in row if c.value is not None}
    assert f"S01: {', '.join(waiting[:2])}" in values
    assert "人工安置 / manual placement" in values
