"""RFC 9162 conformance vectors of transparency-dev/merkle, run by name (protocol §5.4).

Decoding rules (see tests/vectors/rfc9162-merkle/PROVENANCE.md): fields are strict base64; a
`null` proof is an empty proof; a value that does not decode to 32 bytes is a rejection.
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path

import pytest

from lottery import InclusionError, verify_inclusion

ROOT = Path(__file__).parents[1] / "vectors" / "rfc9162-merkle" / "inclusion"
FILES = sorted(ROOT.rglob("*.json"))


def _hash(value: object) -> bytes:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a base64 string")
    return base64.b64decode(value, validate=True)


def _check(case: dict[str, object]) -> None:
    proof = case["proof"] or []
    if not isinstance(proof, list):
        raise ValueError("proof is not an array")
    verify_inclusion(
        leaf=_hash(case["leafHash"]),
        index=int(str(case["leafIdx"])),
        tree_size=int(str(case["treeSize"])),
        proof=[_hash(p) for p in proof],
        root=_hash(case["root"]),
    )


def test_all_inclusion_vectors_are_present() -> None:
    assert len(FILES) == 98
    assert sum(not json.loads(f.read_text())["wantErr"] for f in FILES) == 6


@pytest.mark.parametrize("path", FILES, ids=[str(f.relative_to(ROOT)) for f in FILES])
def test_inclusion_vector(path: Path) -> None:
    case = json.loads(path.read_text("utf-8"))
    if case["wantErr"]:
        with pytest.raises((InclusionError, ValueError, binascii.Error)):
            _check(case)
    else:
        _check(case)
