"""Documents over HTTP from a stored draw, on SQLite and PostgreSQL: the public ones for
anyone once published, the letters and the school's unmasked register for the operator only,
each register download in the audit log."""

from __future__ import annotations

import io
import re

import pypdf
from fastapi.testclient import TestClient
from helpers import DRAW_ID, run_ceremony, sealed_draw
from openpyxl import load_workbook

BASE = f"/api/draws/{DRAW_ID}/documents"


def _published(client: TestClient, headers: dict[str, str]) -> dict[str, object]:
    setup = sealed_draw(client, headers, applicants=12)
    run_ceremony(client, headers, setup["witnesses"])  # type: ignore[arg-type]
    assert client.post(f"/api/draws/{DRAW_ID}/run", headers=headers).status_code == 200
    return setup


def _text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def test_public_documents_wait_for_publication_then_anyone_gets_them(
    client: TestClient, bureau
) -> None:
    setup = _published(client, bureau.operator)
    assert client.get(f"{BASE}/announcement.pdf").status_code == 409  # drawn, not published
    assert client.get(f"{BASE}/announcement.pdf", headers=bureau.operator).status_code == 200
    assert client.post(f"/api/draws/{DRAW_ID}/publish", headers=bureau.operator).status_code == 200
    answer = client.get(
        f"{BASE}/announcement.pdf",
        params={
            "posted_at": "2026-07-10 09:30",
            "contact": "招生办",
            "lookup_url": "https://x.cn/l",
        },
    )
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    found = _text(answer.content)
    assert "公示日期：2026年7月10日09:30" in found and "https://x.cn/l" in found
    for path in ("draw-record.pdf", "results.xlsx", "results.csv", "classes.pdf"):
        assert client.get(f"{BASE}/{path}").status_code == 200, path
    english = client.get(f"{BASE}/announcement.pdf", params={"language": "en"})
    assert "Publicannouncement" in _text(english.content)
    receipts = setup["receipts"]
    assert isinstance(receipts, list)
    for path in (
        "letters.pdf?application=" + receipts[0]["application"],
        "schools/S01/register.xlsx",
    ):
        assert client.get(f"{BASE}/{path}").status_code == 401, path


def test_letters_and_the_register_are_the_operators_and_the_register_is_audited(
    client: TestClient, bureau
) -> None:
    setup = _published(client, bureau.operator)
    receipts = setup["receipts"]
    assert isinstance(receipts, list)
    first = receipts[0]["application"]
    letters = client.get(
        f"{BASE}/letters.pdf", params={"application": first}, headers=bureau.operator
    )
    assert letters.status_code == 200, letters.text
    assert "同学家长" in _text(letters.content)
    assert (
        client.get(
            f"{BASE}/letters.pdf", params={"application": first}, headers=bureau.other_operator
        ).status_code
        == 404
    )
    before = len(client.get(f"/api/draws/{DRAW_ID}/audit", headers=bureau.operator).json())
    register = client.get(f"{BASE}/schools/S01/register.xlsx", headers=bureau.operator)
    assert register.status_code == 200, register.text
    sheet = load_workbook(io.BytesIO(register.content))["录取名单"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows and all("*" not in str(row[2]) and len(str(row[3])) == 18 for row in rows)
    events = client.get(f"/api/draws/{DRAW_ID}/audit", headers=bureau.operator).json()
    assert len(events) == before + 1
    assert events[-1]["action"] == "school_register_export"
    assert (
        client.get(f"{BASE}/schools/S01/register.xlsx", headers=bureau.auditor).status_code == 403
    )
    assert (
        client.get(f"{BASE}/schools/NOPE/register.xlsx", headers=bureau.operator).status_code == 422
    )


def test_the_applicant_notice_and_the_notice_of_waitlist_moves(client: TestClient, bureau) -> None:
    setup = _published(client, bureau.operator)
    notice = client.get(f"{BASE}/applicants.pdf", params={"posted_at": "2026-06-20 08:00"})
    assert notice.status_code == 200, notice.text
    found = _text(notice.content)
    assert "摇号前报名名单公示" in found and "公示日期：2026年6月20日08:00" in found
    public = client.get(f"/api/draws/{DRAW_ID}/applicants/public").json()
    assert len(public) == 12
    for child in public:
        assert f"{child['application']}{child['masked_name']}{child['masked_id']}" in found
    assert client.post(f"/api/draws/{DRAW_ID}/publish", headers=bureau.operator).status_code == 200
    assert client.get(f"{BASE}/after-actions.pdf").status_code == 422  # nothing happened yet
    receipts = setup["receipts"]
    assert isinstance(receipts, list)
    results = client.get(f"/api/draws/{DRAW_ID}/results.json").json()
    admitted = next(row[0] for row in results["applicants"] if row[2] == "admitted")
    declined = client.post(
        f"/api/draws/{DRAW_ID}/actions",
        json={"type": "decline", "application": admitted},
        headers=bureau.operator,
    )
    assert declined.status_code == 201, declined.text
    moves = _text(client.get(f"{BASE}/after-actions.pdf").content)
    assert "递补结果公示" in moves and admitted in moves and "已放弃" in moves
    for moved, _, _ in declined.json()["moves"]:
        assert moved in moves
