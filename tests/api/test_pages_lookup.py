"""The parent look-up page and the big screen's JSON on a published draw (no browser)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from pathlib import Path

import pdfplumber
from fastapi.testclient import TestClient
from helpers import DRAW_ID, applicant_rows, draw_spec, run_ceremony, sealed_draw

from api.documents import Notice, RecordDetails
from api.documents.catalogue import document_digests, public_documents
from lottery import read_bundle


def _published(client: TestClient, operator: dict[str, str]) -> list[dict[str, str]]:
    setup = sealed_draw(client, operator)
    run_ceremony(client, operator, setup["witnesses"])
    assert client.post(f"/api/draws/{DRAW_ID}/run", headers=operator).status_code == 200
    assert client.post(f"/api/draws/{DRAW_ID}/publish", headers=operator).status_code == 200
    receipts: list[dict[str, str]] = setup["receipts"]
    return receipts


def _check_data(html: str) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="check-data">(.*?)</script>', html)
    assert match is not None
    data: dict[str, object] = json.loads(match.group(1))
    return data


def test_family_reads_its_answer_in_its_words(client: TestClient, bureau) -> None:  # type: ignore[no-untyped-def]
    receipts = _published(client, bureau.operator)
    mine = receipts[0]
    typed = mine["receipt_code"].lower().replace("0", "o")
    answer = client.post(
        f"/draws/{DRAW_ID}/lookup",
        data={"application": " " + mine["application"].lower() + " ", "receipt": typed},
    )
    assert answer.status_code == 200, answer.text
    html = answer.text
    assert "第一小学" in html and "摇号号码" in html and "下一步" in html
    assert re.search(r"已录取: 第一小学|暂未录取|未录取", html)
    data = _check_data(html)
    assert data["application"] == mine["application"] and data["published"] is True
    lookup = client.post(
        f"/api/draws/{DRAW_ID}/lookup",
        json={"application": mine["application"], "receipt": mine["receipt_code"]},
    ).json()
    assert data["inclusion_proof"] == lookup["inclusion_proof"]
    assert data["lottery_number"] == lookup["lottery_number"]
    assert data["outcome_proof"] == lookup["outcome_proof"]  # check.js checks it (§12.7 item 4)
    assert mine["receipt_code"] not in html  # the code is never echoed back
    # the cutoffs per seat label (§10.8), in the family's words
    assert "普通名额录取线" in html and "随迁子女专项名额录取线" in html
    # the outcome proof (§12.7 item 4) as a file, and how to check it offline
    link = re.search(r'<a id="outcome-proof" href="data:application/json;base64,([^"]+)" '
                     r'download="([^"]+)">', html)  # fmt: skip
    assert link is not None and link.group(2) == f"outcome-proof-{mine['application']}.json"
    assert json.loads(base64.b64decode(link.group(1))) == lookup["outcome_proof"]
    assert f"verify-draw outcome {link.group(2)} --pin PIN" in html


def test_wrong_code_and_unknown_number_read_the_same(client: TestClient, bureau) -> None:  # type: ignore[no-untyped-def]
    receipts = _published(client, bureau.operator)
    mine, other = receipts[0], receipts[1]
    wrong = client.post(
        f"/draws/{DRAW_ID}/lookup",
        data={"application": other["application"], "receipt": mine["receipt_code"]},
    )
    unknown = client.post(
        f"/draws/{DRAW_ID}/lookup",
        data={"application": "XQ999999", "receipt": mine["receipt_code"]},
    )
    assert wrong.status_code == unknown.status_code == 404
    assert "报名号或回执码不正确" in wrong.text and "报名号或回执码不正确" in unknown.text
    empty = client.post(f"/draws/{DRAW_ID}/lookup", data={"application": "", "receipt": ""})
    assert empty.status_code == 422


def test_big_screen_shows_results_in_lottery_order_once_published(
    client: TestClient,
    bureau,  # type: ignore[no-untyped-def]
) -> None:
    _published(client, bureau.operator)
    state = client.get(f"/draws/{DRAW_ID}/screen.json").json()
    assert state["state"] == "published" and state["seed"] and state["rehearsal"] is None
    assert all(w["secret"] for w in state["witnesses"])
    (school,) = state["results"]
    numbers = [r["lottery_number"] for r in school["admitted"]]
    assert numbers == sorted(numbers) and 0 < len(numbers) <= school["seats"]
    assert all("*" in r["masked_name"] for r in school["admitted"])


def test_big_screen_keeps_results_back_until_published(client: TestClient, bureau) -> None:  # type: ignore[no-untyped-def]
    setup = sealed_draw(client, bureau.operator)
    run_ceremony(client, bureau.operator, setup["witnesses"])
    assert client.post(f"/api/draws/{DRAW_ID}/run", headers=bureau.operator).status_code == 200
    state = client.get(f"/draws/{DRAW_ID}/screen.json").json()
    assert state["state"] == "drawn" and state["results"] is None
    assert state["seed"] is not None  # the seed is public as soon as the draw has run


def test_public_list_page_is_masked_numbered_and_searchable(client: TestClient, bureau) -> None:  # type: ignore[no-untyped-def]
    setup = sealed_draw(client, bureau.operator, applicants=6)
    private = client.get(f"/api/draws/{DRAW_ID}/applicants/private", headers=bureau.operator)
    page = client.get(f"/draws/{DRAW_ID}/list")
    assert page.status_code == 200 and "共 6 人" in page.text
    for child in private.json():
        assert child["application"] in page.text and child["masked_name"] in page.text
        assert child["name"] not in page.text and child["id_number"] not in page.text
    assert "第一小学 (户籍+房产)" in page.text and "第一小学 (其他)" in page.text
    mine = setup["receipts"][2]["application"]
    found = client.get(f"/draws/{DRAW_ID}/list", params={"q": mine.lower()})
    assert "共 1 人" in found.text and mine in found.text


def test_before_publication_the_family_sees_its_record_is_sealed(
    client: TestClient, bureau
) -> None:  # type: ignore[no-untyped-def]
    setup = sealed_draw(client, bureau.operator)
    mine = setup["receipts"][0]
    answer = client.post(
        f"/draws/{DRAW_ID}/lookup",
        data={"application": mine["application"], "receipt": mine["receipt_code"]},
    )
    assert answer.status_code == 200, answer.text
    assert "结果尚未公布, 孩子的报名记录已在封存名单中" in answer.text
    assert "录取线" not in answer.text  # no cutoff before there are results
    data = _check_data(answer.text)
    assert data["published"] is False and data["lottery_number"] is None
    assert data["outcome_proof"] is None  # no results head yet: check.js skips that step


def test_draw_page_names_reserved_seats_by_their_label(client: TestClient, bureau) -> None:  # type: ignore[no-untyped-def]
    sealed_draw(client, bureau.operator)
    page = client.get(f"/draws/{DRAW_ID}")
    assert page.status_code == 200
    assert "随迁子女: 1" in page.text and "第一小学" in page.text
    manifest = client.get(f"/api/draws/{DRAW_ID}/manifest.json").json()
    assert manifest["signing_key"]["fingerprint"] in page.text


def test_the_sealing_announcement_page_and_pdf_give_the_pin(  # type: ignore[no-untyped-def]
    client: TestClient, bureau, tmp_path: Path
) -> None:
    """§12.6: the page and the printable PDF carry the service's announced pin; the PDF has the
    bytes the signed index lists, so the notary's printed copy can be checked against it."""
    _published(client, bureau.operator)
    announced = client.get(f"/api/draws/{DRAW_ID}/announcement").json()
    page = client.get(f"/draws/{DRAW_ID}/announcement")
    assert page.status_code == 200
    assert f'<p class="pin" id="sealing-pin">{announced["pin_display"]}</p>' in page.text
    pdf = client.get(f"/draws/{DRAW_ID}/announcement.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    with pdfplumber.open(io.BytesIO(pdf.content)) as document:
        found = "".join(p.extract_text() or "" for p in document.pages).replace(" ", "")
    assert announced["pin_display"] in found and announced["key_fingerprint"] in found
    english = client.get(f"/draws/{DRAW_ID}/announcement.pdf", params={"lang": "en"})
    assert english.status_code == 200 and "Sealingannouncement" in _pdf_text(english.content)
    path = tmp_path / "bundle.zip"
    path.write_bytes(client.get(f"/api/draws/{DRAW_ID}/bundle.zip").content)
    record = RecordDetails(printed_at="2026-07-01T00:00:00Z", place="某县")
    documents = public_documents(read_bundle(path), notice=Notice(), record=record)
    assert document_digests(documents)["封存公告.pdf"] == hashlib.sha256(pdf.content).hexdigest()


def _pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as document:
        return re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in document.pages))


def test_no_sealing_announcement_before_sealing(client: TestClient, bureau) -> None:  # type: ignore[no-untyped-def]
    operator = bureau.operator
    assert client.post("/api/draws", json=draw_spec(), headers=operator).status_code == 201
    rows = client.post(f"/api/draws/{DRAW_ID}/applicants", json=applicant_rows(3), headers=operator)
    assert rows.status_code == 201
    assert client.post(f"/api/draws/{DRAW_ID}/objection", headers=operator).status_code == 200
    page = client.get(f"/draws/{DRAW_ID}/announcement")  # public from the objection period
    assert page.status_code == 200 and 'id="sealing-pending"' in page.text
    assert client.get(f"/draws/{DRAW_ID}/announcement.pdf").status_code == 404
