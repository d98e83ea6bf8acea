"""The outcome-proof vectors (tests/vectors/outcomes/proofs.json, §12.7 item 4) in the verifier:
`verifier.outcome.check_outcome_proof` (what `verify-draw outcome` runs) gives the expected
result for each, with the family's pins (manifest digest, key fingerprint and pin) all given;
and the command line ends with the expected exit code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from verifier.canonical import encode
from verifier.cli import main
from verifier.errors import VerificationError
from verifier.hashing import normalise_typed
from verifier.outcome import check_outcome_proof

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
CASES = json.loads((VECTORS / "outcomes" / "proofs.json").read_text(encoding="utf-8"))


def _pins(case: dict[str, Any]) -> dict[str, str | None]:
    pins = case["pins"]
    if pins is None:
        return {}
    return {"manifest": pins["manifest"], "fingerprint": pins["key"],
            "pin": normalise_typed(pins["pin"])}  # fmt: skip


def _check(case: dict[str, Any], receipt: str | None) -> dict[str, Any]:
    return check_outcome_proof(
        case["proof"], application=case["application"], receipt=receipt, **_pins(case)
    )


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_outcome_proof_vector(case: dict[str, Any]) -> None:
    if case["expected"] == "valid":
        assert _check(case, case["receipt"])["leaf"] == case["proof"]["outcome"]
    elif case["expected"] == "does not match":
        _check(case, None)  # the proof itself holds
        with pytest.raises(VerificationError) as raised:
            _check(case, case["receipt"])
        assert raised.value.message.key == "o_receipt"
    else:
        with pytest.raises(VerificationError):
            _check(case, case["receipt"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_verify_draw_outcome_command(
    case: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`verify-draw outcome PROOF.json`: 0 with the pin (authentic), 3 without pins (valid,
    not pinned), 1 when the proof fails or the receipt code does not match (§17.2)."""
    path = tmp_path / "proof.json"
    path.write_bytes(encode(case["proof"]))
    arguments = ["outcome", str(path), "--applicant", case["application"], "--lang", "en"]
    if case["pins"] is not None:
        arguments += ["--pin", case["pins"]["pin"], "--fingerprint", case["pins"]["key"]]
    if case["receipt"] is not None:
        arguments += ["--receipt", case["receipt"]]
    expected = 1 if case["expected"] != "valid" else 0 if case["pins"] else 3
    assert main(arguments) == expected, capsys.readouterr().out
