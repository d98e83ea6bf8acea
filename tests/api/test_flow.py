"""The whole lifecycle through HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import zipfile

from fastapi.testclient import TestClient
from helpers import DRAW_ID, run_ceremony, sealed_draw

from lottery import applicant_entry, canonical_json, leaf_hash, read_bundle, verify_inclusion


def test_full_draw_publishes_a_bundle_the_engine_reads(
    client: TestClient, bureau, tmp_path
) -> None:
    setup = sealed_draw(client, bureau.operator)
    manifest = client.get(f"/api/draws/{DRAW_ID}/manifest.json")
    assert manifest.status_code == 200
    assert json.loads(manifest.content)["applicants"]["count"] == 6
    run_ceremony(client, bureau.operator, setup["witnesses"])
    first = client.post(f"/api/draws/{DRAW_ID}/run", headers=bureau.operator)
    assert first.status_code == 200, first.text
    again = client.post(f"/api/draws/{DRAW_ID}/run", headers=bureau.operator)
    assert again.json() == first.json()
    assert client.get(f"/api/draws/{DRAW_ID}/results.json").status_code == 409
    assert client.post(f"/api/draws/{DRAW_ID}/publish", headers=bureau.operator).status_code == 200
    results = json.loads(client.get(f"/api/draws/{DRAW_ID}/results.json").content)
    admitted = [row for row in results["applicants"] if row[2] == "admitted"]
    assert len(admitted) == 3
    archive = client.get(f"/api/draws/{DRAW_ID}/bundle.zip")
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.content)) as z:
        names = {n.split("/", 1)[1] for n in z.namelist()}
        assert {"manifest.json", "results.json", "audit.jsonl", "audit.sig.json"} <= names
        for receipt in setup["receipts"]:
            for name in z.namelist():
                assert receipt["receipt_code"].encode() not in z.read(name)
    path = tmp_path / "bundle.zip"
    path.write_bytes(archive.content)
    bundle = read_bundle(path)
    assert bundle.results == results


def test_lookup_answers_the_family_and_nobody_else(client: TestClient, bureau) -> None:
    setup = sealed_draw(client, bureau.operator)
    run_ceremony(client, bureau.operator, setup["witnesses"])
    client.post(f"/api/draws/{DRAW_ID}/run", headers=bureau.operator)
    client.post(f"/api/draws/{DRAW_ID}/publish", headers=bureau.operator)
    mine, other = setup["receipts"][0], setup["receipts"][1]
    answer = client.post(
        f"/api/draws/{DRAW_ID}/lookup",
        json={"application": mine["application"], "receipt": mine["receipt_code"]},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] in {"admitted", "waitlisted", "unplaced"}
    assert len(body["lottery_number"]) == 16
    manifest = json.loads(client.get(f"/api/draws/{DRAW_ID}/manifest.json").content)
    assert body["applicant_root"] == manifest["applicants"]["root"]
    entry = applicant_entry(canonical_json(body["record"]))
    verify_inclusion(
        leaf=leaf_hash(entry),
        index=body["leaf_index"],
        tree_size=body["tree_size"],
        proof=[bytes.fromhex(p) for p in body["inclusion_proof"]],
        root=bytes.fromhex(body["applicant_root"]),
    )
    wrong_code = client.post(
        f"/api/draws/{DRAW_ID}/lookup",
        json={"application": other["application"], "receipt": mine["receipt_code"]},
    )
    unknown = client.post(
        f"/api/draws/{DRAW_ID}/lookup",
        json={"application": "XQ999999", "receipt": mine["receipt_code"]},
    )
    assert wrong_code.status_code == unknown.status_code == 404
    assert wrong_code.json() == unknown.json()


def test_the_independent_verifier_accepts_the_published_bundle(
    client: TestClient, bureau, tmp_path
) -> None:
    from verifier import verify_bundle

    setup = sealed_draw(client, bureau.operator)
    client.post(
        f"/api/draws/{DRAW_ID}/rehearsals", json={"text": "practice"}, headers=bureau.operator
    )
    run_ceremony(client, bureau.operator, setup["witnesses"])
    client.post(f"/api/draws/{DRAW_ID}/run", headers=bureau.operator)
    client.post(f"/api/draws/{DRAW_ID}/publish", headers=bureau.operator)
    path = tmp_path / "bundle.zip"
    path.write_bytes(client.get(f"/api/draws/{DRAW_ID}/bundle.zip").content)
    report = verify_bundle(path)
    assert report.passed, report.as_dict()
    audit_check = next(c for c in report.as_dict()["checks"] if c["number"] == 13)
    assert audit_check["status"] == "PASS", audit_check
