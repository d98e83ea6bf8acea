"""The operator CLI (`lottery ...`): a whole draw scripted through the service, on SQLite. The
witnesses' files (§7.9) are made as their own tool makes them and handed over as files; the clock
is the real one, so the beacon's time is an hour ahead."""

from __future__ import annotations

import csv
import datetime
import json
import re
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from helpers import (
    DRAW_ID,
    applicant_rows,
    commitment,
    cosign,
    drand_round,
    draw_spec,
    reveal,
    secret,
    witness_key,
)
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from api.cli import app
from api.clock import utc_now
from api.db import make_engine
from api.models import Applicant, AuditEvent, Reveal, Witness
from lottery import canonical_json, commitment_file, read_bundle, reveal_file

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
        self.commands: list[tuple[str, ...]] = []  # every command typed, in order

    def __call__(self, *args: str, ok: bool = True) -> Result:
        self.commands.append(args)
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


def in_an_hour() -> str:
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    return later.strftime("%Y-%m-%dT%H:%M:%SZ")


def beacon_in_an_hour(spec: dict[str, Any]) -> dict[str, Any]:
    """The draw's drand round an hour from now: the reveals must close before it (§7.4)."""
    spec["beacon"]["primary"]["round"] = drand_round(in_an_hour())
    return spec


@pytest.fixture
def operator(tmp_path: Path) -> Operator:
    run = Operator(tmp_path)
    run("keys")
    run("migrate")
    token = run("create-bureau", "--code", "XQ", "--name", "某县教育局").stdout.strip()
    assert token.startswith("sdt_")
    spec = tmp_path / "draw.json"
    spec.write_text(json.dumps(beacon_in_an_hour(draw_spec(seats=3))), encoding="utf-8")
    assert run("create", str(spec)).stdout.strip() == DRAW_ID
    return run


def witness_file(path: Path, document: dict[str, Any]) -> Path:
    """A witness file (§7.9) as it arrives on the USB stick."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(canonical_json(document))
    return path


def add_witness(operator: Operator, tmp_path: Path, code: str, draw_id: str = DRAW_ID) -> Path:
    """Register a witness from its own commitment file; the file's path."""
    path = witness_file(tmp_path / "usb" / f"commitment-{code}.json", commitment(code, draw_id))
    shown = operator("witness", "add", str(path)).stdout
    assert f"witness {code} committed" in shown, shown
    return path


def manifest_digest_of(seal_output: str) -> str:
    match = re.search(r"manifest digest: ([0-9a-f]{64})", seal_output)
    assert match, seal_output
    return match[1]


def _seal_with_witnesses(operator: Operator, tmp_path: Path) -> str:
    """Import 8 applicants, register the three witnesses, seal; the manifest digest."""
    applicants = write_applicants(tmp_path / "list.csv", applicant_rows(8))
    assert "imported 8 applicants" in operator("import", DRAW_ID, str(applicants)).stdout
    for code in WITNESSES:
        add_witness(operator, tmp_path, code)
    operator("objection", DRAW_ID)
    return manifest_digest_of(operator("seal", DRAW_ID).stdout)


def _sealed_at(operator: Operator, tmp_path: Path, draw_id: str) -> str:
    folder = tmp_path / f"announced-{draw_id}"
    if not folder.exists():
        operator("announce", draw_id, "--out", str(folder))
    sealed_at: str = json.loads((folder / "manifest.json").read_bytes())["draw"]["sealed_at"]
    return sealed_at


def ceremony(
    operator: Operator,
    tmp_path: Path,
    *,
    draw_id: str = DRAW_ID,
    witnesses: tuple[str, ...] = WITNESSES,
    value: str = "ab" * 32,
) -> None:
    """The ceremony at the clerk's PC (§7.3-§7.5): each witness's signed reveal (its receipt
    written to a file), the checkpoint and the beacon statement, each co-signed by every
    revealed witness."""
    usb = tmp_path / "usb"
    sealed_at = _sealed_at(operator, tmp_path, draw_id)
    manifest = manifest_digest_of(operator("status", draw_id).stdout)
    for code in witnesses:
        receipt = usb / f"receipt-{code}.json"
        path = witness_file(usb / f"reveal-{code}.json", reveal(code, manifest, draw_id))
        operator("witness", "reveal", str(path), "--out", str(receipt))
        assert json.loads(receipt.read_bytes())["witness"] == code
    while utc_now() <= sealed_at:  # the checkpoint is later than sealing (§7.4), to the second
        time.sleep(0.05)
    for of in ("checkpoint", "beacon"):
        statement = usb / f"{of}-{draw_id}.json"
        if of == "checkpoint":
            operator("ceremony", "close", draw_id, "--out", str(statement))
        else:
            operator("beacon", draw_id, "--value", value, "--out", str(statement))
        document = json.loads(statement.read_bytes())
        for code in witnesses:
            signed = witness_file(usb / f"cosign-{of}-{code}.json", cosign(code, of, document))
            operator("witness", "cosign", str(signed))


def test_a_scripted_draw_from_keys_to_a_verified_bundle(operator: Operator, tmp_path: Path) -> None:
    manifest_digest = _seal_with_witnesses(operator, tmp_path)
    assert len(manifest_digest) == 64
    rehearsal = operator("rehearse", DRAW_ID, "彩排 practice").stdout
    assert "rehearsal 1" in rehearsal and "REHEARSAL" in rehearsal
    ceremony(operator, tmp_path)
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


def test_witness_files_are_checked_and_a_refused_one_changes_nothing(
    operator: Operator, tmp_path: Path
) -> None:
    """Each witness file is signed with its witness's own key and checked before anything is
    stored (§7.9); a refused one is named, logged as `refused.*` and changes nothing."""
    usb = tmp_path / "usb"
    broken = {**commitment("W1"), "commitment": "xyz"}
    bad_hex = operator("witness", "add", str(witness_file(usb / "bad.json", broken)), ok=False)
    assert bad_hex.exit_code == 1 and "commitment: 'xyz' is not 64" in bad_hex.output
    borrowed = commitment_file(DRAW_ID, "W2", "见证人W2", witness_key("W1"), secret("W2"))
    add_witness(operator, tmp_path, "W1")
    same_key = operator("witness", "add", str(witness_file(usb / "w2.json", borrowed)), ok=False)
    assert same_key.exit_code == 1
    assert "witness W2's public key is W1's too" in same_key.output
    assert operator.count(Witness) == 1
    assert operator.count(AuditEvent, action="witness.committed") == 1
    for code in ("W2", "W3"):
        add_witness(operator, tmp_path, code)
    operator("import", DRAW_ID, str(write_applicants(tmp_path / "l.csv", applicant_rows(6))))
    operator("objection", DRAW_ID)
    manifest = manifest_digest_of(operator("seal", DRAW_ID).stdout)
    refusals = operator.count(AuditEvent)
    forged = reveal_file(bytes.fromhex(manifest), "W2", secret("W2"), witness_key("W1"))
    wrong_secret = reveal_file(bytes.fromhex(manifest), "W3", secret("W1"), witness_key("W3"))
    for name, document, why in (
        ("forged", forged, "signature does not verify"),
        ("wrong-secret", wrong_secret, "secret does not match commitment"),
    ):
        path = witness_file(usb / f"{name}.json", document)
        receipt = usb / f"receipt-{name}.json"
        refused = operator("witness", "reveal", str(path), "--out", str(receipt), ok=False)
        assert refused.exit_code == 1 and "Traceback" not in refused.output
        assert f"witness {document['witness']}: " in refused.output and why in refused.output
        assert not receipt.exists()
    assert operator.count(Reveal) == 0
    assert operator.count(AuditEvent) == refusals + 2
    assert operator.count(AuditEvent, action="witness.revealed") == 0


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
