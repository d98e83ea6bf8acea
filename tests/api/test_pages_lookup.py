"""The parent look-up page and the big screen's JSON on a published draw (no browser)."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from helpers import DRAW_ID, run_ceremony, sealed_draw


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
    assert mine["receipt_code"] not in html  # the code is never echoed back


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


def test_draw_page_names_reserved_seats_by_their_label(client: TestClient, bureau) -> None:  # type: ignore[no-untyped-def]
    sealed_draw(client, bureau.operator)
    page = client.get(f"/draws/{DRAW_ID}")
    assert page.status_code == 200
    assert "随迁子女: 1" in page.text and "第一小学" in page.text
    manifest = client.get(f"/api/draws/{DRAW_ID}/manifest.json").json()
    assert manifest["signing_key"]["fingerprint"] in page.text
