"""`lottery documents ...` on a scripted draw: the public documents from the database and from
the published bundle are the same bytes; letters come in files; the school's register is
audit-logged; a full output directory is refused and nothing is half-written."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import DRAW_ID
from test_cli_lifecycle import Operator, _seal_with_witnesses, ceremony, operator  # noqa: F401

from api.documents.catalogue import AFTER_ACTIONS_FILE, PUBLIC_FILES
from api.models import AuditEvent

NOTICE = ("--posted-at", "2026-07-10 09:30", "--deadline", "2026-07-15 17:00")


def _published(operator: Operator, tmp_path: Path) -> None:  # noqa: F811
    _seal_with_witnesses(operator, tmp_path)
    ceremony(operator, tmp_path)
    operator("run", DRAW_ID)
    operator("publish", DRAW_ID)


def test_every_document_from_the_database_and_from_the_bundle(
    operator: Operator,  # noqa: F811
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
    refused = operator("documents", "public", DRAW_ID, "--out", str(stored), ok=False)
    assert refused.exit_code == 1 and "not empty" in refused.output


def test_letters_in_files_the_register_audited_and_the_moves_announced(
    operator: Operator,  # noqa: F811
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
