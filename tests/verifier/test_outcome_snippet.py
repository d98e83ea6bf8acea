"""The few lines of docs/verify.md §5a check every outcome-proof vector as the full
implementations do (§12.7 item 4): a family's proof needs only SHA-256 and Ed25519."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "tests/vectors/outcomes/proofs.json").read_text(encoding="utf-8"))


def _snippet() -> dict[str, Any]:
    text = (ROOT / "docs/verify.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S)
    assert code is not None, "docs/verify.md lost its outcome-proof snippet"
    namespace: dict[str, Any] = {}
    exec(code.group(1), namespace)  # the documented code, exactly as a reader copies it
    return namespace


CHECK = _snippet()["check"]
PINNED = [c for c in CASES if c["pins"] is not None]  # the snippet always takes the pin


@pytest.mark.parametrize("case", PINNED, ids=[c["name"] for c in PINNED])
def test_the_documented_lines_agree_with_the_vectors(case: dict[str, Any]) -> None:
    proof = case["proof"]
    asked = proof["outcome"]["application"] == case["application"]
    if case["expected"] == "invalid":
        with pytest.raises(Exception):  # noqa: B017 - any failure is a refusal here
            CHECK(proof, case["pins"]["pin"])
            assert asked, "the proof is another application's"
    else:  # "valid", and "does not match" (the proof holds; only the receipt code is wrong)
        assert asked
        assert CHECK(proof, case["pins"]["pin"]) == proof["outcome"]
