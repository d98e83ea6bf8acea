"""The ceremony through the service (protocol §7): witness files, reveal receipts, the
checkpoint and beacon co-signatures, refusals in the audit log, fallback, void, rehearsals."""

from __future__ import annotations

import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi.testclient import TestClient
from helpers import (
    CLOSE_AT,
    DRAW_ID,
    applicant_rows,
    commitment,
    cosign,
    draw_spec,
    reveal,
    run_ceremony,
    sealed_draw,
    secret,
    witness_key,
)

from lottery import AuditHead, format_pin, pin, reveal_file, tagged_hash
from lottery.encoding import canonical_json

D = f"/api/draws/{DRAW_ID}"


def _actions(client: TestClient, headers) -> list[dict]:
    return client.get(f"{D}/audit", headers=headers).json()


def _refusals(client: TestClient, headers) -> list[dict]:
    return [e for e in _actions(client, headers) if e["action"].startswith("refused.")]


def test_a_reveal_that_does_not_match_is_refused_and_logged(client: TestClient, bureau) -> None:
    setup = sealed_draw(client, bureau.operator)
    token = setup["witnesses"]["W1"]
    forged = reveal_file(bytes.fromhex(setup["manifest"]), "W1", secret("W2"), witness_key("W1"))
    version = client.get(D, headers=bureau.operator).json()["version"]
    wrong = client.post(f"{D}/witnesses/W1/reveal", json=forged, headers=token)
    assert wrong.status_code == 422
    assert "W1" in wrong.json()["message_en"] and "commitment" in wrong.json()["message_en"]
    refusal = _refusals(client, bureau.auditor)[-1]
    assert refusal["action"] == "refused.reveal" and refusal["details"]["witness"] == "W1"
    assert secret("W2").hex() not in json.dumps(refusal)  # a refusal holds no secret
    assert client.get(D, headers=bureau.operator).json()["version"] == version  # nothing else
    right = client.post(
        f"{D}/witnesses/W1/reveal", json=reveal("W1", setup["manifest"]), headers=token
    )
    assert right.status_code == 200, right.text
    twice = client.post(
        f"{D}/witnesses/W1/reveal", json=reveal("W1", setup["manifest"]), headers=token
    )
    assert twice.status_code == 409


def test_the_reveal_receipt_is_signed_and_holds_the_head_after_the_reveal(
    client: TestClient, bureau
) -> None:
    setup = sealed_draw(client, bureau.operator)
    receipt = client.post(
        f"{D}/witnesses/W2/reveal",
        json=reveal("W2", setup["manifest"]),
        headers=setup["witnesses"]["W2"],
    ).json()
    assert receipt["kind"] == "reveal-receipt" and receipt["manifest"] == setup["manifest"]
    log = _actions(client, bureau.auditor)
    entry = log[-1]
    assert entry["action"] == "witness.revealed" and entry["draw"] == DRAW_ID
    assert receipt["audit"] == {"seq": entry["seq"], "hash": entry["entry_hash"]}
    body = {k: v for k, v in receipt.items() if k != "signature"}
    digest = tagged_hash("reveal-receipt", canonical_json(body))
    manifest = json.loads(client.get(f"{D}/manifest.json").content)
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(manifest["signing_key"]["public_key"]))
    message = b"sunshine-draw/2/signature\x00reveal-receipt\x00" + digest
    key.verify(bytes.fromhex(receipt["signature"]), message)  # raises if it does not verify
    assert AuditHead(**receipt["audit"]).seq == entry["seq"]


def test_a_wrong_or_missing_token_is_refused_and_logged(client: TestClient, bureau) -> None:
    setup = sealed_draw(client, bureau.operator)
    document = reveal("W1", setup["manifest"])
    missing = client.post(f"{D}/witnesses/W1/reveal", json=document)
    assert missing.status_code == 401
    other = client.post(f"{D}/witnesses/W1/reveal", json=document, headers=setup["witnesses"]["W2"])
    assert other.status_code == 403
    actions = [e["action"] for e in _refusals(client, bureau.auditor)]
    assert actions == ["refused.token", "refused.token"]
    assert not any(e["action"] == "witness.revealed" for e in _actions(client, bureau.auditor))


def test_the_checkpoint_closes_the_reveals_and_a_late_witness_gets_409(
    client: TestClient, bureau
) -> None:
    setup = sealed_draw(client, bureau.operator)
    for code in ("W1", "W2"):
        client.post(
            f"{D}/witnesses/{code}/reveal",
            json=reveal(code, setup["manifest"]),
            headers=setup["witnesses"][code],
        )
    client.app.state.clock = lambda: CLOSE_AT  # type: ignore[attr-defined]
    closed = client.post(f"{D}/checkpoint", headers=bureau.operator)
    assert closed.status_code == 200, closed.text
    checkpoint = closed.json()
    assert checkpoint["closed_at"] == CLOSE_AT
    assert [r["secret"] is not None for r in checkpoint["reveals"]] == [True, True, False]
    assert client.get(f"{D}/checkpoint").json() == checkpoint  # public, for the witnesses
    late = client.post(
        f"{D}/witnesses/W3/reveal",
        json=reveal("W3", setup["manifest"]),
        headers=setup["witnesses"]["W3"],
    )
    assert late.status_code == 409 and "late" in late.json()["message_en"]
    assert _refusals(client, bureau.auditor)[-1]["details"]["reason"].startswith("late")
    # the beacon needs every revealed witness's co-signature of the checkpoint
    client.post(f"{D}/cosignatures", json=cosign("W1", "checkpoint", checkpoint),
                headers=setup["witnesses"]["W1"])  # fmt: skip
    early = client.post(f"{D}/beacon", json={"value": "ab" * 32}, headers=bureau.operator)
    assert early.status_code == 422 and "W2" in early.json()["message_en"]
    # a co-signature of another document, and one by a witness who did not reveal: refused
    bad = cosign("W2", "checkpoint", {**checkpoint, "closed_at": "2026-06-01T09:31:00Z"})
    refused = client.post(f"{D}/cosignatures", json=bad, headers=setup["witnesses"]["W2"])
    assert refused.status_code == 422
    silent = client.post(f"{D}/cosignatures", json=cosign("W3", "checkpoint", checkpoint),
                         headers=setup["witnesses"]["W3"])  # fmt: skip
    assert silent.status_code == 422 and "did not reveal" in silent.json()["message_en"]
    assert [e["action"] for e in _refusals(client, bureau.auditor)][-2:] == [
        "refused.cosignature",
        "refused.cosignature",
    ]


def test_too_few_reveals_cannot_close_and_the_draw_is_voided(client: TestClient, bureau) -> None:
    setup = sealed_draw(client, bureau.operator)
    client.post(f"{D}/witnesses/W1/reveal", json=reveal("W1", setup["manifest"]),
                headers=setup["witnesses"]["W1"])  # fmt: skip
    client.app.state.clock = lambda: CLOSE_AT  # type: ignore[attr-defined]
    answer = client.post(f"{D}/checkpoint", headers=bureau.operator)
    assert answer.status_code == 422 and "requires 2" in answer.json()["message_en"]
    assert client.post(f"{D}/run", headers=bureau.operator).status_code == 409
    voided = client.post(f"{D}/void", json={"reason": "W2, W3 absent"}, headers=bureau.operator)
    assert voided.status_code == 200
    assert client.get(D, headers=bureau.operator).json()["state"] == "void"
    entry = _actions(client, bureau.auditor)[-1]
    assert entry["action"] == "draw.voided"
    assert entry["details"] == {"manifest": setup["manifest"], "reason": "W2, W3 absent"}


def test_beacon_format_and_undeclared_fallback(client: TestClient, bureau) -> None:
    setup = sealed_draw(client, bureau.operator)
    for code in ("W1", "W2"):
        client.post(f"{D}/witnesses/{code}/reveal", json=reveal(code, setup["manifest"]),
                    headers=setup["witnesses"][code])  # fmt: skip
    client.app.state.clock = lambda: CLOSE_AT  # type: ignore[attr-defined]
    checkpoint = client.post(f"{D}/checkpoint", headers=bureau.operator).json()
    for code in ("W1", "W2"):
        client.post(f"{D}/cosignatures", json=cosign(code, "checkpoint", checkpoint),
                    headers=setup["witnesses"][code])  # fmt: skip
    bad = client.post(f"{D}/beacon", json={"value": "12.5"}, headers=bureau.operator)
    assert bad.status_code == 422 and "hex64" in bad.json()["message_en"]
    fallback = client.post(
        f"{D}/beacon",
        json={"used": "fallback", "value": "ab" * 32, "reason": "x"},
        headers=bureau.operator,
    )
    assert fallback.status_code == 422 and "fallback" in fallback.json()["message_en"]


def test_declared_fallback_needs_a_reason_and_is_logged(client: TestClient, bureau) -> None:
    spec = draw_spec()
    spec["beacon"]["fallback"] = {
        "source": "SSE index close",
        "round": "2026-06-01",
        "format": "decimal",
        "at": "2026-06-01T07:00:00Z",
    }
    # the fallback's time must be after the primary's (§7.2): sealing refuses this one
    assert client.post("/api/draws", json=spec, headers=bureau.operator).status_code == 201
    client.post(f"{D}/applicants", json=applicant_rows(4), headers=bureau.operator)
    tokens = {}
    for code in ("W1", "W2"):
        token = client.post(
            f"{D}/witnesses", json={"id": code, "name": code}, headers=bureau.operator
        ).json()["token"]
        tokens[code] = {"Authorization": f"Bearer {token}"}
        put = client.put(f"{D}/witnesses/{code}/commitment", json=commitment(code),
                         headers=tokens[code])  # fmt: skip
        assert put.status_code == 200, put.text
    client.post(f"{D}/objection", headers=bureau.operator)
    refused = client.post(f"{D}/seal", headers=bureau.operator)
    assert refused.status_code == 422 and "fallback" in refused.json()["message_en"]
    rules = client.get(D, headers=bureau.operator).json()
    assert rules["state"] == "objection"


def test_fallback_used_with_its_reason(client: TestClient, bureau) -> None:
    spec = draw_spec()
    spec["beacon"]["fallback"] = {
        "source": "SSE index close",
        "round": "2026-06-01",
        "format": "decimal",
        "at": "2026-06-01T12:00:00Z",
    }
    assert client.post("/api/draws", json=spec, headers=bureau.operator).status_code == 201
    client.post(f"{D}/applicants", json=applicant_rows(4), headers=bureau.operator)
    tokens = {}
    for code in ("W1", "W2"):
        token = client.post(
            f"{D}/witnesses", json={"id": code, "name": code}, headers=bureau.operator
        ).json()["token"]
        tokens[code] = {"Authorization": f"Bearer {token}"}
        client.put(f"{D}/witnesses/{code}/commitment", json=commitment(code), headers=tokens[code])
    client.post(f"{D}/objection", headers=bureau.operator)
    sealed = client.post(f"{D}/seal", headers=bureau.operator)
    assert sealed.status_code == 200, sealed.text
    manifest = sealed.json()["manifest_digest"]
    for code in ("W1", "W2"):
        client.post(f"{D}/witnesses/{code}/reveal", json=reveal(code, manifest),
                    headers=tokens[code])  # fmt: skip
    client.app.state.clock = lambda: CLOSE_AT  # type: ignore[attr-defined]
    checkpoint = client.post(f"{D}/checkpoint", headers=bureau.operator).json()
    for code in ("W1", "W2"):
        client.post(f"{D}/cosignatures", json=cosign(code, "checkpoint", checkpoint),
                    headers=tokens[code])  # fmt: skip
    no_reason = client.post(
        f"{D}/beacon", json={"used": "fallback", "value": "3051.25"}, headers=bureau.operator
    )
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["message_en"]
    entered = client.post(
        f"{D}/beacon",
        json={"used": "fallback", "value": "3051.25", "reason": "drand round not published"},
        headers=bureau.operator,
    )
    assert entered.status_code == 200, entered.text
    statement = entered.json()
    assert (
        statement["used"] == "fallback"
        and statement["checkpoint"] == tagged_hash("checkpoint", canonical_json(checkpoint)).hex()
    )
    for code in ("W1", "W2"):
        client.post(f"{D}/cosignatures", json=cosign(code, "beacon", statement),
                    headers=tokens[code])  # fmt: skip
    assert client.post(f"{D}/run", headers=bureau.operator).status_code == 200
    log = _actions(client, bureau.auditor)
    fallback = next(e for e in log if e["action"] == "ceremony.fallback")
    assert fallback["details"]["reason"] == "drand round not published"
    beacon = next(e for e in log if e["action"] == "ceremony.beacon")
    assert beacon["details"] == {
        "beacon": tagged_hash("beacon", canonical_json(statement)).hex(),
        "used": "fallback",
        "value": "3051.25",
    }


def test_the_sealing_announcement_gives_the_pins(client: TestClient, bureau) -> None:
    setup = sealed_draw(client, bureau.operator)
    facts = client.get(f"{D}/announcement").json()
    manifest = json.loads(client.get(f"{D}/manifest.json").content)
    fingerprint = manifest["signing_key"]["fingerprint"]
    assert facts["manifest_digest"] == setup["manifest"]
    assert facts["key_fingerprint"] == fingerprint
    assert facts["pin"] == pin(bytes.fromhex(setup["manifest"]), fingerprint)
    assert facts["pin_display"] == format_pin(facts["pin"])
    assert [w["public_key"] for w in facts["witnesses"]] == [
        w["public_key"] for w in manifest["witnesses"]
    ]
    sealed = next(e for e in _actions(client, bureau.auditor) if e["action"] == "draw.sealed")
    assert sealed["details"] == {"manifest": setup["manifest"]}
    assert manifest["audit"] == {"seq": sealed["seq"] - 1, "hash": sealed["prev"]}


def test_rehearsals_are_marked_logged_and_never_official(client: TestClient, bureau) -> None:
    setup = sealed_draw(client, bureau.operator)
    first = client.post(
        f"{D}/rehearsals", json={"text": "公证处第1次模拟"}, headers=bureau.operator
    )
    second = client.post(
        f"{D}/rehearsals", json={"text": "公证处第1次模拟"}, headers=bureau.operator
    )
    assert first.status_code == second.status_code == 201, first.text
    assert first.json()["digest"] == second.json()["digest"]  # same text, same rehearsal
    assert "REHEARSAL" in first.json()["marking"]
    assert [r["seq"] for r in client.get(f"{D}/rehearsals", headers=bureau.auditor).json()] == [
        1,
        2,
    ]
    run_ceremony(client, bureau.operator, setup["witnesses"])
    official = client.post(f"{D}/run", headers=bureau.operator).json()["results_digest"]
    assert official != first.json()["digest"]
    client.post(f"{D}/publish", headers=bureau.operator)
    results = json.loads(client.get(f"{D}/results.json").content)
    assert results["kind"] == "results" and results["ceremony"] != "0" * 64
    late = client.post(f"{D}/rehearsals", json={"text": "after"}, headers=bureau.operator)
    assert late.status_code == 409
    logged = [e for e in _actions(client, bureau.auditor) if e["action"] == "rehearsal.run"]
    assert len(logged) == 2
