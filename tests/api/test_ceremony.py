"""The ceremony through the service: reveals, beacon, fallback, reveal policy, rehearsals."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from helpers import DRAW_ID, draw_spec, run_ceremony, sealed_draw, secret

D = f"/api/draws/{DRAW_ID}"


def _actions(client: TestClient, headers) -> list[dict]:
    return client.get(f"{D}/audit", headers=headers).json()


def test_a_reveal_that_does_not_match_is_refused(client: TestClient, bureau) -> None:
    setup = sealed_draw(client, bureau.operator)
    client.post(f"{D}/ceremony", headers=bureau.operator)
    wrong = client.post(
        f"{D}/witnesses/W1/reveal",
        json={"secret": secret("W2").hex()},
        headers=setup["witnesses"]["W1"],
    )
    assert wrong.status_code == 422
    assert "W1" in wrong.json()["message_en"]
    right = client.post(
        f"{D}/witnesses/W1/reveal",
        json={"secret": secret("W1").hex()},
        headers=setup["witnesses"]["W1"],
    )
    assert right.status_code == 200
    twice = client.post(
        f"{D}/witnesses/W1/reveal",
        json={"secret": secret("W1").hex()},
        headers=setup["witnesses"]["W1"],
    )
    assert twice.status_code == 409


def test_reveals_before_the_ceremony_are_refused(client: TestClient, bureau) -> None:
    setup = sealed_draw(client, bureau.operator)
    early = client.post(
        f"{D}/witnesses/W1/reveal",
        json={"secret": secret("W1").hex()},
        headers=setup["witnesses"]["W1"],
    )
    assert early.status_code == 409


def test_beacon_format_and_undeclared_fallback(client: TestClient, bureau) -> None:
    sealed_draw(client, bureau.operator)
    client.post(f"{D}/ceremony", headers=bureau.operator)
    bad = client.post(f"{D}/beacon", json={"value": "12.5"}, headers=bureau.operator)
    assert bad.status_code == 422 and "hex64" in bad.json()["message_en"]
    fallback = client.post(
        f"{D}/beacon", json={"used": "fallback", "value": "ab" * 32}, headers=bureau.operator
    )
    assert fallback.status_code == 422


def test_declared_fallback_is_used_and_logged(client: TestClient, bureau) -> None:
    spec = draw_spec()
    spec["beacon"]["fallback"] = {
        "source": "SSE index close",
        "round": "2026-06-01",
        "format": "decimal",
    }
    assert client.post("/api/draws", json=spec, headers=bureau.operator).status_code == 201
    # reuse the helper's steps without re-creating the draw
    from helpers import applicant_rows

    from lottery import witness_commitment

    client.post(f"{D}/applicants", json=applicant_rows(4), headers=bureau.operator)
    tokens = {}
    for code in ("W1", "W2"):
        token = client.post(
            f"{D}/witnesses", json={"id": code, "name": code}, headers=bureau.operator
        ).json()["token"]
        tokens[code] = {"Authorization": f"Bearer {token}"}
        client.put(
            f"{D}/witnesses/{code}/commitment",
            json={"commitment": witness_commitment(code, secret(code))},
            headers=tokens[code],
        )
    client.post(f"{D}/objection", headers=bureau.operator)
    assert client.post(f"{D}/seal", headers=bureau.operator).status_code == 200
    client.post(f"{D}/ceremony", headers=bureau.operator)
    for code in ("W1", "W2"):
        client.post(
            f"{D}/witnesses/{code}/reveal",
            json={"secret": secret(code).hex()},
            headers=tokens[code],
        )
    entered = client.post(
        f"{D}/beacon",
        json={"used": "fallback", "value": "3051.25", "reason": "drand round not published"},
        headers=bureau.operator,
    )
    assert entered.status_code == 200, entered.text
    assert client.post(f"{D}/run", headers=bureau.operator).status_code == 200
    event = next(
        e for e in _actions(client, bureau.auditor) if e["action"] == "ceremony.beacon_entered"
    )
    assert event["details"]["used"] == "fallback"
    assert event["details"]["reason"] == "drand round not published"


def test_too_few_reveals_block_the_run_and_change_nothing(client: TestClient, bureau) -> None:
    setup = sealed_draw(client, bureau.operator)
    run_ceremony(client, bureau.operator, setup["witnesses"], reveal=("W1",))
    answer = client.post(f"{D}/run", headers=bureau.operator)
    assert answer.status_code == 422 and "2" in answer.json()["message_en"]
    assert client.get(D, headers=bureau.operator).json()["state"] == "ceremony"
    closed = next(
        e for e in _actions(client, bureau.auditor) if e["action"] == "ceremony.reveals_closed"
    )
    assert closed["details"]["not_revealed"] == ["W2", "W3"]


def test_reveal_after_the_beacon_is_refused(client: TestClient, bureau) -> None:
    setup = sealed_draw(client, bureau.operator)
    run_ceremony(client, bureau.operator, setup["witnesses"], reveal=("W1", "W2"))
    late = client.post(
        f"{D}/witnesses/W3/reveal",
        json={"secret": secret("W3").hex()},
        headers=setup["witnesses"]["W3"],
    )
    assert late.status_code == 409
    assert client.post(f"{D}/run", headers=bureau.operator).status_code == 200


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
