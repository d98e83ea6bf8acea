"""The ceremony of version 2 (protocol §7.3-§7.5): co-signatures, times and the drand proof,
on draws made by the minimal bureau of `bureau.py` with a real quicknet round."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

import pytest
from bureau import QUICKNET_SIGNATURE, Bureau, make_witnesses, simple_draw

from verifier import verify_bundle


def test_a_whole_draw_passes_and_says_whether_bls_was_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    simple_draw(tmp_path / "a")
    report = verify_bundle(tmp_path / "a")
    assert report.passed and report.verdict == "not_pinned"
    assert importlib.util.find_spec("py_ecc") is not None  # a dev dependency (pyproject)
    assert "BLS signature checked" in report.checks[5].detail
    monkeypatch.setitem(sys.modules, "verifier.drand_bls", None)  # as if py-ecc were absent
    again = verify_bundle(tmp_path / "a")
    assert again.passed
    assert (
        "BLS signature not checked (optional package py-ecc not installed)"
        in again.checks[5].detail
    )


def _draw(directory: Path, *, closed_at: str | None = None, value: str | None = None,
          skip_cosigner: bool = False) -> Path:  # fmt: skip
    people = make_witnesses(2)
    bureau = Bureau()
    bureau.seal([w.entry(bureau.draw_id) for w in people])
    for w in people:
        bureau.accept(w.reveal(bureau.digest))
    checkpoint = bureau.close(closed_at) if closed_at else bureau.close()
    real = hashlib.sha256(bytes.fromhex(QUICKNET_SIGNATURE)).hexdigest()
    proof = {"signature": QUICKNET_SIGNATURE, "previous_signature": None}
    statement = bureau.enter_beacon(value or real, proof=proof)
    signers = people[1:] if skip_cosigner else people
    cosign = {"checkpoint": {w.id: w.cosign("checkpoint", checkpoint) for w in signers},
              "beacon": {w.id: w.cosign("beacon", statement) for w in signers}}  # fmt: skip
    if skip_cosigner:  # the bureau puts another key's signature where W0's should be
        cosign["checkpoint"]["W0"] = cosign["checkpoint"]["W1"]
        cosign["beacon"]["W0"] = cosign["beacon"]["W1"]
    return bureau.publish(directory, cosign)


def test_a_checkpoint_closed_after_the_beacon_time_fails(tmp_path: Path) -> None:
    check = verify_bundle(_draw(tmp_path, closed_at="2024-10-14T17:20:00Z")).checks[5]
    assert check.status == "FAIL" and "closed_at" in check.detail


def test_a_value_that_is_not_the_rounds_fails(tmp_path: Path) -> None:
    check = verify_bundle(_draw(tmp_path, value="ab" * 32)).checks[5]
    assert check.status == "FAIL" and "SHA-256 of the drand signature" in check.detail


def test_a_missing_cosignature_fails(tmp_path: Path) -> None:
    check = verify_bundle(_draw(tmp_path, skip_cosigner=True)).checks[5]
    assert check.status == "FAIL" and "not valid" in check.detail
