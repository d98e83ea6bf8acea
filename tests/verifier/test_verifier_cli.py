"""The command line: numbered PASS/FAIL lines, exit codes, --json, pins and language."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from verifier.cli import main
from verifier.messages import language_from_environment

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
VALID = sorted(p.parent for p in (VECTORS / "draws").rglob("manifest.json"))[0]
TAMPERED = VECTORS / "tamper" / "swapped_outcomes"


def test_valid_bundle_prints_thirteen_numbered_lines_and_exits_0(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([str(VALID), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    for number in range(1, 15):
        assert f"({number:2d}) " in out
    assert "FAIL" not in out and "all checks passed" in out


def test_tampered_bundle_exits_1_and_shows_expected_and_found(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([str(TAMPERED), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "(10) FAIL" in out and "expected:" in out and "found:" in out and "FAILED" in out


def test_chinese_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(TAMPERED), "--lang", "zh"]) == 1
    out = capsys.readouterr().out
    assert "失败" in out and "应为" in out and "验证失败" in out


def test_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(VALID), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["passed"] is True
    assert [c["number"] for c in report["checks"]] == list(range(1, 15))
    assert len(report["manifest_digest"]) == 64


def test_expect_manifest_pin(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(VALID), "--json"]) == 0
    digest = json.loads(capsys.readouterr().out)["manifest_digest"]
    assert main([str(VALID), "--expect-manifest", digest.upper()]) == 0
    assert main([str(VALID), "--expect-manifest", "ab" * 32, "--lang", "en"]) == 1
    assert "--expect-manifest" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN"}, "en"),
        ({"LC_MESSAGES": "zh_TW"}, "zh"),
        ({}, "en"),
        ({"LANG": "C"}, "en"),
    ],
)
def test_language_from_locale(environ: dict[str, str], lang: str) -> None:
    assert language_from_environment(environ) == lang


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([str(VALID), "--applicant", "A000"])
    assert exit_info.value.code == 2
    capsys.readouterr()


def test_python_dash_m_verifier_uses_the_locale() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "verifier", str(VALID)],
        capture_output=True,
        text=True,
        env={"LANG": "zh_CN.UTF-8", "PYTHONIOENCODING": "utf-8"},
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert "通过" in done.stdout


def test_a_reader_that_stops_early_gets_no_traceback_and_no_pass() -> None:
    # `verify-draw BUNDLE | head -1` once head has left: a pipe nobody reads any more.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "verifier", str(VALID), "--lang", "en"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env={"LANG": "C.UTF-8"},
            cwd=Path(__file__).resolve().parents[2],
        )
    finally:
        os.close(write_end)
    assert done.returncode == 1  # the report was cut short: not a verdict of success
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr


SECOND_ROUND = VECTORS / "tamper" / "second_round_not_derived"
FIRST_ROUND = VECTORS / "draws" / "single" / "09-several-schools"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_failing_second_round_never_says_passed(
    lang: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 10, finding 4: the verdict is the last line, true, and in the chosen language."""
    assert main([str(SECOND_ROUND), "--previous", str(FIRST_ROUND), "--lang", lang]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert "(14)" in "\n".join(lines)
    assert lines[-1] == (
        "RESULT: verification FAILED (first failure: check 14)"
        if lang == "en"
        else "结论：验证失败（首个失败：第 14 项）"
    )
    assert not any("all checks passed" in line or "全部检查通过" in line for line in lines)


def test_json_agrees_with_the_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    code = main([str(SECOND_ROUND), "--previous", str(FIRST_ROUND), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["passed"] is False
    assert main([str(SECOND_ROUND), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["passed"] is True


def test_every_line_is_chinese_with_lang_zh(capsys: pytest.CaptureFixture[str]) -> None:
    """No English sentence in a Chinese report: only values (digests, ids, paths) are Latin."""
    main([str(TAMPERED), "--lang", "zh"])
    out = capsys.readouterr().out
    for english in (
        "expected",
        "found",
        "applicants and",
        "signatures valid",
        "not run",
        "RESULT",
        "records in",
    ):
        assert english not in out, english


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version", "--lang", "en"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "verify-draw 2.0" in out and "sunshine-draw/1" in out
