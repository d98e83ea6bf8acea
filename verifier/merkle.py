"""The applicant tree, protocol §5: RFC 9162 §2.1 Merkle tree hash and inclusion proofs."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from verifier.errors import CheckFailed

_EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    """`SHA-256(0x00 || entry)`, RFC 9162 §2.1.1."""
    return hashlib.sha256(b"\x00" + entry).digest()


def leaf_hashes(prefix: bytes, entries: list[bytes]) -> list[bytes]:
    """`leaf_hash(prefix || e)` for each entry: the state after the common prefix is computed
    once and copied, which saves hashing it again for each of a million records."""
    start = hashlib.sha256(b"\x00" + prefix)
    hashes = []
    for entry in entries:
        state = start.copy()
        state.update(entry)
        hashes.append(state.digest())
    return hashes


def _node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _largest_power_of_two_below(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def _subtree_root(leaves: Sequence[bytes], start: int, end: int) -> bytes:
    """MTH of `leaves[start:end]` (leaf hashes), RFC 9162 §2.1.1."""
    if end - start == 1:
        return leaves[start]
    split = start + _largest_power_of_two_below(end - start)
    return _node_hash(_subtree_root(leaves, start, split), _subtree_root(leaves, split, end))


def tree_root(leaf_hashes: Sequence[bytes]) -> bytes:
    """`MTH(D[n])` from the leaf hashes, RFC 9162 §2.1.1 (protocol §5.1).

    Computed level by level: pairing adjacent nodes from the left and carrying an odd last
    node up unchanged gives the same tree as the recursive split at the largest power of two.
    """
    if not leaf_hashes:
        return _EMPTY_ROOT
    level = list(leaf_hashes)
    sha256 = hashlib.sha256
    while len(level) > 1:
        joined = b"".join(level)  # each pair of adjacent nodes is then one 64-byte slice
        paired = [
            sha256(b"\x01" + joined[i : i + 64]).digest() for i in range(0, len(joined) - 32, 64)
        ]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """`PATH(m, D[n])` of RFC 9162 §2.1.3.1 (protocol §5.3), from the leaf hashes."""
    if not 0 <= index < len(leaf_hashes):
        raise ValueError(f"leaf index {index} outside a tree of {len(leaf_hashes)}")
    return _path(leaf_hashes, index, 0, len(leaf_hashes))


def _path(leaves: Sequence[bytes], index: int, start: int, end: int) -> list[bytes]:
    if end - start == 1:
        return []
    split = start + _largest_power_of_two_below(end - start)
    if index < split:
        return [*_path(leaves, index, start, split), _subtree_root(leaves, split, end)]
    return [*_path(leaves, index, split, end), _subtree_root(leaves, start, split)]


def verify_inclusion(
    *, leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Verify an inclusion proof exactly as RFC 9162 §2.1.3.2 (protocol §5.3) says.

    Raises `CheckFailed` if the proof does not lead from `leaf` at `index` to `root`.
    """
    # (1): the index must be inside the tree.
    if index >= tree_size or index < 0:
        raise CheckFailed(
            "inclusion proof rejected: leaf index outside the tree",
            expected=f"index below {tree_size}",
            found=str(index),
        )
    if len(leaf) != 32 or len(root) != 32 or any(len(p) != 32 for p in proof):
        raise CheckFailed("inclusion proof rejected: a hash is not 32 bytes")
    # (2), (3): fn, sn and r.
    fn, sn, r = index, tree_size - 1, leaf
    # (4): combine with each proof element.
    for p in proof:
        if sn == 0:
            raise CheckFailed("inclusion proof rejected: proof longer than the tree is deep")
        if fn % 2 == 1 or fn == sn:
            r = _node_hash(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _node_hash(r, p)
        fn >>= 1
        sn >>= 1
    # (5): the walk must end at the top and at the root.
    if sn != 0:
        raise CheckFailed("inclusion proof rejected: proof shorter than the tree is deep")
    if r != root:
        raise CheckFailed(
            "inclusion proof rejected: computed root differs",
            expected=root.hex(),
            found=r.hex(),
        )
