"""The outcome-proof vectors (tests/vectors/outcomes/proofs.json, §12.7 item 4) in the engine:
`lottery.check_outcome_proof` gives the expected result for each. The engine takes one pin: the
short pin, which binds the manifest digest and the key fingerprint together (§12.6)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lottery import OutcomeProofError, check_outcome_proof, read_bundle

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
CASES = json.loads((VECTORS / "outcomes" / "proofs.json").read_text(encoding="utf-8"))


def _check(case: dict[str, Any], *, pin: str | None, receipt: str | None) -> dict[str, Any]:
    return check_outcome_proof(
        case["proof"], pin=pin, receipt=receipt, application=case["application"]
    )


def _pins(case: dict[str, Any]) -> list[str | None]:
    pins = case["pins"]
    return [None] if pins is None else [pins["pin"], pins["pin"].replace("-", "").lower()]


def test_every_kind_of_case_is_there() -> None:
    assert {c["expected"] for c in CASES} == {"valid", "invalid", "does not match"}
    statuses = {c["proof"]["outcome"]["status"] for c in CASES if c["expected"] == "valid"}
    assert statuses == {"admitted", "waitlisted", "unplaced", "decline", "disqualify"}
    assert any(c["proof"]["head"]["seq"] > 0 for c in CASES if c["expected"] == "valid")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_outcome_proof_vector(case: dict[str, Any]) -> None:
    for pin in _pins(case):
        if case["expected"] == "valid":
            leaf = _check(case, pin=pin, receipt=case["receipt"])
            assert leaf == case["proof"]["outcome"]
        elif case["expected"] == "does not match":
            _check(case, pin=pin, receipt=None)  # the proof itself holds
            with pytest.raises(OutcomeProofError, match="does not match"):
                _check(case, pin=pin, receipt=case["receipt"])
        else:
            with pytest.raises(OutcomeProofError):
                _check(case, pin=pin, receipt=case["receipt"])


@pytest.mark.parametrize("bundle", sorted({c["bundle"] for c in CASES}))
def test_good_proofs_hold_heads_of_their_bundle(bundle: str) -> None:
    """The head of every good proof is a line of its bundle's heads.jsonl (§13.1), and the
    bundle reads back (its heads checked against a re-run by `read_bundle`)."""
    read_bundle(VECTORS / bundle)
    lines = (VECTORS / bundle / "heads.jsonl").read_text(encoding="utf-8").splitlines()
    heads = [json.loads(line) for line in lines]
    for case in CASES:
        if case["bundle"] == bundle and case["expected"] != "invalid":
            assert case["proof"]["head"] == heads[case["proof"]["head"]["seq"]], case["name"]
