"""The second round (补录, protocol §14.5) through the service, on SQLite and PostgreSQL.

A first draw is published, post-draw actions leave seats free and children without one, the
bureau creates the second round, runs its whole lifecycle and publishes it; the independent
verifier given both bundles passes check 14, and fails it when the bureau slipped a child into
the second round's list. Every refusal changes nothing.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import _KEY, Bureau
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from fastapi.testclient import TestClient
from helpers import (
    QUICKNET,
    applicant_rows,
    commit_witnesses,
    drand_round,
    id_number,
    run_ceremony,
)
from sqlalchemy import Engine
from sqlmodel import SQLModel, col, select
from typer.testing import CliRunner

from api.cli import app as lottery_cli
from api.db import session_scope
from api.models import Applicant, ApplicantPrivate
from api.services.access import find_draw
from verifier.cli import main as verify_draw

FIRST = "XQ-2026-R1"
SECOND = "XQ-2026-R2"
BEACON = {
    "primary": {
        "source": f"drand:{QUICKNET}",
        "round": drand_round("2026-06-01T11:00:00Z"),
        "format": "hex64",
    }
}
FIRST_BEACON = {
    "primary": {
        "source": f"drand:{QUICKNET}",
        "round": drand_round("2026-06-01T10:00:00Z"),
        "format": "hex64",
    }
}


@dataclass(frozen=True)
class Scenario:
    """A first draw, the actions after it, and the second round §14.5 derives from them."""

    spec: dict[str, Any]
    rows: list[dict[str, Any]]
    declines: tuple[str, ...]
    seats: list[tuple[str, int]]  # the second round's schools and free seats
    children: list[tuple[str, str | None]]  # its records: application and group
    placed: bool = False  # whether the second round seats them


def _school(code: str, seats: int, tiers: tuple[str, ...] = ("T1",)) -> dict[str, Any]:
    return {
        "id": code,
        "name": f"第{code[-1]}小学",
        "seats": seats,
        "tiers": [{"id": t, "label": f"类别{t}"} for t in tiers],
    }


def _spec(mode: str, schools: list[dict[str, Any]], max_preferences: int) -> dict[str, Any]:
    return {
        "id": FIRST,
        "title": "某县 2026 年小学招生摇号",
        "mode": mode,
        "max_preferences": max_preferences,
        "min_reveals": 2,
        "beacon": FIRST_BEACON,
        "birth_date_from": "2019-09-01",
        "birth_date_to": "2020-08-31",
        "schools": schools,
    }


Child = tuple[str, list[str], dict[str, str], str | None]  # application, preferences, tiers, group


def _rows(children: Sequence[Child]) -> list[dict[str, Any]]:
    names = applicant_rows(len(children))
    return [
        {
            "application": application,
            "name": names[i]["name"],
            "id_number": id_number(i + 1, male=i % 2 == 0),
            "preferences": preferences,
            "tiers": tiers,
            "group": group,
        }
        for i, (application, preferences, tiers, group) in enumerate(children)
    ]


def multi_school() -> Scenario:
    """Deferred acceptance: S03's two seats go to C001 (one stays free: the triplets never fit);
    C001 declines, and still the triplets do not fit the two seats: they are the second round,
    where they do not fit either (§10.10: the bureau's manual placement)."""
    children: list[Child] = [
        (f"A{n:03d}", ["S01", "S02"] if n % 3 else ["S02", "S01"], {}, None) for n in range(1, 13)
    ]
    children += [("C001", ["S03"], {}, None)]
    children += [(f"T{n:03d}", ["S03"], {}, "T2") for n in (1, 2, 3)]
    schools = [_school("S01", 4), _school("S02", 3), _school("S03", 2)]
    return Scenario(
        spec=_spec("deferred_acceptance", schools, 2),
        rows=_rows(children),
        declines=("C001",),
        seats=[("S03", 2)],
        children=[("T001", "T2"), ("T002", "T2"), ("T003", "T2")],
    )


def single_school() -> Scenario:
    """Single-school lottery: A001 declines, the waitlisted twins do not fit the one seat; they
    are the second round. (Since §14.2 runs Fill, a twin left alone by its twin's decline takes
    a free seat in the replay, so no single-school second round ever holds a lone twin.)"""
    children: list[Child] = [
        ("A001", ["S01"], {"S01": "T1"}, None),
        ("A002", ["S01"], {"S01": "T1"}, None),
        ("G001", ["S01"], {"S01": "T2"}, "G1"),
        ("G002", ["S01"], {"S01": "T2"}, "G1"),
    ]
    return Scenario(
        spec=_spec("single_school_lottery", [_school("S01", 2, ("T1", "T2"))], 1),
        rows=_rows(children),
        declines=("A001",),
        seats=[("S01", 1)],
        children=[("G001", "G1"), ("G002", "G1")],
    )


SCENARIOS = {"multi_school": multi_school, "single_school": single_school}


def _witnesses(client: TestClient, headers: dict[str, str], draw_id: str) -> dict[str, Any]:
    """The draw's own witnesses (§7.1, §14.5): the second round's are not the first's, so no
    key or secret of theirs was ever revealed."""
    codes = ("W1", "W2") if draw_id == FIRST else ("W3", "W4")
    return commit_witnesses(client, headers, draw_id, codes)


def _seal_to_publish(
    client: TestClient, headers: dict[str, str], draw_id: str, witnesses: dict[str, Any]
) -> None:
    """seal -> ceremony (reveals, checkpoint, the beacon, co-signatures) -> run -> publish."""
    d = f"/api/draws/{draw_id}"
    sealed = client.post(f"{d}/seal", headers=headers)
    assert sealed.status_code == 200, sealed.text
    run_ceremony(client, headers, witnesses, value="cd" * 32, draw_id=draw_id)
    assert client.post(f"{d}/run", headers=headers).status_code == 200
    assert client.post(f"{d}/publish", headers=headers).status_code == 200


def _publish(
    client: TestClient, bureau: Bureau, spec: dict[str, Any], rows: list[dict[str, Any]]
) -> dict[str, str]:
    """Create, import, witness, seal, run and publish the first draw; receipts by application."""
    d = f"/api/draws/{FIRST}"
    assert client.post("/api/draws", json=spec, headers=bureau.operator).is_success
    created = client.post(f"{d}/applicants", json=rows, headers=bureau.operator)
    assert created.status_code == 201, created.text
    witnesses = _witnesses(client, bureau.operator, FIRST)
    assert client.post(f"{d}/objection", headers=bureau.operator).status_code == 200
    _seal_to_publish(client, bureau.operator, FIRST, witnesses)
    return {r["application"]: r["receipt_code"] for r in created.json()["receipts"]}


def _published_first(client: TestClient, bureau: Bureau, scenario: Scenario) -> dict[str, str]:
    """The scenario's first draw, published, its declines recorded; receipts by application."""
    receipts = _publish(client, bureau, scenario.spec, scenario.rows)
    for application in scenario.declines:
        answer = client.post(
            f"/api/draws/{FIRST}/actions",
            json={"type": "decline", "application": application},
            headers=bureau.operator,
        )
        assert answer.status_code == 201, answer.text
        assert answer.json()["moves"] == []  # nobody waitlisted fits the freed seats
    return receipts


def _state(client: TestClient, bureau: Bureau, draw_id: str) -> tuple[int, int]:
    """The draw's version and audit-log length: a refusal must leave both unchanged."""
    d = f"/api/draws/{draw_id}"
    version = client.get(d, headers=bureau.operator).json()["version"]
    return version, len(client.get(f"{d}/audit", headers=bureau.auditor).json())


def _bundle(client: TestClient, draw_id: str, path: Path) -> Path:
    answer = client.get(f"/api/draws/{draw_id}/bundle.zip")
    assert answer.status_code == 200, answer.text
    path.write_bytes(answer.content)
    return path


def _verify(
    client: TestClient, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, dict[str, Any]]:
    """verify-draw on the second round's bundle, pinned as its sealing announcement gives it."""
    announced = client.get(f"/api/draws/{SECOND}/announcement").json()
    capsys.readouterr()
    code = verify_draw([*args, "--pin", announced["pin"], "--json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_second_round_runs_and_verifies_against_the_first(
    client: TestClient,
    bureau: Bureau,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
) -> None:
    scenario = SCENARIOS[name]()
    receipts = _published_first(client, bureau, scenario)
    listed = client.get(f"/api/draws/{FIRST}/applicants/private", headers=bureau.auditor)
    first_private = {r["application"]: r for r in listed.json()}
    body: dict[str, Any] = {"id": SECOND, "title": "某县 2026 年小学补录", "beacon": BEACON}
    if name == "single_school":  # the first draw's beacon value is public: refused
        before = _state(client, bureau, FIRST)
        reused = client.post(
            f"/api/draws/{FIRST}/second-round",
            json={**body, "beacon": FIRST_BEACON},
            headers=bureau.operator,
        )
        assert reused.status_code == 422, reused.text
        assert [p["field"] for p in reused.json()["problems"]] == ["beacon"]
        assert _state(client, bureau, FIRST) == before
    if name == "single_school":
        body["min_reveals"] = 1
    created = client.post(f"/api/draws/{FIRST}/second-round", json=body, headers=bureau.operator)
    assert created.status_code == 201, created.text
    public = client.get(f"/api/draws/{SECOND}").json()  # the public sees it: objection is open
    assert public == created.json()
    assert public["state"] == "objection" and public["previous_draw"] == FIRST
    assert [(s["id"], s["seats"], s["reserved"]) for s in public["schools"]] == [
        (school, seats, []) for school, seats in scenario.seats
    ]
    assert public["min_reveals"] == (2 if name == "multi_school" else 1)
    # the service filled in the drand round's time (Appendix A): after the first draw's
    assert public["beacon"] == {
        "primary": {**BEACON["primary"], "at": "2026-06-01T11:00:00Z"},
        "fallback": None,
    }
    private = client.get(f"/api/draws/{SECOND}/applicants/private", headers=bureau.auditor).json()
    assert [(r["application"], r["group"]) for r in private] == scenario.children
    for row in private:  # the same child, the same salted digest, the same receipt code
        before = first_private[row["application"]]
        for key in ("name", "id_number", "birth_date", "receipt_code", "private_digest"):
            assert row[key] == before[key], key
        assert row["masked_name"] == before["masked_name"]

    _seal_to_publish(client, bureau.operator, SECOND, _witnesses(client, bureau.operator, SECOND))
    results = json.loads(client.get(f"/api/draws/{SECOND}/results.json").content)
    school = scenario.seats[0][0] if scenario.placed else None
    assert [(row[0], row[3]) for row in results["applicants"]] == [
        (application, school) for application, _ in scenario.children
    ]
    for application, _ in scenario.children:
        found = client.post(
            f"/api/draws/{SECOND}/lookup",
            json={"application": application, "receipt": receipts[application]},
        )
        assert found.status_code == 200, found.text
        status = "admitted" if scenario.placed else "waitlisted"
        assert found.json()["status"] == status and found.json()["school"] == school
        digest = found.json()["record"]["private_digest"]
        assert digest == first_private[application]["private_digest"]
    left_out = next(a for a in receipts if a not in dict(scenario.children))
    assert (
        client.post(
            f"/api/draws/{SECOND}/lookup",
            json={"application": left_out, "receipt": receipts[left_out]},
        ).status_code
        == 404
    )

    first = _bundle(client, FIRST, tmp_path / "first.zip")
    second = _bundle(client, SECOND, tmp_path / "second.zip")
    code, report = _verify(client, capsys, str(second), "--previous", str(first))
    assert code == 0, report
    second_round = next(
        c for c in report["checks"] if c["number"] == 14
    )  # in the report since issue 10
    assert second_round["status"] == "PASS" and second_round["name"] == "second_round"
    first_log = client.get(f"/api/draws/{FIRST}/audit", headers=bureau.auditor).json()
    assert first_log[-1]["action"] == "draw.second_round_created"
    assert first_log[-1]["details"]["draw"] == SECOND
    second_log = client.get(f"/api/draws/{SECOND}/audit", headers=bureau.auditor).json()
    assert second_log[0]["action"] == "draw.created"
    assert second_log[0]["details"]["second_round_of"]["draw"] == FIRST
    with zipfile.ZipFile(first) as archive:
        signed = json.loads(archive.read(f"{FIRST}/actions.sig.json"))
    assert second_log[0]["details"]["second_round_of"]["actions"] == signed["digest"]


def test_a_child_slipped_into_the_second_round_fails_check_14(
    client: TestClient,
    bureau: Bureau,
    engine: Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _published_first(client, bureau, multi_school())
    body = {"id": SECOND, "title": "补录", "beacon": BEACON}
    assert client.post(
        f"/api/draws/{FIRST}/second-round", json=body, headers=bureau.operator
    ).is_success
    _slip_in(engine, "A001", preferences=["S03"])  # an unplaced child who never listed S03
    _seal_to_publish(client, bureau.operator, SECOND, _witnesses(client, bureau.operator, SECOND))
    first = _bundle(client, FIRST, tmp_path / "first.zip")
    second = _bundle(client, SECOND, tmp_path / "second.zip")
    code, alone = _verify(client, capsys, str(second))
    assert code == 0, alone  # signed by the bureau, consistent in itself ...
    code, report = _verify(client, capsys, str(second), "--previous", str(first))
    assert code == 1
    check = next(c for c in report["checks"] if c["number"] == 14)  # ... but not the second round
    assert check["status"] == "FAIL" and check["number"] == 14
    assert "applicants.jsonl line 1" in check["detail"]
    assert "A001" in check["found"] and "T001" in check["expected"]


def _slip_in(engine: Engine, application: str, *, preferences: list[str]) -> None:
    """What a dishonest operator with database access does before sealing: add a child."""
    with session_scope(engine) as session:
        first, second = (find_draw(session, draw_id) for draw_id in (FIRST, SECOND))
        source, personal = session.exec(
            select(Applicant, ApplicantPrivate)
            .join(ApplicantPrivate, col(Applicant.id) == col(ApplicantPrivate.applicant_id))
            .where(Applicant.draw_id == first.id, Applicant.application == application)
        ).one()
        public = source.model_dump(exclude={"id"})
        public |= {"draw_id": second.id, "preferences": json.dumps(preferences)}
        copy = Applicant(**public)
        session.add(copy)
        session.flush()
        session.add(ApplicantPrivate(**(personal.model_dump() | {"applicant_id": copy.id})))
        session.commit()


def test_refusals_write_nothing(client: TestClient, bureau: Bureau) -> None:
    scenario = multi_school()
    d = f"/api/draws/{FIRST}"
    body: dict[str, Any] = {"id": SECOND, "title": "补录", "beacon": BEACON}
    assert client.post("/api/draws", json=scenario.spec, headers=bureau.operator).is_success
    assert client.post(f"{d}/applicants", json=scenario.rows, headers=bureau.operator).is_success
    witnesses = _witnesses(client, bureau.operator, FIRST)
    assert client.post(f"{d}/objection", headers=bureau.operator).status_code == 200

    def refused(headers: dict[str, str], status: int, code: str) -> str:
        """The refusal's English message; the first draw unchanged, no second round made."""
        before = _state(client, bureau, FIRST)
        answer = client.post(f"{d}/second-round", json=body, headers=headers)
        assert answer.status_code == status, answer.text
        assert answer.json()["error"] == code
        assert answer.json()["message_zh"] and answer.json()["message_en"]
        assert _state(client, bureau, FIRST) == before
        assert client.get(f"/api/draws/{SECOND}", headers=bureau.operator).status_code == 404
        message: str = answer.json()["message_en"]
        return message

    refused(bureau.operator, 409, "wrong_state")  # in objection, not published
    _seal_to_publish(client, bureau.operator, FIRST, witnesses)
    refused({}, 401, "unauthenticated")
    refused(witnesses["W1"], 403, "forbidden")
    refused(bureau.auditor, 403, "forbidden")
    refused(bureau.other_operator, 404, "not_found")  # another bureau's draw does not exist
    body["id"] = FIRST
    refused(bureau.operator, 409, "conflict")  # the id is taken
    body["id"] = SECOND
    del body["beacon"]
    # sunshine-draw/2: the second round's own beacon is required
    assert "needs its own beacon" in refused(bureau.operator, 422, "invalid")
    for stale in ("2026-06-01T09:05:00Z", "2026-06-01T08:00:00Z"):  # the clock is at 09:10
        body["beacon"] = {"primary": {**BEACON["primary"], "round": drand_round(stale)}}
        assert "not after now" in refused(bureau.operator, 422, "invalid")  # §7.2 item 1
    body["beacon"] = {"primary": {**BEACON["primary"], "at": "2026-06-01T12:00:00Z"}}
    assert "Appendix A" in refused(bureau.operator, 422, "invalid")  # the chain fixes `at`
    body["beacon"] = {**BEACON, "fallback": FIRST_BEACON["primary"]}
    assert "already public" in refused(bureau.operator, 422, "invalid")  # even as the fallback
    body["beacon"] = BEACON

    created = client.post(f"{d}/second-round", json=body, headers=bureau.operator)
    assert created.status_code == 201, created.text
    before = _state(client, bureau, FIRST), _state(client, bureau, SECOND)
    again = client.post(
        f"{d}/second-round", json={**body, "id": "XQ-2026-R3"}, headers=bureau.operator
    )
    assert again.status_code == 409 and SECOND in again.json()["message_en"]
    late = client.post(
        f"{d}/actions", json={"type": "decline", "application": "A001"}, headers=bureau.operator
    )
    assert late.status_code == 409 and "second round" in late.json()["message_en"]
    extra = client.post(
        f"/api/draws/{SECOND}/applicants", json=scenario.rows[:1], headers=bureau.operator
    )
    assert extra.status_code == 409 and "second round" in extra.json()["message_en"]
    rules = {**scenario.spec, "id": SECOND}
    edit = client.put(f"/api/draws/{SECOND}/rules", json=rules, headers=bureau.operator)
    assert edit.status_code == 409
    assert (_state(client, bureau, FIRST), _state(client, bureau, SECOND)) == before
    assert client.get(f"/api/draws/{SECOND}").json()["applicant_count"] == 3  # the triplets


def _full_schools() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """S01 takes one of its three children; S02 keeps a free seat that none of them listed."""
    spec = _spec("single_school_lottery", [_school("S01", 1), _school("S02", 2)], 1)
    children: list[Child] = [(f"A{n:03d}", ["S01"], {}, None) for n in (1, 2, 3)]
    return spec, _rows([*children, ("B001", ["S02"], {}, None)])


@pytest.mark.parametrize(
    ("seats", "reason"),
    [(2, "no free seat"), (5, "no child"), (None, "no child")],
    ids=["every-seat-taken", "every-child-seated", "free-seats-nobody-listed"],
)
def test_nothing_to_draw_is_refused(
    client: TestClient, bureau: Bureau, seats: int | None, reason: str
) -> None:
    if seats is None:
        spec, rows = _full_schools()
    else:
        spec = _spec("single_school_lottery", [_school("S01", seats)], 1)
        rows = _rows([(f"A{n:03d}", ["S01"], {}, None) for n in (1, 2, 3, 4)])
    _publish(client, bureau, spec, rows)
    before = _state(client, bureau, FIRST)
    answer = client.post(
        f"/api/draws/{FIRST}/second-round",
        json={"id": SECOND, "title": "补录", "beacon": BEACON},
        headers=bureau.operator,
    )
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"] == "no_second_round"
    assert reason in answer.json()["message_en"] and answer.json()["message_zh"]
    assert _state(client, bureau, FIRST) == before
    assert client.get(f"/api/draws/{SECOND}", headers=bureau.operator).status_code == 404


def test_the_cli_creates_the_second_round(
    client: TestClient, bureau: Bureau, database_url: str, tmp_path: Path
) -> None:
    _published_first(client, bureau, multi_school())
    key = tmp_path / "signing-key.pem"
    key.write_bytes(_KEY.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    env = {"DATABASE_URL": database_url, "SUNSHINE_SIGNING_KEY_FILE": str(key)}
    runner = CliRunner()
    command = ["second-round", FIRST, SECOND, "--title", "补录"]
    before = _state(client, bureau, FIRST)
    missing = runner.invoke(lottery_cli, command, env=env)
    assert missing.exit_code == 1
    assert "自己的公开信标" in missing.output and "needs its own beacon" in missing.output
    past = ["--beacon-source", f"drand:{QUICKNET}", "--beacon-round", "1000"]  # public in 2023
    stale = runner.invoke(lottery_cli, [*command, *past], env=env)
    assert stale.exit_code == 1 and "not after now" in stale.output
    assert _state(client, bureau, FIRST) == before
    # a drand source needs only its chain and round: the service fills in its time (Appendix A);
    # the command line runs on the real clock, so this round is far in the future
    beacon = ["--beacon-source", f"drand:{QUICKNET}"]
    beacon += ["--beacon-round", drand_round("2099-06-01T11:00:00Z")]
    made = runner.invoke(lottery_cli, [*command, *beacon], env=env)
    assert made.exit_code == 0, made.output
    assert made.stdout.strip() == f"{SECOND}: second round of {FIRST}, 3 applicants, objection open"
    registered = client.get(f"/api/draws/{SECOND}").json()["beacon"]["primary"]
    assert registered["at"] == "2099-06-01T11:00:00Z" and registered["format"] == "hex64"
    status = runner.invoke(lottery_cli, ["status", SECOND], env=env)
    assert status.stdout.strip().endswith(f"second round of:   {FIRST}")
    again = runner.invoke(
        lottery_cli, ["second-round", FIRST, "XQ-2026-R3", "--title", "补录", *beacon], env=env
    )
    assert again.exit_code == 1
    assert "已有补录抽签" in again.output and "already has a second round" in again.output
    bad = runner.invoke(
        lottery_cli, ["second-round", FIRST, "bad id!", "--title", "补录", *beacon], env=env
    )
    assert bad.exit_code == 1 and "second round" in bad.output


def test_the_migrations_give_exactly_the_models_schema(engine: Engine) -> None:
    """0002 adds `draws.previous_draw_id` (and its unique index) exactly as the model has it."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, SQLModel.metadata) == []
