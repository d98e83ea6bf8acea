"""`PATH(m, D[n])` of RFC 9162 §2.1.3.1 (protocol §5.3), for tests: the verifier only checks
inclusion proofs, so the tests make their own."""

from __future__ import annotations

from collections.abc import Sequence

from verifier.merkle import subtree_root


def inclusion_proof(
    leaves: Sequence[bytes], index: int, start: int = 0, end: int = -1
) -> list[bytes]:
    end = len(leaves) if end < 0 else end
    if end - start == 1:
        return []
    k = 1
    while k * 2 < end - start:
        k *= 2
    if index < start + k:
        path = inclusion_proof(leaves, index, start, start + k)
        return [*path, subtree_root(leaves, start + k, end)]
    return [*inclusion_proof(leaves, index, start + k, end), subtree_root(leaves, start, start + k)]
