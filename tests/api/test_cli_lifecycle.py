"""The operator CLI (`lottery ...`): a whole draw scripted through the service, on SQLite."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from pathlib import Path

import pytest
from helpers import DRAW_ID, applicant_rows, draw_spec, secret
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from api.cli import app
from api.db import make_engine
from api.models import Applicant, AuditEvent
from lottery import read_bundle, witness_commitment

WITNESSES = ("W1", "W2", "W3")


class Operator:
    """Runs `lottery` commands against one database and key file, like a shell script."""

    def __init__(self, tmp_path: Path) -> None:
        self.env = {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'service.db'}",
            "SUNSHINE_SIGNING_KEY_FILE": str(tmp_path / "signing-key.pem"),
            "SUNSHINE_DATA_DIR": str(tmp_path / "data"),
        }
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True) -> Result:
        result = self.runner.invoke(app, list(args), env=self.env)
        if ok:
            assert result.exit_code == 0, (args, result.output)
        return result

    def count(self, table: type, **where: object) -> int:
        engine = make_engine(self.env["DATABASE_URL"])
        query = select(func.count()).select_from(table)
        for field, value in where.items():
            query = query.where(getattr(table, field) == value)
        with engine.connect() as connection:
            count = connection.execute(query).scalar_one()
        engine.dispose()
        return int(count)


def write_applicants(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["姓名", "身份证号", "志愿", "类别", "专项类别"])
        for row in rows:
            tiers = row.get("tiers") or {}
            writer.writerow(
                [
                    row["name"],
                    row["id_number"],
                    "S01",
                    next(iter(tiers.values()), ""),  # type: ignore[attr-defined]
                    row.get("category") or "",
                ]
            )
    return path


@pytest.fixture
def operator(tmp_path: Path) -> Operator:
    run = Operator(tmp_path)
    run("keys")
    run("migrate")
    token = run("create-bureau", "--code", "XQ", "--name", "某县教育局").stdout.strip()
    assert token.startswith("sdt_")
    spec = tmp_path / "draw.json"
    spec.write_text(json.dumps(draw_spec(seats=3)), encoding="utf-8")
    assert run("create", str(spec)).stdout.strip() == DRAW_ID
    return run


def add_witness(operator: Operator, tmp_path: Path, code: str) -> str:
    """Register a witness; the path of its credential file (never printed)."""
    path = tmp_path / f"{code}.credential"
    shown = operator("witness", "add", DRAW_ID, code, f"见证人{code}", "--out", str(path)).stdout
    assert str(path) in shown and "sdt_" not in shown
    return str(path)


def manifest_digest_of(seal_output: str) -> str:
    match = re.search(r"manifest digest: ([0-9a-f]{64})", seal_output)
    assert match, seal_output
    return match[1]


def _seal_with_witnesses(operator: Operator, tmp_path: Path) -> tuple[dict[str, str], str]:
    applicants = write_applicants(tmp_path / "list.csv", applicant_rows(8))
    assert "imported 8 applicants" in operator("import", DRAW_ID, str(applicants)).stdout
    tokens = {}
    for code in WITNESSES:
        tokens[code] = add_witness(operator, tmp_path, code)
        operator(
            "witness",
            "commit",
            DRAW_ID,
            code,
            "--credential",
            tokens[code],
            "--secret",
            secret(code).hex(),
        )
    operator("objection", DRAW_ID)
    digest = manifest_digest_of(operator("seal", DRAW_ID).stdout)
    return tokens, digest


def test_a_scripted_draw_from_keys_to_a_verified_bundle(operator: Operator, tmp_path: Path) -> None:
    tokens, manifest_digest = _seal_with_witnesses(operator, tmp_path)
    assert len(manifest_digest) == 64
    rehearsal = operator("rehearse", DRAW_ID, "彩排 practice").stdout
    assert "rehearsal 1" in rehearsal and "REHEARSAL" in rehearsal
    operator("ceremony", DRAW_ID)
    for code in WITNESSES:
        operator(
            "witness", "reveal", DRAW_ID, code, secret(code).hex(), "--credential", tokens[code]
        )
    operator("beacon", DRAW_ID, "ab" * 32)
    shown = operator("run", DRAW_ID).stdout
    results_digest = re.findall(r"results digest: ([0-9a-f]{64})", shown)[0]
    assert operator("run", DRAW_ID).stdout == shown  # idempotent
    operator("publish", DRAW_ID)
    status = operator("status", DRAW_ID).stdout
    assert "已公布 published" in status and "applicants:          8" in status
    assert f"manifest digest: {manifest_digest}" in status

    results = json.loads(_results(operator, tmp_path))
    admitted = [row[0] for row in results["applicants"] if row[2] == "admitted"]
    declined = operator("decline", DRAW_ID, admitted[0], "--yes", "--reason", "家长放弃").stdout
    assert f"decline {admitted[0]}" in declined
    assert "-> S01" in declined  # the first on the waitlist moved up

    operator("export", DRAW_ID, "--out", str(tmp_path / "bundle"))
    operator("export", DRAW_ID, "--out", str(tmp_path / "bundle.zip"))
    from verifier import verify_bundle

    for exported in (tmp_path / "bundle", tmp_path / "bundle.zip"):
        report = verify_bundle(exported)
        assert report.passed, report.as_dict()
    bundle = read_bundle(tmp_path / "bundle")
    assert bundle.results["manifest"] == manifest_digest
    signature = json.loads((tmp_path / "bundle" / "results.sig.json").read_bytes())
    assert signature["digest"] == results_digest
    with zipfile.ZipFile(tmp_path / "bundle.zip") as archive:
        names = {name.split("/", 1)[1] for name in archive.namelist()}
    assert names == {p.name for p in (tmp_path / "bundle").iterdir()}
    assert {"actions.json", "audit.jsonl"} <= names


def _results(operator: Operator, tmp_path: Path) -> bytes:
    operator("export", DRAW_ID, "--out", str(tmp_path / "peek"))
    return (tmp_path / "peek" / "results.json").read_bytes()


def test_witness_commands_check_the_witnesss_own_credential(
    operator: Operator, tmp_path: Path
) -> None:
    w1 = add_witness(operator, tmp_path, "W1")
    wrong = operator(
        "witness", "commit", DRAW_ID, "W2", "--credential", w1, "--secret", "00" * 32, ok=False
    )
    assert wrong.exit_code == 1
    assert "W1" in wrong.output and "W2" in wrong.output
    bad_hex = operator(
        "witness", "commit", DRAW_ID, "W1", "--credential", w1, "--commitment", "xyz", ok=False
    )
    assert bad_hex.exit_code == 1 and "commitment" in bad_hex.output
    fresh = operator("witness", "secret", "W1").stdout.split()
    assert fresh[0] == "secret" and fresh[2] == "commitment"
    assert fresh[3] == witness_commitment("W1", bytes.fromhex(fresh[1]))
    operator("witness", "commit", DRAW_ID, "W1", "--credential", w1, "--commitment", fresh[3])
    assert operator.count(AuditEvent, action="witness.committed") == 1


def test_errors_are_bilingual_messages_with_exit_1_never_a_traceback(
    operator: Operator, tmp_path: Path
) -> None:
    too_early = operator("seal", DRAW_ID, ok=False)
    assert too_early.exit_code == 1
    assert "草稿" in too_early.output and "draw XQ-2026-primary is draft" in too_early.output
    unknown = operator("run", "NO-SUCH-DRAW", ok=False)
    assert unknown.exit_code == 1 and "no draw with id NO-SUCH-DRAW" in unknown.output
    not_yet = operator("export", DRAW_ID, "--out", str(tmp_path / "x"), ok=False)
    assert not_yet.exit_code == 1 and "the bundle needs" in not_yet.output
    bad_spec = tmp_path / "bad.json"
    bad_spec.write_text(json.dumps({**draw_spec(), "id": "has space", "mode": "coin"}))
    rejected = operator("create", str(bad_spec), ok=False)
    assert rejected.exit_code == 1
    assert "id" in rejected.output and "mode" in rejected.output and "coin" in rejected.output
    operator.env["SUNSHINE_SIGNING_KEY_FILE"] = str(tmp_path / "missing.pem")
    no_key = operator("objection", DRAW_ID, ok=False)
    assert no_key.exit_code == 1 and "signing key file not found" in no_key.output
    for result in (too_early, unknown, not_yet, rejected, no_key):
        assert "Traceback" not in result.output
        assert isinstance(result.exception, SystemExit), result.exception


def test_a_rejected_import_lists_every_problem_writes_a_report_and_changes_nothing(
    operator: Operator, tmp_path: Path
) -> None:
    rows = applicant_rows(5)
    good_id = rows[1]["id_number"]
    rows[1]["id_number"] = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")  # check digit
    rows[3]["tiers"] = {"S01": "T9"}  # not a tier of the school
    source = write_applicants(tmp_path / "报名.csv", rows)
    events_before = operator.count(AuditEvent)
    result = operator("import", DRAW_ID, str(source), ok=False)
    assert result.exit_code == 1
    assert "第3行" in result.output and "row 3" in result.output  # the header is row 1
    assert "第5行" in result.output and "T9" in result.output
    assert "Traceback" not in result.output
    report = tmp_path / "报名.csv.problems.csv"
    lines = report.read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("行 row")
    assert {line.split(",")[0] for line in lines[1:]} == {"3", "5"}
    assert operator.count(Applicant) == 0
    assert operator.count(AuditEvent) == events_before
    # The same file once fixed goes in whole.
    rows[1]["id_number"], rows[3]["tiers"] = good_id, {"S01": "T1"}
    operator("import", DRAW_ID, str(write_applicants(source, rows)))
    assert operator.count(Applicant) == 5


def test_an_excel_list_with_chinese_headers_goes_in_whole(
    operator: Operator, tmp_path: Path
) -> None:
    from api.demo import applicant_workbook

    rows = [
        (
            f"XQ-A{i:03d}",
            str(row["name"]),
            str(row["id_number"]),
            "S01",
            next(iter(row.get("tiers", {}).values()), ""),  # type: ignore[attr-defined]
            str(row.get("category") or ""),
            "",
        )
        for i, row in enumerate(applicant_rows(7), start=1)
    ]
    source = tmp_path / "报名名单.xlsx"
    source.write_bytes(applicant_workbook(rows))
    assert "imported 7 applicants" in operator("import", DRAW_ID, str(source)).stdout
    assert operator.count(Applicant) == 7
    assert operator.count(Applicant, application="XQ-A007") == 1
    assert not (tmp_path / "报名名单.xlsx.problems.csv").exists()
