"""The same bureau draw as `test_cli_bureau_draw`, through the HTTP API only: the draw from the
workbook, the bureau's own export, a correction, three witnesses on their own credentials, the
run, publication, a family's look-up with its receipt code, and the bundle verified (issue 13).
No JSON is written by hand beyond the small request bodies of each step."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from helpers import commit_witnesses, run_ceremony
from import_corpus.bureau import bureau_export

DRAW = "XQ-2026-XX01"
WITNESSES = ("W1-notary", "W2-inspector", "W3-parent")


def _ok(answer, status: int = 200):  # type: ignore[no-untyped-def]
    assert answer.status_code == status, answer.text
    return answer


def test_a_bureau_draw_over_http_from_its_own_export_to_a_verified_bundle(
    client: TestClient, bureau, tmp_path: Path
) -> None:
    operator = bureau.operator
    workbook = _ok(client.get("/api/draw-template.xlsx")).content
    _ok(client.post("/api/draws/workbook", content=workbook, headers=operator), 201)
    export = bureau_export(tmp_path / "报名导出.xlsx", children=30).read_bytes()
    imported = _ok(
        client.post(
            f"/api/draws/{DRAW}/applicants/import",
            content=export,
            params={"filename": "报名导出.xlsx"},
            headers=operator,
        ),
        201,
    ).json()
    assert imported["count"] == 30
    receipts = {r["application"]: r["receipt_code"] for r in imported["receipts"]}
    _ok(client.post(f"/api/draws/{DRAW}/objection", headers=operator))
    child = sorted(receipts)[3]
    corrected = _ok(
        client.patch(
            f"/api/draws/{DRAW}/applicants/{child}",
            json={"reason": "异议成立: 第二志愿录入错误", "preferences": ["城南小学"]},
            headers=operator,
        )
    ).json()
    assert corrected["receipt_code"] == receipts[child]
    tokens = commit_witnesses(client, operator, DRAW, WITNESSES)
    _ok(client.post(f"/api/draws/{DRAW}/seal", headers=operator))
    run_ceremony(client, operator, tokens, value="ef" * 32, draw_id=DRAW)
    _ok(client.post(f"/api/draws/{DRAW}/run", headers=operator))
    _ok(client.post(f"/api/draws/{DRAW}/publish", headers=operator))
    looked_up = _ok(
        client.post(
            f"/api/draws/{DRAW}/lookup",
            json={"application": child, "receipt": receipts[child]},
        )
    ).json()
    assert looked_up["record"]["preferences"] == ["S03"]
    assert list(looked_up["record"]["tiers"]) == ["S03"], "the child's tier follows its schools"
    bundle = tmp_path / f"{DRAW}.zip"
    bundle.write_bytes(_ok(client.get(f"/api/draws/{DRAW}/bundle.zip")).content)
    from verifier import verify_bundle

    report = verify_bundle(bundle)
    assert report.passed, report.as_dict()
