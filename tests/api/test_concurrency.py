"""Concurrent calls of one transition: exactly one wins, the others get a conflict (409)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from conftest import NOW
from fastapi.testclient import TestClient
from helpers import DRAW_ID, applicant_rows, draw_spec, run_ceremony, sealed_draw
from sqlalchemy import Engine
from sqlmodel import select

from api.db import session_scope
from api.errors import Conflict
from api.lifecycle import transaction
from api.models import AuditEvent, Outcome
from api.services import draws, running
from api.services.access import find_draw
from api.signer import Signer

THREADS = 4


def _race(engine: Engine, action: Callable[..., object]) -> tuple[list[object], list[Exception]]:
    barrier = threading.Barrier(THREADS)
    wins: list[object] = []
    losses: list[Exception] = []
    lock = threading.Lock()

    def worker() -> None:
        with session_scope(engine) as session:
            barrier.wait()
            try:
                with transaction(session):
                    draw = find_draw(session, DRAW_ID)
                    outcome = action(session, draw)
                with lock:
                    wins.append(outcome)
            except Conflict as error:
                with lock:
                    losses.append(error)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return wins, losses


def test_concurrent_transition_has_exactly_one_winner(
    client: TestClient, bureau, engine: Engine, signer: Signer
) -> None:
    client.post("/api/draws", json=draw_spec(), headers=bureau.operator)
    client.post(f"/api/draws/{DRAW_ID}/applicants", json=applicant_rows(3), headers=bureau.operator)
    wins, losses = _race(
        engine,
        lambda session, draw: draws.open_objection(
            session, draw, actor="operator:t", at=NOW, signer=signer
        ),
    )
    assert len(wins) == 1 and len(losses) == THREADS - 1
    assert all(e.status_code == 409 for e in losses)  # type: ignore[attr-defined]
    state = client.get(f"/api/draws/{DRAW_ID}", headers=bureau.operator).json()
    assert state["state"] == "objection"
    with session_scope(engine) as session:
        actions = session.exec(select(AuditEvent.action)).all()
    assert actions.count("draw.objection_opened") == 1


def test_concurrent_runs_give_one_result(
    client: TestClient, bureau, engine: Engine, signer: Signer
) -> None:
    setup = sealed_draw(client, bureau.operator)
    run_ceremony(client, bureau.operator, setup["witnesses"])
    wins, losses = _race(
        engine,
        lambda session, draw: running.run(session, draw, actor="operator:t", at=NOW, signer=signer),
    )
    assert len(wins) >= 1 and len(wins) + len(losses) == THREADS
    assert len(set(wins)) == 1  # every success reports the same results digest
    with session_scope(engine) as session:
        actions = session.exec(select(AuditEvent.action)).all()
        outcomes = session.exec(select(Outcome)).all()
    assert actions.count("draw.run") == 1
    assert len(outcomes) == 6
