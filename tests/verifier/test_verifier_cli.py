"""The command line: numbered PASS/FAIL lines, exit codes (§17.2), --json, pins (§12.6) and
language."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from resign import jcs, resign

from verifier.cli import main
from verifier.messages import language_from_environment

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
VALID = VECTORS / "draws" / "single" / "01-plain"
PIN = (VALID / "README.txt").read_text().split("Pin:")[1].split()[0]  # e.g. R9DN-10AG-...


@pytest.fixture(scope="module")
def tampered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """01-plain with two outcomes swapped, results re-signed by the bureau's key (§17 step 10)."""
    bundle = tmp_path_factory.mktemp("tampered") / "bundle"
    shutil.copytree(VALID, bundle)
    results = json.loads((bundle / "results.json").read_bytes())
    rows = results["applicants"]
    admitted = next(r for r in rows if r[2] == "admitted")
    waiting = next(r for r in rows if r[2] == "waitlisted")
    admitted[2:], waiting[2:] = waiting[2:], admitted[2:]
    (bundle / "results.json").write_bytes(jcs(results))
    (bundle / "README.txt").unlink()
    resign(bundle, "results")
    return bundle


def test_valid_bundle_without_pins_exits_3_and_says_not_pinned(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([str(VALID), "--lang", "en"]) == 3
    out = capsys.readouterr().out
    for number in range(1, 15):
        assert f"({number:2d}) " in out
    assert "FAIL" not in out and "NOT checked that the draw is the bureau's" in out
    assert "authentic" not in out.lower()
    assert main([str(VALID), "--lang", "zh"]) == 3
    out = capsys.readouterr().out
    assert "未核对" in out and "可信" not in out and "真实" not in out


@pytest.mark.parametrize("typed", [None, "lower", "ohs"])
def test_the_pin_makes_it_authentic(typed: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    """§12.6: a typed pin is read without hyphens, in any case, O as 0 and I, L as 1."""
    pin = PIN if typed is None else PIN.lower().replace("-", " ")
    if typed == "ohs":
        pin = PIN.replace("0", "O").replace("1", "l")
    assert main([str(VALID), "--pin", pin, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1].startswith("RESULT: authentic and correct")


def test_a_wrong_pin_fails(capsys: pytest.CaptureFixture[str]) -> None:
    wrong = ("1" if PIN[0] != "1" else "2") + PIN[1:]
    assert main([str(VALID), "--pin", wrong, "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "( 3) FAIL" in out and "pin differs" in out


def test_tampered_bundle_exits_1_and_shows_expected_and_found(
    tampered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tampered), "--pin", PIN, "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "(10) FAIL" in out and "expected:" in out and "found:" in out and "FAILED" in out


def test_chinese_output(tampered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tampered), "--lang", "zh"]) == 1
    out = capsys.readouterr().out
    assert "失败" in out and "应为" in out and "验证失败" in out


def test_json_report_carries_the_verdict(
    capsys: pytest.CaptureFixture[str], tampered: Path
) -> None:
    assert main([str(VALID), "--json"]) == 3
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == "not_pinned" and report["pin"] == PIN
    assert [c["number"] for c in report["checks"]] == list(range(1, 15))
    assert main([str(VALID), "--json", "--pin", PIN]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "authentic"
    assert main([str(tampered), "--json", "--pin", PIN]) == 1
    assert json.loads(capsys.readouterr().out)["verdict"] == "failed"


def test_the_long_pins(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(VALID), "--json"]) == 3
    report = json.loads(capsys.readouterr().out)
    digest, fingerprint = report["manifest_digest"], report["key_fingerprint"]
    assert main([str(VALID), "--expect-manifest", digest.upper()]) == 0
    assert main([str(VALID), "--expect-key", fingerprint]) == 3  # the key alone names no draw
    assert main([str(VALID), "--expect-manifest", "ab" * 32, "--lang", "en"]) == 1
    assert "manifest digest differs" in capsys.readouterr().out


def test_a_version_1_bundle_is_named(tmp_path: Path) -> None:
    bundle = tmp_path / "old"
    bundle.mkdir()
    (bundle / "manifest.json").write_bytes(jcs({"kind": "manifest", "protocol": "sunshine-draw/1"}))
    for name in ("manifest.sig.json", "applicants.jsonl", "ceremony.json", "ceremony.sig.json"):
        (bundle / name).write_bytes(b"{}")
    from verifier import verify_bundle

    first = verify_bundle(bundle).checks[0]
    assert first.status == "FAIL" and "verify-draw 2.0" in first.detail


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
    assert done.returncode == 3, done.stderr
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


def test_every_line_is_chinese_with_lang_zh(
    tampered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No English sentence in a Chinese report: only values (digests, ids, paths) are Latin."""
    main([str(tampered), "--lang", "zh"])
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
    assert "verify-draw 3.0" in out and "sunshine-draw/2" in out
