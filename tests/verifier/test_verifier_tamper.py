"""The tamper suite (tests/vectors/tamper): no tampered bundle passes, each fails at its check;
and every valid bundle under tests/vectors/draws passes."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from verifier import verify_bundle
from verifier.report import CHECK_NAMES

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
TAMPER = VECTORS / "tamper"
EXPECTED = json.loads((TAMPER / "expected.json").read_text(encoding="utf-8"))
VALID = sorted(p.parent for p in (VECTORS / "draws").rglob("manifest.json"))


def test_suite_covers_the_attacks_a_notary_would_try() -> None:
    wanted = {
        "changed_tier",
        "dropped_applicant",
        "added_applicant",
        "changed_preference",
        "reveal_mismatch",
        "changed_beacon_value",
        "swapped_outcomes",
        "changed_lottery_number",
        "results_signed_by_other_key",
        "truncated_file",
        "malformed_json",
        "protocol_version",
        "rehearsal_as_official",
        "reordered_records",
        "dropped_reveal",
        "other_beacon_value",
        "fallback_switched",
        "resigned_other_key",
        "log_tail_cut",
        "log_other_draw",
        "unlisted_file",
        "non_canonical_json",
        "manifest_changed_after_sealing",
        # issue 12: results heads, cutoffs per label, tiers by child, batches
        "head_root_not_rerun",
        "head_k_leaf_changed",
        "head_chain_broken",
        "head_signed_by_other_key",
        "cutoff_moved_label",
        "by_tier_shifted",
        "dropped_head_line",
        "heads_without_recorded",
    }
    assert wanted <= set(EXPECTED)
    assert sorted(
        p.name for p in TAMPER.iterdir() if p.is_dir() and p.name != "__pycache__"
    ) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_tampered_bundle_fails_at_its_check(name: str) -> None:
    case = EXPECTED[name]
    previous = VECTORS / case["previous"] if "previous" in case else None
    pins = case.get("pins", {})  # the real draw's pins, for attacks only pins catch (§12.6)
    report = verify_bundle(TAMPER / case.get("path", name), previous=previous,
                           expect_manifest=pins.get("manifest"), expect_key=pins.get("key"),
                           expect_pin=pins.get("pin", "").replace("-", "") or None)  # fmt: skip
    assert not report.passed
    first = report.first_failure
    assert first is not None
    assert (first.number, first.name) == (
        EXPECTED[name]["check"],
        CHECK_NAMES[EXPECTED[name]["check"]],
    ), first
    assert first.detail
    statuses = {c.number: c.status for c in report.checks}
    for number in EXPECTED[name].get("also_fails", []):
        assert statuses[number] == "FAIL"


@pytest.mark.parametrize("bundle", VALID, ids=[p.name for p in VALID])
def test_valid_bundle_passes(bundle: Path) -> None:
    report = verify_bundle(bundle)
    assert report.passed, [c for c in report.checks if c.status not in ("PASS", "ABSENT")]


def test_there_are_valid_bundles() -> None:
    assert len(VALID) >= 10


def test_generator_is_deterministic(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(TAMPER / "generate.py"), str(tmp_path)], check=True)
    assert (tmp_path / "expected.json").read_bytes() == (TAMPER / "expected.json").read_bytes()
    for name in EXPECTED:
        fresh = {p.name: _content(p) for p in (tmp_path / name).iterdir()}
        committed = {p.name: _content(p) for p in (TAMPER / name).iterdir()}
        assert fresh == committed, name


def _content(path: Path) -> bytes:
    return b"link:" + str(path.readlink()).encode() if path.is_symlink() else path.read_bytes()


def test_pinned_manifest_digest_catches_a_consistent_reseal() -> None:
    bundle = VALID[0]
    good = verify_bundle(bundle)
    assert good.manifest_digest is not None
    assert verify_bundle(bundle, expect_manifest=good.manifest_digest).passed
    pinned = verify_bundle(bundle, expect_manifest="00" * 32)
    assert pinned.first_failure is not None and pinned.first_failure.number == 3


def test_pinned_key_fingerprint() -> None:
    pinned = verify_bundle(VALID[0], expect_key="11" * 32)
    assert pinned.first_failure is not None and pinned.first_failure.number == 3  # pins: §17 step 3


def _zip(source: Path, target: Path, prefix: str) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for file in sorted(source.iterdir()):
            archive.write(file, prefix + file.name)
    return target


@pytest.mark.parametrize("prefix", ["", "bundle/"])
def test_zip_bundles_pass(tmp_path: Path, prefix: str) -> None:
    assert verify_bundle(_zip(VALID[0], tmp_path / "b.zip", prefix)).passed


def test_zip_with_two_top_directories_fails_layout(tmp_path: Path) -> None:
    archive = _zip(VALID[0], tmp_path / "b.zip", "one/")
    with zipfile.ZipFile(archive, "a") as extra:
        extra.writestr("two/README.txt", "x")
    report = verify_bundle(archive)
    assert report.first_failure is not None and report.first_failure.number == 1
    assert all(c.status == "NOT RUN" for c in report.checks[1:])


def test_missing_path_is_a_failed_report_not_an_exception(tmp_path: Path) -> None:
    report = verify_bundle(tmp_path / "nothing-here")
    assert report.first_failure is not None and report.first_failure.number == 1
