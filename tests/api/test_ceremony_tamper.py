"""Someone with the database edits or deletes a ceremony row or an audit row: `run` and
`publish` refuse, naming what differs (protocol §19, "edit or delete a ceremony row, or cut the
log"). Each case runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from helpers import DRAW_ID, run_ceremony, sealed_draw, secret
from sqlalchemy import Engine, text

D = f"/api/draws/{DRAW_ID}"
OTHER_SECRET = secret("someone else").hex()

Tamper = Callable[[Engine], None]


def _sql(statement: str, **values: object) -> Tamper:
    def tamper(engine: Engine) -> None:
        with engine.begin() as connection:
            changed = connection.execute(text(statement), values)
            assert changed.rowcount >= 1  # type: ignore[attr-defined]

    return tamper


_W1 = "(SELECT id FROM witnesses WHERE code = 'W1')"
_SEQ_OF = "(SELECT seq FROM audit_events WHERE action = '{}')"
TAMPERS: dict[str, tuple[Tamper, str]] = {
    "reveal-secret-edited": (
        _sql(f"UPDATE reveals SET secret = :s WHERE witness_id = {_W1}", s=OTHER_SECRET),
        "reveal row of witness W1",
    ),
    "reveal-deleted": (
        _sql(f"DELETE FROM reveals WHERE witness_id = {_W1}"),
        "reveal row of witness W1 is missing",
    ),
    "reveal-signature-edited": (
        _sql(f"UPDATE reveals SET signature = :s WHERE witness_id = {_W1}", s="ab" * 64),
        "reveal row of W1",
    ),
    "checkpoint-time-edited": (
        _sql("UPDATE checkpoints SET closed_at = '2026-06-01T09:59:00Z'"),
        "checkpoint row",
    ),
    "checkpoint-deleted": (_sql("DELETE FROM checkpoints"), "checkpoint row is missing"),
    "beacon-value-edited": (_sql("UPDATE beacons SET value = :v", v="cd" * 32), "beacon row"),
    "beacon-deleted": (_sql("DELETE FROM beacons"), "beacon row is missing"),
    "cosignature-deleted": (
        _sql("DELETE FROM cosignatures WHERE witness = 'W2' AND of = 'beacon'"),
        "beacon co-signature row of witness W2 is missing",
    ),
    "audit-row-edited": (
        _sql(
            "UPDATE audit_events SET details = :d WHERE action = 'witness.revealed' "
            "AND details LIKE '%W1%'",
            d='{"secret":"' + OTHER_SECRET + '","witness":"W1"}',
        ),
        "audit log is broken",
    ),
    "audit-row-deleted": (
        _sql(f"DELETE FROM audit_events WHERE seq = {_SEQ_OF.format('ceremony.checkpoint')}"),
        "audit log is broken",
    ),
    "audit-tail-cut": (
        _sql(f"DELETE FROM audit_events WHERE seq >= {_SEQ_OF.format('ceremony.beacon')}"),
        "0 ceremony.beacon entries",
    ),
}


def _ready(client: TestClient, bureau) -> None:
    setup = sealed_draw(client, bureau.operator)
    run_ceremony(client, bureau.operator, setup["witnesses"])


@pytest.mark.parametrize("case", sorted(TAMPERS))
def test_run_refuses_a_tampered_ceremony(
    client: TestClient, bureau, engine: Engine, case: str
) -> None:
    _ready(client, bureau)
    tamper, named = TAMPERS[case]
    tamper(engine)
    answer = client.post(f"{D}/run", headers=bureau.operator)
    assert answer.status_code in (409, 500), answer.text
    assert answer.json()["error"] in ("data_changed", "wrong_state")
    assert named in answer.json()["message_en"]
    assert client.get(D, headers=bureau.operator).json()["state"] == "ceremony"
    assert client.get(f"{D}/results.json").status_code != 200


@pytest.mark.parametrize(
    "case",
    ["reveal-secret-edited", "beacon-value-edited", "checkpoint-deleted", "audit-row-edited"],
)
def test_publish_refuses_a_ceremony_tampered_after_the_run(
    client: TestClient, bureau, engine: Engine, case: str
) -> None:
    _ready(client, bureau)
    assert client.post(f"{D}/run", headers=bureau.operator).status_code == 200
    tamper, named = TAMPERS[case]
    tamper(engine)
    answer = client.post(f"{D}/publish", headers=bureau.operator)
    assert answer.status_code == 500 and answer.json()["error"] == "data_changed", answer.text
    assert named in answer.json()["message_en"]
    assert client.get(D, headers=bureau.operator).json()["state"] == "drawn"


def test_an_untouched_ceremony_runs_and_publishes(client: TestClient, bureau) -> None:
    _ready(client, bureau)
    assert client.post(f"{D}/run", headers=bureau.operator).status_code == 200
    assert client.post(f"{D}/publish", headers=bureau.operator).status_code == 200
