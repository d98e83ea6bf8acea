"""Killing the server inside the run step leaves no results; a re-run gives the same results.

A uvicorn subprocess runs with the test-only setting SUNSHINE_TEST_RUN_DELAY_SECONDS, which
sleeps inside the run's transaction after everything is written but before the commit. The
process is killed (SIGKILL) there; the draw must be left with no results and in state
`ceremony`, and running it again must give the results of an uninterrupted run, which the test
computes with the engine from the sealed data and the ceremony's signed files (§7.3-§7.6).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from fastapi.testclient import TestClient
from helpers import DRAW_ID, run_ceremony, sealed_draw
from sqlalchemy import Engine, text
from sqlmodel import func, select

from api import audit
from api.db import session_scope
from api.models import Outcome, SignedDocument
from api.services.access import find_draw
from api.services.ceremony_check import checked_ceremony
from api.services.sealing import reseal
from api.signer import Signer
from lottery import form_ceremony, run_draw

ROOT = Path(__file__).resolve().parents[2]
# The server's session inside the run step: it sleeps after inserting the outcomes.
_SERVER_IN_RUN = text(
    "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' "
    "AND datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE '%outcomes%'"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server(database_url: str, key_file: Path, port: int, delay: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SUNSHINE_SIGNING_KEY_FILE": str(key_file),
        "SUNSHINE_TEST_RUN_DELAY_SECONDS": delay,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("uvicorn did not start")


def _expected_digest(engine: Engine, signer: Signer) -> str:
    """The results digest of an uninterrupted run, computed with the engine directly."""
    with session_scope(engine) as session:
        draw = find_draw(session, DRAW_ID)
        sealed = reseal(session, draw, signer=signer)
        assert draw.id is not None
        head = audit.head(session, draw.id)  # the run's ceremony holds the head before it
        assert head is not None
        inputs = checked_ceremony(session, draw, sealed.manifest, sealed.manifest_digest)
        ceremony = form_ceremony(
            sealed.manifest,
            reveals=inputs.reveals,
            closed_at=inputs.closed_at,
            checkpoint_signatures=inputs.checkpoint_signatures,
            beacon=inputs.beacon,
            beacon_signatures=inputs.beacon_signatures,
            audit=head,
        )
        return run_draw(sealed, ceremony, signer.private_key, audit=head).results_digest.hex()


def _wait_inside_transaction(engine: Engine, database_url: str) -> None:
    """Wait until the server holds an open write transaction (SQLite: a hot journal file;
    PostgreSQL: a session idle in transaction), so the kill lands inside the run step."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if database_url.startswith("sqlite"):
            if Path(database_url.removeprefix("sqlite:///") + "-journal").exists():
                time.sleep(0.2)  # the run step is sleeping before its commit
                return
        else:
            with engine.connect() as connection:
                busy = connection.execute(_SERVER_IN_RUN).scalar_one()
            if busy:
                return
        time.sleep(0.05)
    raise AssertionError("the run step never opened its transaction")


def _wait_transaction_gone(engine: Engine, database_url: str) -> None:
    """PostgreSQL notices a dead client on its own time: wait until it rolled back and left."""
    if database_url.startswith("sqlite"):
        return
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            left = connection.execute(_SERVER_IN_RUN).scalar_one()
        if not left:
            return
        time.sleep(0.05)
    raise AssertionError("the killed server's transaction is still open")


def _results_count(engine: Engine) -> tuple[int, int]:
    with session_scope(engine) as session:
        outcomes = session.exec(select(func.count()).select_from(Outcome)).one()
        documents = session.exec(
            select(func.count()).where(SignedDocument.kind.in_(("results", "ceremony")))  # type: ignore[attr-defined]
        ).one()
        return outcomes, documents


def test_killing_the_server_mid_run_leaves_nothing_half_written(
    client: TestClient, bureau, engine: Engine, signer: Signer, database_url: str, tmp_path: Path
) -> None:
    setup = sealed_draw(client, bureau.operator)
    run_ceremony(client, bureau.operator, setup["witnesses"])
    expected = _expected_digest(engine, signer)
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(
        signer.private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    )
    port = _free_port()
    server = _server(database_url, key_file, port, delay="60")
    try:

        def call_run() -> None:
            with contextlib.suppress(httpx.HTTPError):  # the server dies under it
                httpx.post(
                    f"http://127.0.0.1:{port}/api/draws/{DRAW_ID}/run",
                    headers=bureau.operator,
                    timeout=90,
                )

        caller = threading.Thread(target=call_run, daemon=True)
        caller.start()
        _wait_inside_transaction(engine, database_url)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        caller.join(timeout=10)
    finally:
        if server.poll() is None:
            server.kill()
    engine.dispose()
    _wait_transaction_gone(engine, database_url)
    assert _results_count(engine) == (0, 0)
    state = client.get(f"/api/draws/{DRAW_ID}", headers=bureau.operator).json()["state"]
    assert state == "ceremony"

    restarted = _server(database_url, key_file, port, delay="0")
    try:
        answer = httpx.post(
            f"http://127.0.0.1:{port}/api/draws/{DRAW_ID}/run", headers=bureau.operator, timeout=60
        )
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json()["results_digest"] == expected
    assert _results_count(engine) == (6, 2)
