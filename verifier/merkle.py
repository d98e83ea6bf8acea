"""The applicant tree, protocol §5: the RFC 9162 §2.1 Merkle tree hash and the
verification of inclusion proofs (the service gives them; a verifier only checks them)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from verifier.errors import CheckFailed


def leaf_hash(entry: bytes) -> bytes:
    """`SHA-256(0x00 || entry)`, RFC 9162 §2.1.1."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """`SHA-256(0x01 || left || right)`, RFC 9162 §2.1.1."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """k, the largest power of two strictly less than n (n > 1), §5.1."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def subtree_root(leaves: Sequence[bytes], start: int, end: int) -> bytes:
    """`MTH(D[start:end])` from the leaf hashes (end > start), §5.1."""
    if end - start == 1:
        return leaves[start]
    k = _split(end - start)
    return node_hash(subtree_root(leaves, start, start + k), subtree_root(leaves, start + k, end))


def tree_root(leaves: Sequence[bytes]) -> bytes:
    """`MTH(D[n])` from the leaf hashes; `SHA-256("")` for the empty tree, §5.1."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    return subtree_root(leaves, 0, len(leaves))


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """`PATH(m, D[n])`, RFC 9162 §2.1.3.1, from the leaf hashes (§5.3)."""
    if len(leaves) <= 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*inclusion_proof(leaves[:k], index), subtree_root(leaves, k, len(leaves))]
    return [*inclusion_proof(leaves[k:], index - k), subtree_root(leaves, 0, k)]


def verify_inclusion(
    *, leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 §2.1.3.2, step by step as §5.3 writes it; raises `CheckFailed` on failure."""
    if len(leaf) != 32 or len(root) != 32 or any(len(p) != 32 for p in proof):
        raise CheckFailed("proof_hash_size")  # (5.3): every hash is 32 bytes
    if not 0 <= index < tree_size:  # (1)
        raise CheckFailed("proof_index", expected=f"< {tree_size}", found=index)
    fn, sn, r = index, tree_size - 1, leaf  # (2), (3)
    for p in proof:  # (4)
        if sn == 0:
            raise CheckFailed("proof_too_long")
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:  # (5)
        raise CheckFailed("proof_too_short")
    if r != root:
        raise CheckFailed("proof_root", expected=root.hex(), found=r.hex())
