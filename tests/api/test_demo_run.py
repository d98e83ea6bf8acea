"""`lottery demo`: the whole flow through the service, verified, private data kept out, and
byte-identical with `--entropy` across processes and hash seeds."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from api.cli import app
from api.demo import (
    BUNDLE_DIR,
    DRAW_ID,
    OUTPUT_FILES,
    DemoEntropy,
    applicant_rows,
    applicant_workbook,
    run_demo,
)
from api.importing.id_number import check_digit
from lottery import read_bundle

ROOT = Path(__file__).parents[2]


def _files(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _cli_demo(out: Path, hash_seed: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", "demo", "--out", str(out), *extra],
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_demo_tells_the_whole_story_and_the_verifier_passes(tmp_path: Path) -> None:
    story: list[str] = []
    summary = run_demo(tmp_path / "out", entropy_text="story", applicants=400, tell=story.append)
    text = "\n".join(story)
    for step in range(1, 13):
        assert f"{step}. " in text, step
    assert "公证处" in text and "纪检" in text and "家长代表" in text
    assert "RESULT: authentic and correct" in text and "--pin" in text
    assert summary.verifier_exit == 0
    assert summary.verifier_verdict.startswith("RESULT: authentic and correct")
    assert f"--pin {summary.pin}" in text and f"pin:               {summary.pin}" in text
    assert (summary.applicants, summary.seats, summary.admitted) == (400, 300, 300)
    assert summary.waitlist == 100 and summary.reserved_used == 30
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(OUTPUT_FILES)
    bundle = read_bundle(tmp_path / "out" / BUNDLE_DIR)
    assert bundle.manifest.applicants.count == 400
    assert read_bundle(tmp_path / "out" / f"{DRAW_ID}.zip").results == bundle.results
    assert (tmp_path / "out" / OUTPUT_FILES[2]).read_bytes().startswith(b"%PDF")
    assert (tmp_path / "out" / OUTPUT_FILES[3]).read_bytes().startswith(b"%PDF")
    workbook = load_workbook(io.BytesIO((tmp_path / "out" / OUTPUT_FILES[4]).read_bytes()))
    assert len(workbook.sheetnames) >= 2


def test_no_name_id_number_or_receipt_code_reaches_the_public_outputs(tmp_path: Path) -> None:
    story: list[str] = []
    run_demo(tmp_path / "out", entropy_text="privacy", applicants=60, tell=story.append)
    rows = applicant_rows(DemoEntropy("privacy"), 60)
    receipts = [
        line.split("receipt ")[1].split(")")[0].replace("-", "")
        for line in story
        if "(receipt " in line
    ]
    assert receipts, story
    bundle = _files(tmp_path / "out" / BUNDLE_DIR)
    for _application, name, id_number, *_ in rows:
        for data in bundle.values():
            assert id_number.encode() not in data
            if len(name) > 2:
                assert name.encode() not in data
    for receipt in receipts:
        for data in bundle.values():
            assert receipt.encode() not in data


def test_the_applicant_file_is_a_clerks_excel_with_valid_id_numbers() -> None:
    rows = applicant_rows(DemoEntropy("ids"), 500)
    sheet = load_workbook(io.BytesIO(applicant_workbook(rows))).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["报名号", "姓名", "身份证号"]
    ids = [row[2] for row in rows]
    assert len(set(ids)) == len(ids) == 500
    for number in ids:
        assert number[17] == check_digit(number[:17])
        assert "20190901" <= number[6:14] <= "20200831"
    groups = [row[6] for row in rows if row[6]]
    assert groups, "some twins"
    for group in set(groups):
        members = [row for row in rows if row[6] == group]
        assert 2 <= len(members) <= 3
        assert len({m[2][6:14] for m in members}) == 1  # twins share a birth date
    assert applicant_workbook(rows) == applicant_workbook(rows)


def test_with_entropy_two_runs_are_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    first = _cli_demo(tmp_path / "one", "1", "--entropy", "same", "--applicants", "200")
    second = _cli_demo(tmp_path / "two", "4242", "--entropy", "same", "--applicants", "200")
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert "RESULT: authentic and correct" in first.stdout.splitlines()[-1]
    one, two = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert sorted(one) == sorted(two)
    assert len([n for n in one if n.startswith(f"{BUNDLE_DIR}/")]) >= 8
    for name in one:
        assert one[name] == two[name], name

    def story(output: str, directory: str) -> list[str]:
        lines = output.replace(directory, "OUT").splitlines()
        return [line for line in lines if "took" not in line]

    assert story(first.stdout, str(tmp_path / "one")) == story(second.stdout, str(tmp_path / "two"))
    # Again into the same directory: the earlier demo's output is replaced, byte for byte.
    again = CliRunner().invoke(
        app, ["demo", "--out", str(tmp_path / "one"), "--entropy", "same", "--applicants", "200"]
    )
    assert again.exit_code == 0, again.output
    assert _files(tmp_path / "one") == one


def test_without_entropy_secrets_come_from_the_os(tmp_path: Path) -> None:
    first = run_demo(tmp_path / "a", applicants=30, tell=lambda _: None)
    second = run_demo(tmp_path / "b", applicants=30, tell=lambda _: None)
    assert first.verifier_exit == second.verifier_exit == 0
    assert first.seed != second.seed and first.manifest_digest != second.manifest_digest


@pytest.mark.parametrize("occupant", ["notes.txt", "bundle.zip"])
def test_the_demo_refuses_a_directory_holding_anything_else(tmp_path: Path, occupant: str) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / occupant).write_text("mine")
    done = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "out"), "--applicants", "20"])
    assert done.exit_code == 1
    assert "not empty" in done.stderr and "Traceback" not in done.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == [occupant]


def test_a_demo_that_fails_half_way_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.demo

    def broken(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(api.demo, "_write_outputs", broken)
    with pytest.raises(OSError, match="disk full"):
        run_demo(tmp_path / "out", entropy_text="x", applicants=20, tell=lambda _: None)
    assert list(tmp_path.iterdir()) == []
