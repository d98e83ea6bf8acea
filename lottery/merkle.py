"""The applicant tree: an RFC 9162 Merkle tree over the public records, protocol §5.

RFC 9162 §2.1.1 splits a tree of `n` leaves at the largest power of two below `n`. Building the
tree level by level, hashing neighbours in pairs and carrying an unpaired last node up unchanged,
gives the same root and the same proofs (a test holds the two equal), and it runs in a loop over
flat lists, fast enough for a million records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from lottery.errors import LotteryError
from lottery.hashing import domain_prefix

__all__ = [
    "ApplicantTree",
    "InclusionError",
    "applicant_entry",
    "inclusion_proof",
    "leaf_hash",
    "merkle_root",
    "node_hash",
    "verify_inclusion",
]

_APPLICANT_PREFIX = domain_prefix("applicant")
_EMPTY_ROOT = hashlib.sha256(b"").digest()


class InclusionError(LotteryError):
    """An inclusion proof does not lead to the root (§5.3)."""


def applicant_entry(encoded_record: bytes) -> bytes:
    """Entry `d_i` of §5.2: the applicant tag, a zero byte and `JCS(record_i)`."""
    return _APPLICANT_PREFIX + encoded_record


def leaf_hash(entry: bytes) -> bytes:
    """`SHA-256(0x00 || entry)`, RFC 9162 §2.1.1."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """`SHA-256(0x01 || left || right)`, RFC 9162 §2.1.1."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _next_level(level: Sequence[bytes]) -> list[bytes]:
    sha = hashlib.sha256
    upper = [sha(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
    if len(level) % 2:
        upper.append(level[-1])  # the unpaired last node is carried up unchanged
    return upper


def _levels(leaf_hashes: Sequence[bytes]) -> list[list[bytes]]:
    levels = [list(leaf_hashes)]
    while len(levels[-1]) > 1:
        levels.append(_next_level(levels[-1]))
    return levels


class ApplicantTree:
    """A built tree: its root and the inclusion proof of any leaf (§5.2, §5.3)."""

    def __init__(self, leaf_hashes: Iterable[bytes]) -> None:
        self._levels = _levels(list(leaf_hashes))

    @classmethod
    def from_entries(cls, entries: Iterable[bytes]) -> ApplicantTree:
        """A tree over raw entries (each is hashed as a leaf)."""
        return cls(leaf_hash(entry) for entry in entries)

    @property
    def size(self) -> int:
        """Number of leaves."""
        return len(self._levels[0])

    @property
    def root(self) -> bytes:
        """`MTH(D[n])`; `SHA-256("")` for the empty tree."""
        return self._levels[-1][0] if self.size else _EMPTY_ROOT

    def proof(self, index: int) -> list[bytes]:
        """`PATH(index, D[n])` of RFC 9162 §2.1.3.1, leaf side first."""
        if not 0 <= index < self.size:
            raise IndexError(f"leaf index {index} outside a tree of {self.size} leaves")
        path: list[bytes] = []
        for level in self._levels[:-1]:
            sibling = index ^ 1
            if sibling < len(level):
                path.append(level[sibling])
            index //= 2
        return path


def merkle_root(entries: Iterable[bytes]) -> bytes:
    """`MTH` of raw entries, RFC 9162 §2.1.1."""
    level = [leaf_hash(entry) for entry in entries]
    if not level:
        return _EMPTY_ROOT
    while len(level) > 1:
        level = _next_level(level)
    return level[0]


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """Inclusion proof of leaf `index` (§5.3) from all leaf hashes of the tree."""
    return ApplicantTree(leaf_hashes).proof(index)


def verify_inclusion(
    *, leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check an inclusion proof, RFC 9162 §2.1.3.2 step by step; raise `InclusionError`.

    `leaf` is the leaf hash. Every proof element and the root must be 32 bytes.
    """
    if len(leaf) != 32 or len(root) != 32 or any(len(p) != 32 for p in proof):
        raise InclusionError("hashes in an inclusion proof are 32 bytes each")
    # (1) the index must be inside the tree.
    if index < 0 or index >= tree_size:
        raise InclusionError(f"leaf index {index} is not inside a tree of size {tree_size}")
    # (2) fn = m, sn = n - 1; (3) r = leaf hash.
    fn, sn, r = index, tree_size - 1, leaf
    # (4) walk the proof.
    for p in proof:
        if sn == 0:
            raise InclusionError("inclusion proof is longer than the path to the root")
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
    # (5) the path must end at the root.
    if sn != 0:
        raise InclusionError("inclusion proof is shorter than the path to the root")
    if r != root:
        raise InclusionError("inclusion proof does not lead to the root")
