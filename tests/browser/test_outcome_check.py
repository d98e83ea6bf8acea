"""A parent on a phone checks the child's outcome in the browser with the outcome proof
(protocol §12.7 item 4, §17.1) that the look-up page holds: against the signed results head,
without downloading results.json. A changed leaf and a head signed by another key fail visibly
("核对不通过"), never "cannot check here". Before publication there is no proof and the check
stops after the record (§5.3). The draw is set up through the JSON API, as its clerk's tools
would."""

from __future__ import annotations

import datetime
import json
import re
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from browsing import PHONE, Browsing, Server, snapshot
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from lottery import canonical_json, commitment_file, cosignature_file, reveal_file, tagged_hash
from lottery.drand import DRAND_CHAINS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from helpers import id_number

pytestmark = pytest.mark.browser

DRAW = "XQ-2026-PROOF"
QUICKNET = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
WITNESS_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
WITNESS_SECRET = bytes(range(32, 64))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(64, 96)))
NAMES = ["张三丰", "李四", "王小明", "赵敏"]


def _future_round() -> str:
    """A quicknet round two hours ahead (Appendix A): its value cannot exist at sealing."""
    chain = DRAND_CHAINS[QUICKNET]
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=2)
    return str((int(later.timestamp()) - chain.genesis) // chain.period + 1)


def _ok(answer: httpx.Response) -> Any:
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def _cosign(api: httpx.Client, token: dict[str, str], of: str, document: dict[str, Any]) -> None:
    digest = tagged_hash(of, canonical_json(document))
    signed = cosignature_file(of, digest, "W1", WITNESS_KEY)  # type: ignore[arg-type]
    _ok(api.post(f"/api/draws/{DRAW}/cosignatures", json=signed, headers=token))


def _sealed(
    api: httpx.Client, operator: dict[str, str]
) -> tuple[list[dict[str, str]], str, dict[str, str]]:
    """A draw with one school of 2 seats and 4 children, sealed: the receipts, the pin and the
    witness's token."""
    spec = {
        "id": DRAW,
        "title": "结果证明核对",
        "mode": "single_school_lottery",
        "min_reveals": 1,
        "birth_date_from": "2019-09-01",
        "birth_date_to": "2020-08-31",
        "schools": [
            {"id": "S01", "name": "第一小学", "seats": 2, "tiers": [{"id": "T1", "label": "其他"}]}
        ],
        "categories": [],
        "beacon": {
            "primary": {"source": f"drand:{QUICKNET}", "round": _future_round(), "format": "hex64"}
        },
    }
    _ok(api.post("/api/draws", json=spec, headers=operator))
    rows = [
        {"name": n, "id_number": id_number(i + 1, male=i % 2 == 0), "preferences": ["S01"]}
        for i, n in enumerate(NAMES)
    ]
    receipts = _ok(api.post(f"/api/draws/{DRAW}/applicants", json=rows, headers=operator))
    witness = _ok(
        api.post(
            f"/api/draws/{DRAW}/witnesses", json={"id": "W1", "name": "公证处"}, headers=operator
        )
    )
    token = {"Authorization": f"Bearer {witness['token']}"}
    made = commitment_file(DRAW, "W1", "公证处", WITNESS_KEY, WITNESS_SECRET)
    _ok(api.put(f"/api/draws/{DRAW}/witnesses/W1/commitment", json=made, headers=token))
    _ok(api.post(f"/api/draws/{DRAW}/objection", headers=operator))
    _ok(api.post(f"/api/draws/{DRAW}/seal", headers=operator))
    pin = str(_ok(api.get(f"/api/draws/{DRAW}/announcement"))["pin_display"])
    return receipts["receipts"], pin, token


def _publish(api: httpx.Client, operator: dict[str, str], token: dict[str, str]) -> None:
    manifest = bytes.fromhex(_ok(api.get(f"/api/draws/{DRAW}"))["manifest_digest"])
    revealed = reveal_file(manifest, "W1", WITNESS_SECRET, WITNESS_KEY)
    _ok(api.post(f"/api/draws/{DRAW}/witnesses/W1/reveal", json=revealed, headers=token))
    _cosign(
        api, token, "checkpoint", _ok(api.post(f"/api/draws/{DRAW}/checkpoint", headers=operator))
    )
    statement = _ok(
        api.post(f"/api/draws/{DRAW}/beacon", json={"value": "cd" * 32}, headers=operator)
    )
    _cosign(api, token, "beacon", statement)
    _ok(api.post(f"/api/draws/{DRAW}/run", headers=operator))
    _ok(api.post(f"/api/draws/{DRAW}/publish", headers=operator))


def _lookup(page, server: Server, application: str, receipt: str, pin: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + f"/draws/{DRAW}/lookup")
    page.get_by_label("报名号").fill(application)
    page.get_by_label("回执码").fill(receipt)
    page.get_by_label("核对码 PIN (选填)").fill(pin)
    page.get_by_role("button", name="查询").click()
    page.get_by_role("heading", name="查询结果").wait_for()


def _run_check(page, receipt: str) -> str:  # type: ignore[no-untyped-def]
    page.get_by_label("回执码 (请照回执再输入一次)").fill(receipt)
    page.get_by_role("button", name="开始核对").click()
    verdict = page.locator("#check-verdict")
    verdict.filter(has_text=re.compile("可信|核对通过|不通过|不符|无法")).wait_for()
    return str(verdict.inner_text())


def _phone(browsing: Browsing, change=None):  # type: ignore[no-untyped-def]
    """A phone whose look-up answers pass through `change(check data)` (the tampering), and the
    addresses it requested."""
    page = browsing.page(PHONE)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    if change is not None:

        def tamper(route) -> None:  # type: ignore[no-untyped-def]
            if route.request.method != "POST":  # the form itself
                route.fallback()
                return
            response = route.fetch()
            pattern = r'(<script type="application/json" id="check-data">)(.*?)(</script>)'
            block = re.search(pattern, response.text())
            assert block is not None
            data = json.loads(block.group(2))
            change(data)
            body = response.text().replace(block.group(2), json.dumps(data).replace("<", "\\u003c"))
            route.fulfill(response=response, body=body)

        page.route(f"**/draws/{DRAW}/lookup*", tamper)  # the form posts to lookup?lang=
    return page, requested


def _changed_status(data: dict[str, Any]) -> None:
    leaf = data["outcome_proof"]["outcome"]
    leaf["status"] = "unplaced" if leaf["status"] == "admitted" else "admitted"


def _signed_by_another_key(data: dict[str, Any]) -> None:
    """A valid signature of the same head by a key the manifest does not name (§12.4)."""
    proof = data["outcome_proof"]
    digest = tagged_hash("results-head", canonical_json(proof["head"]))
    message = b"sunshine-draw/2/signature\x00results-head\x00" + digest
    public = OTHER_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    proof["signature"] = {
        "algorithm": "ed25519",
        "digest": digest.hex(),
        "fingerprint": tagged_hash("key-fingerprint", public).hex(),
        "kind": "results-head",
        "public_key": public.hex(),
        "signature": OTHER_KEY.sign(message).hex(),
    }


def test_family_checks_the_outcome_with_its_proof(browsing: Browsing, server: Server) -> None:
    operator = {"Authorization": f"Bearer {server.operator_token}"}
    with httpx.Client(base_url=server.url, timeout=30) as api:
        receipts, pin, token = _sealed(api, operator)
        child = receipts[0]
        application, receipt = child["application"], child["receipt_code"]
        # before publication: no proof yet, the check ends with the record in the sealed list
        early, _ = _phone(browsing)
        _lookup(early, server, application, receipt, pin)
        assert _run_check(early, receipt).startswith("可信")
        assert early.locator("#check-steps li").count() == 4
        assert early.get_by_text("结果证明核对通过").count() == 0
        _publish(api, operator, token)
        results = json.loads(api.get(f"/api/draws/{DRAW}/results.json").content)

    phone, requested = _phone(browsing)
    _lookup(phone, server, application, receipt, pin)
    verdict = _run_check(phone, receipt)
    assert verdict.startswith("可信"), verdict
    steps = phone.locator("#check-steps").inner_text()
    row = next(r for r in results["applicants"] if r[0] == application)
    status = {"admitted": "已录取", "waitlisted": "候补", "unplaced": "未录取"}[row[2]]
    assert "结果证明核对通过" in steps and status in steps, steps
    assert "结果头第 0 号 (已计入 0 项递补操作)" in steps, steps
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    fetched = [httpx.URL(u).path for u in requested]
    assert f"/api/draws/{DRAW}/manifest.json" in fetched
    assert not any("results" in path for path in fetched), fetched  # the proof, not results.json
    weight = phone.evaluate(
        """() => document.documentElement.outerHTML.length + performance
          .getEntriesByType("resource").reduce((n, r) => n + r.encodedBodySize, 0)"""
    )
    assert weight < 100_000, weight  # the page, its stylesheet, check.js and the two manifest files
    snapshot(phone, "lookup-check-outcome-proof", sizes=("phone",))

    for name, change, why in (
        ("leaf", _changed_status, "the outcome is not the one the head signed"),
        ("other-key", _signed_by_another_key, "signed by a key the manifest does not name"),
    ):
        tampered, _ = _phone(browsing, change)
        _lookup(tampered, server, application, receipt, pin)
        verdict = _run_check(tampered, receipt)
        assert "核对不通过" in verdict and why in verdict and "无法" not in verdict, (name, verdict)
        assert tampered.get_by_text("结果证明核对通过").count() == 0
        snapshot(tampered, f"lookup-check-outcome-{name}", sizes=("phone",))
