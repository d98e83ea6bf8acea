"""The applicant tree, protocol §5: RFC 9162 roots and inclusion proofs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from lottery import (
    ApplicantTree,
    InclusionError,
    applicant_entry,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    verify_inclusion,
)
from lottery.merkle import node_hash

VECTORS = json.loads(
    (Path(__file__).parents[1] / "vectors" / "merkle" / "trees.json").read_text("utf-8")
)


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def reference_root(entries: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 written recursively, as in the RFC."""
    if not entries:
        return hashlib.sha256(b"").digest()
    if len(entries) == 1:
        return hashlib.sha256(b"\x00" + entries[0]).digest()
    k = _split(len(entries))
    return hashlib.sha256(
        b"\x01" + reference_root(entries[:k]) + reference_root(entries[k:])
    ).digest()


def reference_path(m: int, entries: list[bytes]) -> list[bytes]:
    """RFC 9162 §2.1.3.1 `PATH(m, D[n])`, recursively."""
    if len(entries) <= 1:
        return []
    k = _split(len(entries))
    if m < k:
        return [*reference_path(m, entries[:k]), reference_root(entries[k:])]
    return [*reference_path(m - k, entries[k:]), reference_root(entries[:k])]


ENTRIES = [f"entry {i}".encode() for i in range(71)]


@pytest.mark.parametrize("n", range(71))
def test_level_by_level_equals_rfc_recursion(n: int) -> None:
    entries = ENTRIES[:n]
    tree = ApplicantTree.from_entries(entries)
    assert merkle_root(entries) == tree.root == reference_root(entries)
    for m in range(n):
        proof = tree.proof(m)
        assert proof == reference_path(m, entries)
        verify_inclusion(
            leaf=leaf_hash(entries[m]), index=m, tree_size=n, proof=proof, root=tree.root
        )


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    assert merkle_root([]).hex() == hashlib.sha256(b"").hexdigest()


def test_leaf_and_node_hashes_never_collide() -> None:
    # RFC 6962 second-preimage defence: a leaf whose data is left||right of an inner node.
    left, right = leaf_hash(b"L"), leaf_hash(b"R")
    assert leaf_hash(left + right) != node_hash(left, right)
    two = merkle_root([b"L", b"R"])
    assert merkle_root([left + right]) != two


def test_inclusion_proof_from_leaf_hashes() -> None:
    hashes = [leaf_hash(e) for e in ENTRIES[:13]]
    assert inclusion_proof(hashes, 7) == reference_path(7, ENTRIES[:13])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"index": 5}, "does not lead"),
        ({"index": 13}, "not inside"),
        ({"tree_size": 8}, "longer"),
        ({"tree_size": 5}, "longer"),
        ({"proof": []}, "shorter"),
        ({"root": bytes(32)}, "does not lead"),
        ({"leaf": bytes(31)}, "32 bytes"),
    ],
)
def test_bad_proofs_are_rejected(change: dict[str, object], message: str) -> None:
    tree = ApplicantTree.from_entries(ENTRIES[:13])
    args: dict[str, object] = {
        "leaf": leaf_hash(ENTRIES[4]),
        "index": 4,
        "tree_size": 13,
        "proof": tree.proof(4),
        "root": tree.root,
    }
    with pytest.raises(InclusionError, match=message):
        verify_inclusion(**{**args, **change})  # type: ignore[arg-type]


def test_extra_proof_element_is_rejected() -> None:
    tree = ApplicantTree.from_entries(ENTRIES[:8])
    with pytest.raises(InclusionError, match="longer"):
        verify_inclusion(
            leaf=leaf_hash(ENTRIES[0]),
            index=0,
            tree_size=8,
            proof=[*tree.proof(0), bytes(32)],
            root=tree.root,
        )


@pytest.mark.parametrize("case", VECTORS, ids=[f"size-{c['size']}" for c in VECTORS])
def test_applicant_tree_vector(case: dict[str, object]) -> None:
    lines = [bytes.fromhex(str(h)) for h in case["records"]]  # type: ignore[attr-defined]
    entries = [applicant_entry(line) for line in lines]
    assert merkle_root(entries).hex() == case["root"]
    tree = ApplicantTree.from_entries(entries)
    for m, proof in enumerate(case["proofs"]):  # type: ignore[arg-type]
        assert [p.hex() for p in tree.proof(m)] == proof


LENGTHS = json.loads(
    (Path(__file__).parents[1] / "vectors" / "merkle" / "lengths.json").read_text("utf-8")
)


@pytest.mark.parametrize("case", LENGTHS, ids=[c["name"] for c in LENGTHS])
def test_proof_hash_length_vector(case: dict[str, Any]) -> None:
    """§5.3: leaf hash, root and every proof element are 32 bytes, or the proof fails."""

    def run() -> None:
        verify_inclusion(
            leaf=bytes.fromhex(case["leaf_hash"]),
            index=case["leaf_index"],
            tree_size=case["tree_size"],
            proof=[bytes.fromhex(p) for p in case["proof"]],
            root=bytes.fromhex(case["root"]),
        )

    if case["valid"]:
        run()
    else:
        with pytest.raises(InclusionError):
            run()
