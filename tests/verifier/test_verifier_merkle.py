"""RFC 9162 inclusion proofs (protocol §5.3) against the transparency-dev/merkle vectors."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from merkle_path import inclusion_proof

from verifier.errors import CheckFailed
from verifier.merkle import leaf_hash, tree_root, verify_inclusion

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "rfc9162-merkle" / "inclusion"
CASES = sorted(VECTORS.rglob("*.json"))


def _b64(text: str | None) -> bytes:
    return base64.b64decode(text or "")


def test_vectors_are_present() -> None:
    assert len(CASES) > 90
    assert any(not json.loads(c.read_text())["wantErr"] for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(VECTORS)) for c in CASES])
def test_inclusion_vector(case: Path) -> None:
    vector = json.loads(case.read_text())

    def run() -> None:
        verify_inclusion(
            leaf=_b64(vector["leafHash"]),
            index=vector["leafIdx"],
            tree_size=vector["treeSize"],
            proof=[_b64(p) for p in vector["proof"] or []],
            root=_b64(vector["root"]),
        )

    if vector["wantErr"]:
        with pytest.raises(CheckFailed):
            run()
    else:
        run()


def _recursive_root(entries: list[bytes]) -> bytes:
    """MTH straight from RFC 9162 §2.1.1, to check the level-by-level `tree_root`."""
    if not entries:
        return hashlib.sha256(b"").digest()
    if len(entries) == 1:
        return leaf_hash(entries[0])
    k = 1
    while k * 2 < len(entries):
        k *= 2
    return hashlib.sha256(
        b"\x01" + _recursive_root(entries[:k]) + _recursive_root(entries[k:])
    ).digest()


@pytest.mark.parametrize("size", [0, 1, 2, 3, 5, 7, 8, 9, 13, 31, 33])
def test_root_and_every_proof_round_trip(size: int) -> None:
    entries = [f"entry {i}".encode() for i in range(size)]
    leaves = [leaf_hash(e) for e in entries]
    root = tree_root(leaves)
    assert root == _recursive_root(entries)
    for index in range(size):
        verify_inclusion(
            leaf=leaves[index],
            index=index,
            tree_size=size,
            proof=inclusion_proof(leaves, index),
            root=root,
        )
        if size > 1:
            with pytest.raises(CheckFailed):
                other = (index + 1) % size
                verify_inclusion(
                    leaf=leaves[other],
                    index=index,
                    tree_size=size,
                    proof=inclusion_proof(leaves, index),
                    root=root,
                )
