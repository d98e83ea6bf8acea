"""`lottery documents ...` on a scripted draw: the public documents from the database and from
the published bundle are the same bytes; letters come in files; the school's register is
audit-logged; a full output directory is refused and nothing is half-written."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import time
from pathlib import Path

import pytest
from helpers import DRAW_ID, QUICKNET, applicant_rows, drand_round, draw_spec
from test_cli_lifecycle import Operator, write_applicants

from api.demo_county import DemoEntropy
from api.demo_witnesses import DemoWitness
from api.documents.catalogue import AFTER_ACTIONS_FILE, CHECK_SCRIPT, PUBLIC_FILES
from api.models import AuditEvent

NOTICE = ("--posted-at", "2026-07-10 09:30", "--deadline", "2026-07-15 17:00")
WITNESSES = ("W1", "W2", "W3")


@pytest.fixture
def operator(tmp_path: Path) -> Operator:
    """A draw whose drand round comes an hour from now, so the real clock closes the reveals
    before the beacon's time (§7.4)."""
    run = Operator(tmp_path)
    run("keys")
    run("migrate")
    run("create-bureau", "--code", "XQ", "--name", "某县教育局")
    spec = draw_spec(seats=3)
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    spec["beacon"]["primary"] = {
        "source": f"drand:{QUICKNET}",
        "round": drand_round(later.strftime("%Y-%m-%dT%H:%M:%SZ")),
        "format": "hex64",
    }
    (tmp_path / "draw.json").write_text(json.dumps(spec), encoding="utf-8")
    run("create", str(tmp_path / "draw.json"))
    return run


def _next_second() -> None:
    """Wait for the clock's next whole second: times are written to the second."""
    time.sleep(1.01 - datetime.datetime.now(datetime.UTC).microsecond / 1_000_000)


def _published(operator: Operator, tmp_path: Path) -> None:
    """Three witnesses, each in a folder of its own, through the v2 ceremony (§7.9)."""
    operator("import", DRAW_ID, str(write_applicants(tmp_path / "list.csv", applicant_rows(8))))
    entropy = DemoEntropy("documents")
    witnesses = [
        DemoWitness.set_up(code, f"见证人{code}", tmp_path / code, entropy, draw=DRAW_ID)
        for code in WITNESSES
    ]
    operator("witness", "add", *(str(w.commitment()) for w in witnesses))
    operator("objection", DRAW_ID)
    digest = re.search(r"manifest digest: ([0-9a-f]{64})", operator("seal", DRAW_ID).stdout)
    assert digest
    _next_second()  # the checkpoint is strictly later than the sealing (§7.4)
    operator("announce", DRAW_ID, "--out", str(tmp_path / "sealed"))
    for witness in witnesses:
        manifest = (tmp_path / "sealed" / "manifest.json").read_bytes()
        witness.check_manifest(manifest, announced=digest[1])
        receipt = tmp_path / f"receipt-{witness.code}.json"
        operator("witness", "reveal", str(witness.reveal()), "--out", str(receipt))
        witness.keep_receipt(json.loads(receipt.read_bytes()))
    operator("ceremony", "close", DRAW_ID, "--out", str(tmp_path / "checkpoint.json"))
    checkpoint = (tmp_path / "checkpoint.json").read_bytes()
    operator("witness", "cosign", *(str(w.cosign("checkpoint", checkpoint)) for w in witnesses))
    value = "ab" * 32
    operator("beacon", DRAW_ID, "--value", value, "--out", str(tmp_path / "beacon.json"))
    statement = (tmp_path / "beacon.json").read_bytes()
    operator(
        "witness",
        "cosign",
        *(str(w.cosign("beacon", statement, value_seen=value)) for w in witnesses),
    )
    operator("run", DRAW_ID)
    operator("publish", DRAW_ID)


def test_every_document_from_the_database_and_from_the_bundle(
    operator: Operator,
    tmp_path: Path,
) -> None:
    _published(operator, tmp_path)
    notice = tmp_path / "applicants.pdf"
    operator("documents", "applicants", DRAW_ID, "--out", str(notice), *NOTICE)
    assert notice.read_bytes().startswith(b"%PDF")
    stored = tmp_path / "stored"
    operator("documents", "public", DRAW_ID, "--out", str(stored), *NOTICE)
    operator("export", DRAW_ID, "--out", str(tmp_path / "bundle"))
    rebuilt = tmp_path / "rebuilt"
    operator("documents", "from-bundle", str(tmp_path / "bundle"), "--out", str(rebuilt), *NOTICE)
    names = {p.name for p in stored.iterdir()}
    assert names == {*PUBLIC_FILES, "均衡编班名单.pdf"}
    for name in names:  # anyone rebuilds the same bytes from the published bundle
        assert (stored / name).read_bytes() == (rebuilt / name).read_bytes(), name
    # the family's in-browser check is one file the signed index pins (§13.5): a copy hosted
    # by a notary or a newspaper can be checked against it
    index = json.loads((tmp_path / "bundle" / "index.json").read_bytes())
    listed = {entry["name"]: entry["sha256"] for entry in index["documents"]}
    assert listed["check.js"] == hashlib.sha256(CHECK_SCRIPT.read_bytes()).hexdigest()
    refused = operator("documents", "public", DRAW_ID, "--out", str(stored), ok=False)
    assert refused.exit_code == 1 and "not empty" in refused.output


def test_letters_in_files_the_register_audited_and_the_moves_announced(
    operator: Operator,
    tmp_path: Path,
) -> None:
    _published(operator, tmp_path)
    letters = tmp_path / "letters"
    operator("documents", "letters", DRAW_ID, "--out", str(letters), "--per-file", "3")
    files = sorted(p.name for p in letters.iterdir())
    assert files == [
        "结果通知书-000001-000003.pdf",
        "结果通知书-000004-000006.pdf",
        "结果通知书-000007-000008.pdf",
    ]
    before = operator.count(AuditEvent)
    register = tmp_path / "S01.xlsx"
    shown = operator("documents", "school-register", DRAW_ID, "S01", "--out", str(register))
    assert "audit" in shown.stdout and register.exists()
    assert operator.count(AuditEvent) == before + 1
    results = tmp_path / "peek"
    operator("export", DRAW_ID, "--out", str(results))
    rows = json.loads((results / "results.json").read_bytes())["applicants"]
    admitted = next(row[0] for row in rows if row[2] == "admitted")
    operator("decline", DRAW_ID, admitted, "--yes", "--reason", "家长放弃")
    after = tmp_path / "after"
    operator("documents", "public", DRAW_ID, "--out", str(after))
    assert (after / AFTER_ACTIONS_FILE).read_bytes().startswith(b"%PDF")
