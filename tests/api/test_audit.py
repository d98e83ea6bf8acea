"""The audit log: hash-chained per protocol §15, every entry signed, tampering detected."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from helpers import DRAW_ID, run_ceremony, sealed_draw
from sqlalchemy import Engine, update
from sqlmodel import select

from api.audit import AuditChainBroken, check_chain, events_of
from api.db import session_scope
from api.models import AuditEvent, Draw
from lottery import parse_canonical, signing_key_info, tagged_hash, verify_signature


def _events(engine: Engine) -> list[AuditEvent]:
    with session_scope(engine) as session:
        draw = session.exec(select(Draw)).one()
        assert draw.id is not None
        return events_of(session, draw.id)


def test_every_step_is_logged_chained_and_signed(
    client: TestClient, bureau, engine, signer
) -> None:
    setup = sealed_draw(client, bureau.operator)
    run_ceremony(client, bureau.operator, setup["witnesses"])
    client.post(f"/api/draws/{DRAW_ID}/run", headers=bureau.operator)
    client.post(f"/api/draws/{DRAW_ID}/publish", headers=bureau.operator)
    events = _events(engine)
    check_chain(events, DRAW_ID)
    actions = [e.action for e in events]
    for expected in (
        "draw.created",
        "applicants.imported",
        "witness.registered",
        "witness.committed",
        "draw.objection_opened",
        "draw.sealed",
        "witness.revealed",
        "ceremony.checkpoint",
        "witness.cosigned",
        "ceremony.beacon",
        "draw.run",
        "draw.published",
    ):
        assert expected in actions
    assert actions[0] == "draw.created" and actions[-1] == "draw.published"
    for event in events:
        assert event.signature is not None
        verify_signature(
            parse_canonical(event.signature),
            kind="audit",
            digest=bytes.fromhex(event.entry_hash),
            signing_key=signing_key_info(signer.private_key),
        )
    # No personal data in the log.
    names = [
        p["name"]
        for p in client.get(
            f"/api/draws/{DRAW_ID}/applicants/private", headers=bureau.auditor
        ).json()
    ]
    text = "".join(e.details for e in events)
    assert not any(name in text for name in names)


def test_entry_hash_is_the_protocol_hash(client: TestClient, bureau, engine) -> None:
    client.post("/api/draws", json=__import__("helpers").draw_spec(), headers=bureau.operator)
    (event,) = _events(engine)
    entry = {
        "seq": 1,
        "prev": "0" * 64,
        "at": event.at,
        "actor": event.actor,
        "action": event.action,
        "draw": DRAW_ID,  # every entry names its draw (§15.1)
        "details": json.loads(event.details),
    }
    expected = tagged_hash(
        "audit",
        json.dumps(entry, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode(),
    )
    assert event.entry_hash == expected.hex()


@pytest.mark.parametrize("column", ["details", "actor", "at"])
def test_a_changed_row_breaks_the_chain(client: TestClient, bureau, engine, column: str) -> None:
    sealed_draw(client, bureau.operator)
    events = _events(engine)
    victim = events[2]
    value = '{"tampered":true}' if column == "details" else "2099-01-01T00:00:00Z"
    with engine.begin() as connection:
        connection.execute(
            update(AuditEvent)
            .where(AuditEvent.id == victim.id)  # type: ignore[arg-type]
            .values({column: value})
        )
    with pytest.raises(AuditChainBroken, match=f"audit entry {victim.seq}"):
        check_chain(_events(engine), DRAW_ID)
