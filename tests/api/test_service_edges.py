"""The service edges of issue 13, each a finding of the security review that these tests
failed on before its fix: the upload read before the caller was known, the unbounded error
answer, the full ID number in an error, the look-up read from an editable table, the look-up
limits that locked families out, `X-Forwarded-For` from anyone, and 403 for a hidden draw."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import replace
from typing import Any

from conftest import NOW
from fastapi import FastAPI
from fastapi.testclient import TestClient
from helpers import DRAW_ID, draw_spec, id_number, run_ceremony, sealed_draw
from sqlalchemy import Engine, text

from api.client_address import client_address, parse_networks
from api.main import create_app
from api.redaction import redact_id_numbers
from api.settings import Settings
from api.signer import Signer

D = f"/api/draws/{DRAW_ID}"
_CHUNK = 256 * 1024


def _upload(
    app: FastAPI, path: str, headers: dict[str, str], chunks: int, *, declared: int | None = None
) -> tuple[int, int]:
    """Send `chunks` body chunks of 256 KiB straight to the ASGI app; (status, chunks read)."""
    read = 0
    status = 0
    raw_headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if declared is not None:
        raw_headers.append((b"content-length", str(declared).encode()))
    route, _, query = path.partition("?")
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": route,
        "raw_path": route.encode(),
        "query_string": query.encode(),
        "headers": raw_headers,
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }

    async def receive() -> dict[str, Any]:
        nonlocal read
        if read >= chunks:
            return {"type": "http.disconnect"}
        read += 1
        return {"type": "http.request", "body": b"x" * _CHUNK, "more_body": read < chunks}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    asyncio.run(app(scope, receive, send))
    return status, read


def _app(settings: Settings, signer: Signer) -> FastAPI:
    return create_app(settings, signer=signer, clock=lambda: NOW, run_migrations=False)


# -- uploads: the caller first, then the body, never past the limit ---------------------------


def test_an_anonymous_upload_is_refused_before_its_body_is_read(client, bureau) -> None:
    assert client.post("/api/draws", json=draw_spec(), headers=bureau.operator).status_code == 201
    path = f"{D}/applicants/import?filename=big.csv"
    status, read = _upload(client.app, path, {}, chunks=40)  # 10 MiB
    assert (status, read) == (401, 0)
    status, read = _upload(client.app, path, bureau.auditor, chunks=40)
    assert (status, read) == (403, 0)
    status, read = _upload(
        client.app, "/api/draws/nope/applicants/import?filename=x.csv", bureau.operator, chunks=40
    )
    assert (status, read) == (404, 0)


def test_an_upload_over_the_limit_stops_being_read(settings, signer, bureau) -> None:
    app = _app(replace(settings, max_upload_mb=1), signer)
    with TestClient(app) as client:
        assert (
            client.post("/api/draws", json=draw_spec(), headers=bureau.operator).status_code == 201
        )
        path = f"{D}/applicants/import?filename=big.csv"
        status, read = _upload(app, path, bureau.operator, chunks=40)  # 10 MiB, no length
        assert status == 413
        assert read == 5  # 4 chunks are 1 MiB; the fifth passes the limit, and reading stops
        status, read = _upload(app, path, bureau.operator, chunks=40, declared=40 * _CHUNK)
        assert (status, read) == (413, 0)


# -- error answers: bounded, with the full report to download; ID numbers masked --------------


def _bad_csv(rows: int) -> bytes:
    lines = ["姓名,身份证号,志愿"]
    for i in range(rows):
        good = id_number(i + 1, male=True)
        wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
        lines.append(f"张三{i},{wrong},S01")
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_the_error_answer_is_bounded_and_the_full_report_downloadable(client, bureau) -> None:
    assert client.post("/api/draws", json=draw_spec(), headers=bureau.operator).status_code == 201
    answer = client.post(
        f"{D}/applicants/import?filename=bad.csv", content=_bad_csv(1500), headers=bureau.operator
    )
    assert answer.status_code == 422
    body = answer.json()
    assert len(body["problems"]) == 1000 and body["problems_truncated"] is True
    assert body["problem_count"] >= 1500
    assert sum(body["problem_counts"].values()) == body["problem_count"]
    report = client.get(body["report"], headers=bureau.operator)
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + body["problem_count"]
    assert client.get(body["report"]).status_code == 401  # the bureau's only
    assert client.get(body["report"], headers=bureau.other_operator).status_code == 404


def test_no_error_shows_a_full_id_number(client, bureau) -> None:
    assert client.post("/api/draws", json=draw_spec(), headers=bureau.operator).status_code == 201
    same = id_number(7, male=False)
    data = f"姓名,身份证号,志愿\n张三,{same},S01\n李四,{same},S01\n".encode()
    answer = client.post(
        f"{D}/applicants/import?filename=dup.csv", content=data, headers=bureau.operator
    )
    assert answer.status_code == 422
    assert same not in answer.text
    assert same[:4] + "*" * 10 + same[-4:] in answer.text
    report = client.get(answer.json()["report"], headers=bureau.operator)
    assert same not in report.content.decode("utf-8-sig")


def test_redaction_masks_id_numbers_and_leaves_digests() -> None:
    assert redact_id_numbers("号 11010120200101123X 重复") == "号 1101**********123X 重复"
    assert redact_id_numbers("110101200001011") == "1101*******1011"  # 15 digits, the old form
    digest = "1234567890" * 6 + "abcd"
    assert redact_id_numbers(digest) == digest
    assert redact_id_numbers("报名号 XQ000001 第 12 行") == "报名号 XQ000001 第 12 行"


# -- the look-up: from the signed results, never locking a family out --------------------------


def _published(client: TestClient, headers: dict[str, str]) -> dict[str, str]:
    setup = sealed_draw(client, headers)
    run_ceremony(client, headers, setup["witnesses"])
    assert client.post(f"{D}/run", headers=headers).status_code == 200
    assert client.post(f"{D}/publish", headers=headers).status_code == 200
    return {r["application"]: r["receipt_code"] for r in setup["receipts"]}


def _look_up(client: TestClient, application: str, receipt: str, **headers: str) -> Any:
    return client.post(
        f"{D}/lookup", json={"application": application, "receipt": receipt}, headers=headers
    )


def test_an_edited_outcome_row_does_not_change_what_a_family_sees(
    client, bureau, engine: Engine
) -> None:
    receipts = _published(client, bureau.operator)
    answers = {a: _look_up(client, a, r).json() for a, r in receipts.items()}
    waiting = next(a for a, answer in answers.items() if answer["status"] == "waitlisted")
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE outcomes SET status = 'admitted', school = 'S01', label = 'open', "
                "waitlist = '[]' WHERE application = :a"
            ),
            {"a": waiting},
        )
    again = _look_up(client, waiting, receipts[waiting])
    assert again.status_code == 200
    assert again.json()["status"] == "waitlisted" and again.json() == answers[waiting]


def test_results_that_do_not_verify_are_never_shown(client, bureau, engine: Engine) -> None:
    receipts = _published(client, bureau.operator)
    application, receipt = next(iter(receipts.items()))
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE signed_documents SET digest = :d, document = :doc WHERE kind = 'results'"),
            {"d": "f" * 64, "doc": b"{}"},
        )
    refused = _look_up(client, application, receipt)
    assert refused.status_code == 500 and refused.json()["error"] == "data_changed"


def test_wrong_guesses_never_lock_the_family_out(settings, signer, bureau) -> None:
    limited = replace(settings, lookup_per_application=3, lookup_per_ip=5)
    with TestClient(_app(limited, signer)) as client:
        receipts = _published(client, bureau.operator)
        target, receipt = next(iter(receipts.items()))
        codes = [_look_up(client, target, "0000-0000-0000-0000").status_code for _ in range(10)]
        assert codes == [404] * 3 + [429] * 7  # the attacker's address is over both limits
        limited_answer = _look_up(client, target, "0000-0000-0000-0000")
        assert int(limited_answer.headers["Retry-After"]) > 0
        assert _look_up(client, target, receipt).status_code == 200  # the family is answered
        other, other_receipt = list(receipts.items())[1]
        assert _look_up(client, other, other_receipt).status_code == 200


def test_forwarded_for_is_read_only_from_trusted_proxies(settings, signer, bureau) -> None:
    behind_proxy = replace(
        settings, lookup_per_application=1000, lookup_per_ip=2, trusted_proxies=("10.0.0.0/8",)
    )
    app = _app(behind_proxy, signer)
    with (
        TestClient(app, client=("10.0.0.1", 1234)) as proxy,
        TestClient(app, client=("203.0.113.9", 1234)) as direct,
    ):
        receipts = _published(proxy, bureau.operator)
        target = next(iter(receipts))
        wrong = "0000-0000-0000-0000"
        # Behind the trusted proxy, two families are counted apart.
        for family in ("198.51.100.1", "198.51.100.2"):
            codes = [
                _look_up(proxy, target, wrong, **{"X-Forwarded-For": family}).status_code
                for _ in range(2)
            ]
            assert codes == [404, 404]
        # A direct client cannot pick the address it is counted under.
        codes = [
            _look_up(direct, target, wrong, **{"X-Forwarded-For": f"192.0.2.{i}"}).status_code
            for i in range(3)
        ]
        assert codes == [404, 404, 429]


def test_client_address_walks_forwarded_for_from_the_right() -> None:
    proxies = parse_networks(["10.0.0.0/8", "192.168.1.1"])
    assert client_address("10.0.0.5", "1.2.3.4, 5.6.7.8, 192.168.1.1", proxies) == "5.6.7.8"
    assert client_address("8.8.8.8", "1.2.3.4", proxies) == "8.8.8.8"
    assert client_address("10.0.0.5", None, proxies) == "10.0.0.5"
    assert client_address("10.0.0.5", "10.1.1.1", proxies) == "10.0.0.5"


# -- a hidden draw answers as a missing one -----------------------------------------------------


def test_a_hidden_draw_answers_as_a_missing_one(client, bureau) -> None:
    setup = sealed_draw(client, bureau.operator)
    other = dict(draw_spec(), id="XQ-2026-other")
    assert client.post("/api/draws", json=other, headers=bureau.operator).status_code == 201
    assert (
        client.post("/api/draws/XQ-2026-other/objection", headers=bureau.operator).status_code
        == 200
    )
    witness = setup["witnesses"]["W1"]
    hidden = client.get("/api/draws/XQ-2026-other", headers=witness)
    missing = client.get("/api/draws/XQ-2026-none", headers=witness)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"] == missing.json()["error"]
    for path in ("/witnesses", "/applicants/public", "/manifest.json"):
        assert client.get(f"/api/draws/XQ-2026-other{path}", headers=witness).status_code == 404


def _post_json_chunks(
    app: FastAPI, path: str, headers: dict[str, str], chunks: int
) -> tuple[int, int, bytes]:
    """POST a JSON body of `chunks` x 256 KiB; (status, chunks read, answer body)."""
    read = 0
    status = 0
    body = b""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"content-type", b"application/json")]
        + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        piece = b"[" if read == 1 else b" " * _CHUNK
        return {"type": "http.request", "body": piece, "more_body": read < chunks}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, body
        if message["type"] == "http.response.start":
            status = message["status"]
        else:
            body += message.get("body", b"")

    asyncio.run(app(scope, receive, send))
    return status, read, body


def test_an_anonymous_json_body_is_not_read_past_64_kib(client, bureau) -> None:
    assert client.post("/api/draws", json=draw_spec(), headers=bureau.operator).status_code == 201
    status, read, body = _post_json_chunks(client.app, f"{D}/applicants", {}, chunks=40)
    assert (status, read) == (413, 2)  # "[" then one chunk past 64 KiB: reading stops
    assert b"too_large" in body
    status, read, _ = _post_json_chunks(client.app, f"{D}/lookup", {}, chunks=40)
    assert (status, read) == (413, 2)


def test_an_operators_json_body_stops_at_the_upload_limit(settings, signer, bureau) -> None:
    app = _app(replace(settings, max_upload_mb=1), signer)
    with TestClient(app) as client:
        assert (
            client.post("/api/draws", json=draw_spec(), headers=bureau.operator).status_code == 201
        )
        status, read, body = _post_json_chunks(app, f"{D}/applicants", bureau.operator, chunks=40)
        assert (status, read) == (413, 5)  # "[" and 4 x 256 KiB pass 1 MiB by one byte
        assert b"1 MB" in body
