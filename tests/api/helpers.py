"""Small draws for the service tests: rules, applicants with valid ID numbers, witnesses."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from fastapi.testclient import TestClient

from lottery import witness_commitment

DRAW_ID = "XQ-2026-primary"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_number(serial: int, *, male: bool) -> str:
    """A valid GB 11643 ID number (check digit computed) for test child `serial` (< 10,000)."""
    birth = datetime.date(2020, 1, 1) + datetime.timedelta(days=serial // 100)
    body = f"110101{birth:%Y%m%d}{serial % 100:02d}{1 if male else 2}"
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return body + _CHECK[total % 11]


def draw_spec(*, seats: int = 3, beacon: bool = True) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "id": DRAW_ID,
        "title": "某县第一小学 2026 年摇号",
        "mode": "single_school_lottery",
        "min_reveals": 2,
        "birth_date_from": "2019-09-01",
        "birth_date_to": "2020-08-31",
        "schools": [
            {
                "id": "S01",
                "name": "第一小学",
                "seats": seats,
                "tiers": [{"id": "T1", "label": "户籍+房产"}, {"id": "T2", "label": "其他"}],
                "reserved": [{"category": "MIG", "seats": 1}],
            }
        ],
        "categories": [{"id": "MIG", "label": "随迁子女"}],
    }
    if beacon:
        spec["beacon"] = {"primary": {"source": "drand", "round": "123", "format": "hex64"}}
    return spec


def applicant_rows(count: int) -> list[dict[str, Any]]:
    names = ["张三丰", "李四", "王小明", "赵敏", "钱多多", "孙悟空", "周芷若", "吴用"]
    rows = []
    for i in range(count):
        row: dict[str, Any] = {
            "name": names[i % len(names)] + ("" if i < len(names) else "甲"),
            "id_number": id_number(i + 1, male=i % 2 == 0),
            "preferences": ["S01"],
        }
        if i % 3 == 0:
            row["tiers"] = {"S01": "T1"}
        if i % 4 == 1:
            row["category"] = "MIG"
        rows.append(row)
    return rows


def secret(code: str) -> bytes:
    return hashlib.sha256(b"test witness " + code.encode()).digest()


def sealed_draw(
    client: TestClient, headers: dict[str, str], *, applicants: int = 6
) -> dict[str, Any]:
    """Create a draw, add applicants and 3 committed witnesses, open objection and seal.

    Returns the witnesses' tokens and the applicants' receipts."""
    assert client.post("/api/draws", json=draw_spec(), headers=headers).status_code == 201
    created = client.post(
        f"/api/draws/{DRAW_ID}/applicants", json=applicant_rows(applicants), headers=headers
    )
    assert created.status_code == 201, created.text
    witnesses = {}
    for code in ("W1", "W2", "W3"):
        answer = client.post(
            f"/api/draws/{DRAW_ID}/witnesses",
            json={"id": code, "name": f"见证人{code}"},
            headers=headers,
        )
        assert answer.status_code == 201, answer.text
        token = {"Authorization": f"Bearer {answer.json()['token']}"}
        witnesses[code] = token
        body = {"commitment": witness_commitment(code, secret(code))}
        put = client.put(
            f"/api/draws/{DRAW_ID}/witnesses/{code}/commitment", json=body, headers=token
        )
        assert put.status_code == 200, put.text
    assert client.post(f"/api/draws/{DRAW_ID}/objection", headers=headers).status_code == 200
    sealed = client.post(f"/api/draws/{DRAW_ID}/seal", headers=headers)
    assert sealed.status_code == 200, sealed.text
    return {"witnesses": witnesses, "receipts": created.json()["receipts"]}


def run_ceremony(
    client: TestClient,
    headers: dict[str, str],
    witnesses: dict[str, Any],
    *,
    reveal: tuple[str, ...] = ("W1", "W2", "W3"),
) -> None:
    assert client.post(f"/api/draws/{DRAW_ID}/ceremony", headers=headers).status_code == 200
    for code in reveal:
        answer = client.post(
            f"/api/draws/{DRAW_ID}/witnesses/{code}/reveal",
            json={"secret": secret(code).hex()},
            headers=witnesses[code],
        )
        assert answer.status_code == 200, answer.text
    beacon = client.post(f"/api/draws/{DRAW_ID}/beacon", json={"value": "ab" * 32}, headers=headers)
    assert beacon.status_code == 200, beacon.text
