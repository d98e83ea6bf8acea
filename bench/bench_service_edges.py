"""Service edges benchmark (issue 13): what an upload costs in memory, whether wrong guesses
lock a family out, and how large the error answer to a bad file is. Prints figures, not a
verdict.

    .venv/bin/python bench/bench_service_edges.py [--upload-mb 512] [--bad-rows 150000]

1. Upload memory: a 512 MB body streamed in 1 MiB chunks straight to the ASGI app, anonymous
   and then with the operator's token but over the 64 MB limit; the bytes the service read and
   the peak of Python allocations (tracemalloc) while it answered.
2. Lock-out: 1,000 wrong guesses for one family's application number from one address, then
   the family's own look-up; and 500 families behind one carrier-NAT address, each mistyping
   once before typing the right code.
3. Error answer: a file of `--bad-rows` rows whose every ID number has a wrong check digit;
   the answer's size, the problems it shows and counts, the full report's size, the time.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "api"))
from helpers import DRAW_ID, draw_spec, id_number, run_ceremony, sealed_draw

from api.auth import Role
from api.db import make_engine, migrate, session_scope
from api.main import create_app
from api.services.bureaus import create_bureau, issue_bureau_token
from api.settings import Settings
from api.signer import Signer

NOW = "2026-06-01T08:00:00Z"
MIB = 1024 * 1024
GUESSES = 1000
D = f"/api/draws/{DRAW_ID}"


def _service(directory: Path, **changes: Any) -> tuple[FastAPI, dict[str, str]]:
    url = f"sqlite:///{directory / 'bench.db'}"
    engine = make_engine(url)
    migrate(engine)
    with session_scope(engine) as session:
        create_bureau(session, code="XQ", name="某县教育局", at=NOW)
        token = issue_bureau_token(session, code="XQ", role=Role.OPERATOR, label="bench", at=NOW)
        session.commit()
    engine.dispose()
    settings = replace(Settings(database_url=url, data_dir=directory / "data"), **changes)
    signer = Signer(Ed25519PrivateKey.from_private_bytes(bytes(range(32))))
    app = create_app(settings, signer=signer, clock=lambda: NOW, run_migrations=False)
    return app, {"Authorization": f"Bearer {token}"}


def _upload(
    app: FastAPI, headers: dict[str, str], megabytes: int, path: str
) -> tuple[int, int, float]:
    """(status, MiB read, peak MiB allocated) for a body of `megabytes` MiB, no length given."""
    sent = 0
    status = 0
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path.partition("?")[0],
        "raw_path": path.partition("?")[0].encode(),
        "query_string": path.partition("?")[2].encode(),
        "headers": [(b"content-type", b"application/json")]
        + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent >= megabytes:
            return {"type": "http.disconnect"}
        sent += 1
        # A fresh chunk each time, as off a socket: what the service keeps stays allocated.
        return {"type": "http.request", "body": bytes(MIB), "more_body": sent < megabytes}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    tracemalloc.start()
    asyncio.run(app(scope, receive, send))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return status, sent, peak / MIB


def bench_upload(directory: Path, megabytes: int) -> None:
    app, operator = _service(directory / "upload")
    with TestClient(app) as client:
        assert client.post("/api/draws", json=draw_spec(), headers=operator).status_code == 201
    print(f"1. upload of {megabytes} MiB, streamed in 1 MiB chunks (limit 64 MB)")
    for route, path in (
        ("file import", f"{D}/applicants/import?filename=big.csv"),
        ("JSON rows", f"{D}/applicants"),
    ):
        for who, headers in (("anonymous", {}), ("operator", operator)):
            status, read, peak = _upload(app, headers, megabytes, path)
            print(
                f"   {route:<11} {who:<10} HTTP {status}  read {read:>4} MiB  "
                f"peak allocations {peak:7.1f} MiB"
            )


def _look_up(client: TestClient, application: str, receipt: str, address: str) -> Any:
    return client.post(
        f"{D}/lookup",
        json={"application": application, "receipt": receipt},
        headers={"X-Forwarded-For": address},
    )


def bench_lockout(directory: Path) -> None:
    app, operator = _service(directory / "lockout", trusted_proxies=("127.0.0.1",))
    with TestClient(app, client=("127.0.0.1", 1)) as client:
        setup = sealed_draw(client, operator, applicants=600)
        run_ceremony(client, operator, setup["witnesses"])
        assert client.post(f"{D}/run", headers=operator).status_code == 200
        assert client.post(f"{D}/publish", headers=operator).status_code == 200
        receipts = {r["application"]: r["receipt_code"] for r in setup["receipts"]}
        target, code = next(iter(receipts.items()))
        started = time.perf_counter()
        attack = Counter(
            _look_up(client, target, "0000-0000-0000-0000", "198.51.100.66").status_code
            for _ in range(GUESSES)
        )
        seconds = time.perf_counter() - started
        last = _look_up(client, target, "0000-0000-0000-0000", "198.51.100.66")
        family = _look_up(client, target, code, "203.0.113.5").status_code
        same_address = _look_up(client, target, code, "198.51.100.66").status_code
        print(f"2. lock-out: {GUESSES:,} wrong guesses for one application number, one address")
        print(
            f"   attacker answers {dict(attack)} in {seconds:.1f} s; "
            f"Retry-After {last.headers.get('retry-after')} s"
        )
        print(
            f"   the family afterwards: HTTP {family} (another address), "
            f"HTTP {same_address} (the attacker's address)"
        )
        nat = Counter()
        for application, right in list(receipts.items())[1:501]:
            nat[_look_up(client, application, "1111-1111-1111-1111", "100.64.0.1").status_code] += 1
            nat[("right", _look_up(client, application, right, "100.64.0.1").status_code)] += 1
        print("   500 families behind one carrier-NAT address, one typo each, then the right code:")
        print(f"   {dict(nat)}")


def _bad_file(rows: int) -> bytes:
    lines = ["姓名,身份证号,志愿"]
    for i in range(rows):
        good = id_number(i % 9_999 + 1, male=i % 2 == 0)
        lines.append(f"张三丰,{good[:-1]}{'0' if good[-1] != '0' else '1'},S01")
    return ("\n".join(lines) + "\n").encode("utf-8")


def bench_error_answer(directory: Path, rows: int) -> None:
    app, operator = _service(directory / "errors")
    with TestClient(app) as client:
        assert client.post("/api/draws", json=draw_spec(), headers=operator).status_code == 201
        data = _bad_file(rows)
        started = time.perf_counter()
        answer = client.post(
            f"{D}/applicants/import?filename=bad.csv", content=data, headers=operator
        )
        seconds = time.perf_counter() - started
        body = answer.json()
        report = client.get(body["report"], headers=operator)
    print(f"3. error answer for a bad file of {rows:,} rows ({len(data) / MIB:.1f} MiB)")
    print(
        f"   HTTP {answer.status_code} in {seconds:.1f} s; answer {len(answer.content):,} bytes; "
        f"{len(body['problems'])} problems shown of {body['problem_count']:,}"
    )
    print(f"   counts by column {body['problem_counts']}")
    print(f"   full report (CSV download) {len(report.content) / MIB:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upload-mb", type=int, default=512)
    parser.add_argument("--bad-rows", type=int, default=150_000)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        for part in ("upload", "lockout", "errors"):
            (directory / part).mkdir()
        bench_upload(directory, arguments.upload_mb)
        bench_lockout(directory)
        bench_error_answer(directory, arguments.bad_rows)


if __name__ == "__main__":
    main()
