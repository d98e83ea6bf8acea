"""Post-draw actions (protocol §14): a decline frees a seat, the waitlist fills it in order, and
the signed actions document in the bundle lets the verifier replay it."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from helpers import DRAW_ID, run_ceremony, sealed_draw

D = f"/api/draws/{DRAW_ID}"


def _published(client: TestClient, bureau) -> tuple[dict, dict[str, str]]:
    setup = sealed_draw(client, bureau.operator)
    run_ceremony(client, bureau.operator, setup["witnesses"])
    client.post(f"{D}/run", headers=bureau.operator)
    assert client.post(f"{D}/publish", headers=bureau.operator).status_code == 200
    results = json.loads(client.get(f"{D}/results.json").content)
    receipts = {r["application"]: r["receipt_code"] for r in setup["receipts"]}
    return results, receipts


def test_a_decline_is_filled_from_the_waitlist_in_order(
    client: TestClient, bureau, tmp_path
) -> None:
    from verifier import verify_bundle

    results, receipts = _published(client, bureau)
    (school,) = results["schools"]
    admitted = [row[0] for row in results["applicants"] if row[2] == "admitted"]
    waitlist = school["waitlist"]
    answer = client.post(
        f"{D}/actions",
        json={"type": "decline", "application": admitted[0]},
        headers=bureau.operator,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["moves"] == [[waitlist[0], None, "S01"]]
    second = client.post(
        f"{D}/actions",
        json={"type": "disqualify", "application": admitted[1]},
        headers=bureau.operator,
    )
    assert second.json()["moves"] == [[waitlist[1], None, "S01"]]
    moved = client.post(
        f"{D}/lookup", json={"application": waitlist[0], "receipt": receipts[waitlist[0]]}
    ).json()
    assert moved["status"] == "admitted" and moved["school"] == "S01"
    gone = client.post(
        f"{D}/lookup", json={"application": admitted[0], "receipt": receipts[admitted[0]]}
    ).json()
    assert gone["status"] == "declined"
    document = json.loads(client.get(f"{D}/actions.json").content)
    assert [a["seq"] for a in document["actions"]] == [1, 2]
    path = tmp_path / "bundle.zip"
    path.write_bytes(client.get(f"{D}/bundle.zip").content)
    report = verify_bundle(path)
    assert report.passed, report.as_dict()
    replayed = next(c for c in report.as_dict()["checks"] if c["number"] == 12)
    assert replayed["status"] == "PASS", replayed


def test_actions_are_refused_when_they_make_no_sense(client: TestClient, bureau) -> None:
    results, _ = _published(client, bureau)
    first = results["applicants"][0][0]
    assert (
        client.post(
            f"{D}/actions", json={"type": "decline", "application": "NOPE"}, headers=bureau.operator
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"{D}/actions", json={"type": "decline", "application": first}, headers=bureau.operator
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"{D}/actions", json={"type": "decline", "application": first}, headers=bureau.operator
        ).status_code
        == 409
    )
    assert (
        client.post(
            f"{D}/actions", json={"type": "decline", "application": first}, headers=bureau.auditor
        ).status_code
        == 403
    )


def test_no_actions_before_publication(client: TestClient, bureau) -> None:
    setup = sealed_draw(client, bureau.operator)
    application = setup["receipts"][0]["application"]
    early = client.post(
        f"{D}/actions",
        json={"type": "decline", "application": application},
        headers=bureau.operator,
    )
    assert early.status_code == 409
