"""The ceremony as people watch it in the terminal (issue 13): `seal` shows the manifest digest
and the key fingerprint, `rehearse` a result marked 模拟, `run` counts, cutoffs and the first
lines of each list; `status`, `list`, `--version`; a decline asks first and logs its reason; the
bureau's reveal receipt goes to a file of its own, never over another file."""

from __future__ import annotations

import json
import re
from pathlib import Path

from helpers import DRAW_ID, reveal
from sqlalchemy import select
from test_cli_lifecycle import (  # the fixture and helpers of the scripted draw
    Operator,
    _seal_with_witnesses,
    add_witness,
    applicant_rows,
    ceremony,
    operator,
    witness_file,
    write_applicants,
)

from api.cli import app
from api.db import make_engine
from api.models import Action, AuditEvent, Reveal
from api.signer import load_signer

__all__ = ["operator"]


def _drawn(operator: Operator, tmp_path: Path) -> str:
    _seal_with_witnesses(operator, tmp_path)
    ceremony(operator, tmp_path)
    return str(operator("run", DRAW_ID).stdout)


def test_status_shows_the_digest_the_fingerprint_and_the_next_step(
    operator: Operator, tmp_path: Path
) -> None:
    _seal_with_witnesses(operator, tmp_path)
    fingerprint = load_signer(Path(operator.env["SUNSHINE_SIGNING_KEY_FILE"])).fingerprint
    status = operator("status", DRAW_ID).stdout
    assert f"key fingerprint: {fingerprint}" in status
    assert "lottery rehearse" in status  # the next step
    manifest = re.search(r"manifest digest: ([0-9a-f]{64})", status)
    assert manifest is not None


def test_seal_shows_the_digest_and_the_key_fingerprint(operator: Operator, tmp_path: Path) -> None:
    operator("import", DRAW_ID, str(write_applicants(tmp_path / "l.csv", applicant_rows(6))))
    for code in ("W1", "W2"):
        add_witness(operator, tmp_path, code)
    operator("objection", DRAW_ID)
    shown = operator("seal", DRAW_ID).stdout
    fingerprint = load_signer(Path(operator.env["SUNSHINE_SIGNING_KEY_FILE"])).fingerprint
    assert re.search(r"清单摘要 manifest digest: [0-9a-f]{64}", shown)
    assert f"密钥指纹 key fingerprint: {fingerprint}" in shown


def test_rehearse_shows_a_simulated_result_per_school(operator: Operator, tmp_path: Path) -> None:
    _seal_with_witnesses(operator, tmp_path)
    shown = operator("rehearse", DRAW_ID, "彩排一").stdout
    assert shown.count("模拟") >= 3 and "SIMULATED" in shown
    assert "S01 第一小学" in shown
    assert "录取 admitted 3 / 计划 seats 3" in shown  # 8 applicants, 3 seats
    assert "候补 waitlist 5" in shown


def test_run_shows_counts_cutoffs_and_the_first_lines(operator: Operator, tmp_path: Path) -> None:
    shown = _drawn(operator, tmp_path)
    assert "正式结果" in shown and "模拟" not in shown
    assert "录取 admitted 3 / 计划 seats 3" in shown
    assert re.search(
        r"普通名额录取线 open-seat cutoff \(类别/号码 tier/number\) T\d / [0-9a-f]{16}", shown
    )
    assert "专项名额录取线 reserved cutoff" in shown
    assert re.search(r"\n      XQ\d{6}  [0-9a-f]{16}\n", shown)  # first admitted lines
    assert re.search(r"\n      1\. XQ\d{6}\n", shown)  # first waitlist line
    assert re.search(r"results digest: [0-9a-f]{64}", shown)


def test_list_version_and_chinese_help(operator: Operator) -> None:
    listed = operator("list").stdout
    assert DRAW_ID in listed and "草稿 draft" in listed
    assert re.fullmatch(r"lottery \S+ \(protocol sunshine-draw/2\)\n", operator("--version").stdout)
    assert "生成教育局签名密钥" in operator("--help").stdout
    assert "见证人" in operator("witness", "--help").stdout


def test_a_reveal_receipt_goes_to_its_own_file(operator: Operator, tmp_path: Path) -> None:
    manifest = _seal_with_witnesses(operator, tmp_path)
    path = tmp_path / "receipt-notary.json"
    w1 = witness_file(tmp_path / "usb" / "reveal-W1.json", reveal("W1", manifest))
    shown = operator("witness", "reveal", str(w1), "--out", str(path))
    assert str(path) in shown.stdout and "witness W1 revealed" in shown.stdout
    receipt = json.loads(path.read_bytes())
    assert receipt["witness"] == "W1" and receipt["manifest"] == manifest
    w2 = witness_file(tmp_path / "usb" / "reveal-W2.json", reveal("W2", manifest))
    again = operator("witness", "reveal", str(w2), "--out", str(path), ok=False)
    assert again.exit_code == 1 and "file exists" in again.output  # never overwritten
    assert json.loads(path.read_bytes()) == receipt
    assert operator.count(Reveal) == 1  # W2's reveal was not taken without its receipt
    assert operator.count(AuditEvent, action="witness.revealed") == 1


def test_a_decline_asks_first_and_logs_its_reason(operator: Operator, tmp_path: Path) -> None:
    _drawn(operator, tmp_path)
    operator("publish", DRAW_ID)
    operator("export", DRAW_ID, "--out", str(tmp_path / "peek"))
    results = json.loads((tmp_path / "peek" / "results.json").read_bytes())
    admitted = next(row[0] for row in results["applicants"] if row[2] == "admitted")
    refused = operator.runner.invoke(
        app,
        ["decline", DRAW_ID, admitted, "--reason", "家长自愿放弃"],
        env=operator.env,
        input="n\n",
    )
    assert refused.exit_code == 1 and "已录取 admitted" in refused.output
    assert operator.count(Action) == 0
    asked = operator.runner.invoke(
        app,
        ["decline", DRAW_ID, admitted],
        env=operator.env,
        input="家长自愿放弃 110101202001011234\ny\n",
    )
    assert asked.exit_code == 0, asked.output
    assert operator.count(Action) == 1
    assert operator.count(AuditEvent, action="action.recorded") == 1
    engine = make_engine(operator.env["DATABASE_URL"])
    with engine.connect() as connection:
        details = connection.execute(
            select(AuditEvent.details).where(AuditEvent.action == "action.recorded")
        ).scalar_one()
    engine.dispose()
    assert json.loads(details)["reason"] == "家长自愿放弃 1101**********1234"
