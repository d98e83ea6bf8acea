"""The background work (a forked copy checking big JSON files and computing the applicant root)
gives exactly the verdicts of doing it all in one process: on every tampered and valid bundle,
with every JSON file treated as big, with and without `fork`, and when the copy fails."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from verifier import background, verify
from verifier.report import Report
from verifier.verify import verify_bundle

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
TAMPER = VECTORS / "tamper"
EXPECTED = json.loads((TAMPER / "expected.json").read_text(encoding="utf-8"))
BUNDLES = [TAMPER / name for name in sorted(EXPECTED)] + sorted(
    p.parent for p in (VECTORS / "draws").rglob("manifest.json")
)[:4]


def _verdicts(report: Report) -> list[tuple[int, str, str, str, str]]:
    return [(c.number, c.status, c.detail, c.expected, c.found) for c in report.checks]


@pytest.mark.parametrize("bundle", BUNDLES, ids=[p.name for p in BUNDLES])
def test_background_work_changes_no_verdict(bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    in_one_process = _verdicts(verify_bundle(bundle))
    monkeypatch.setattr(verify, "BIG_FILE", 0)  # every JSON file goes to the background
    monkeypatch.setattr(background, "FORK_FROM", 0)  # which is a forked copy, however small
    assert _verdicts(verify_bundle(bundle)) == in_one_process
    monkeypatch.setattr(background, "_collect", lambda pid, read_end: None)  # the copy failed
    assert _verdicts(verify_bundle(bundle)) == in_one_process
    monkeypatch.delattr(os, "fork")  # a system without fork: the same work, here
    assert _verdicts(verify_bundle(bundle)) == in_one_process


def test_the_copy_reports_faults_and_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(background, "FORK_FROM", 0)
    lines = [b'{"a":1}', b'{"b":2}']
    work = background.start_background(
        {"x.json": b'{"b":1,"a":2}', "y.json": b"[1]", "z.json": b"{"},
        b"\n".join(lines) + b"\n",
        b"prefix",
    )
    assert work._child is not None  # a forked copy does the work
    found = work.findings()
    assert found.not_canonical["y.json"] is None
    assert found.not_canonical["x.json"] is not None and found.not_canonical["z.json"]
    expected = background.tree_root(background.leaf_hashes(b"prefix", lines))
    assert found.applicant_root == expected
    assert work.findings() is found  # collected once
    no_newline = background.start_background({}, b'{"a":1}', b"prefix").findings()
    assert no_newline.applicant_root is None


def test_only_big_work_goes_to_a_second_process() -> None:
    small = background.start_background({}, b'{"a":1}\n', b"prefix")
    assert small._child is None  # forking would cost more than the work
    lines = [b'{"n":%d}' % n for n in range(background.FORK_FROM // 8)]
    big = background.start_background({}, b"\n".join(lines) + b"\n", b"prefix")
    assert big._child is not None
    expected = background.tree_root(background.leaf_hashes(b"prefix", lines))
    assert big.findings().applicant_root == expected
    assert small.findings().applicant_root == background.tree_root(
        background.leaf_hashes(b"prefix", [b'{"a":1}'])
    )
