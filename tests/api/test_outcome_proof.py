"""The look-up hands the family an outcome proof (protocol §12.7 item 4) that checks offline
against the signed results head of the draw as it stands: head 0 on the draw day, head 1 after
the first batch of post-draw actions; with the per-label cutoffs (§10.8) of the school the child
holds and of each school it waits for."""

from __future__ import annotations

import io
import json
import zipfile

from fastapi.testclient import TestClient
from helpers import DRAW_ID, run_ceremony, sealed_draw

from lottery import check_outcome_proof
from verifier.cli import main as verify_draw

D = f"/api/draws/{DRAW_ID}"


def _published(client: TestClient, bureau) -> tuple[dict, dict[str, str], str]:  # type: ignore[no-untyped-def]
    setup = sealed_draw(client, bureau.operator)
    run_ceremony(client, bureau.operator, setup["witnesses"])
    assert client.post(f"{D}/run", headers=bureau.operator).status_code == 200
    assert client.post(f"{D}/publish", headers=bureau.operator).status_code == 200
    results = json.loads(client.get(f"{D}/results.json").content)
    receipts = {r["application"]: r["receipt_code"] for r in setup["receipts"]}
    return results, receipts, client.get(f"{D}/announcement").json()["pin"]


def _bundle_heads(client: TestClient) -> list[dict]:  # type: ignore[type-arg]
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{D}/bundle.zip").content))
    lines = archive.read(f"{DRAW_ID}/heads.jsonl").splitlines()
    return [json.loads(line) for line in lines]


def _look_up(client: TestClient, application: str, receipt: str) -> dict:  # type: ignore[type-arg]
    answer = client.post(f"{D}/lookup", json={"application": application, "receipt": receipt})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_the_look_up_proof_checks_with_the_pin_and_the_receipt(client, bureau, tmp_path) -> None:  # type: ignore[no-untyped-def]
    results, receipts, pin = _published(client, bureau)
    waiting = next(row[0] for row in results["applicants"] if row[2] == "waitlisted")
    answer = _look_up(client, waiting, receipts[waiting])
    proof = answer["outcome_proof"]
    assert answer["outcome_proof_file"] == f"outcome-proof-{waiting}.json"
    assert "verify-draw outcome" in answer["outcome_proof_check_en"]
    assert proof["kind"] == "outcome-proof" and proof["head"]["seq"] == 0
    assert proof["outcome"]["application"] == waiting
    assert proof["outcome"]["status"] == answer["status"] == "waitlisted"
    check_outcome_proof(proof, pin=pin, receipt=receipts[waiting])
    assert _bundle_heads(client)[-1] == proof["head"]  # the bundle publishes the same head
    file = client.post(
        f"{D}/outcome-proof", json={"application": waiting, "receipt": receipts[waiting]}
    )
    assert file.status_code == 200
    assert f'filename="outcome-proof-{waiting}.json"' in file.headers["content-disposition"]
    assert json.loads(file.content) == proof
    saved = tmp_path / f"outcome-proof-{waiting}.json"
    saved.write_bytes(file.content)  # what the family keeps, checked as the page tells it
    assert verify_draw(["outcome", str(saved), "--pin", pin]) == 0
    assert verify_draw(["outcome", str(saved), "--pin", pin, "--receipt", "0" * 16]) != 0
    (school,) = answer["cutoffs"]  # it waits for S01
    assert school["school"] == "S01"
    assert [c["label"] for c in school["cutoffs"]] == ["open", "reserved:MIG"]
    assert school["text_zh"][0].startswith("普通名额录取线")
    assert school["text_zh"][1].startswith("随迁子女专项名额录取线")
    assert school["text_en"][0].startswith("Open-seat cutoff")
    wrong = client.post(f"{D}/outcome-proof", json={"application": waiting, "receipt": "0" * 16})
    assert wrong.status_code == 404 and "outcome" not in wrong.text


def test_after_a_decline_the_proof_is_against_head_1(client, bureau) -> None:  # type: ignore[no-untyped-def]
    results, receipts, pin = _published(client, bureau)
    admitted = next(row[0] for row in results["applicants"] if row[2] == "admitted")
    first = results["schools"][0]["waitlist"][0]
    before = _look_up(client, first, receipts[first])["outcome_proof"]
    assert before["head"]["seq"] == 0
    recorded = client.post(
        f"{D}/actions", json={"type": "decline", "application": admitted}, headers=bureau.operator
    )
    assert recorded.status_code == 201, recorded.text
    after = _look_up(client, first, receipts[first])
    proof = after["outcome_proof"]
    assert proof["head"]["seq"] == 1 and proof["head"]["actions"] == 1
    assert proof["outcome"]["status"] == after["status"] == "admitted"
    check_outcome_proof(proof, pin=pin, receipt=receipts[first])
    gone = _look_up(client, admitted, receipts[admitted])["outcome_proof"]
    assert gone["outcome"]["status"] == "decline" and gone["head"]["seq"] == 1
    log = client.get(f"{D}/audit", headers=bureau.auditor).json()
    batches = [e for e in log if e["action"] == "actions.recorded"]
    assert [b["details"]["count"] for b in batches] == [1]
    signed = json.loads(client.get(f"{D}/actions.json").content)["audit"]
    assert signed["seq"] == batches[0]["seq"] - 1  # the entry just before it (§15.3)
    assert proof["head"]["audit"] == signed
    assert _bundle_heads(client)[-1] == proof["head"]
