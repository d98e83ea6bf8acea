"""Hashing with domain separation, protocol §3.

`H(use, data) = SHA-256(ASCII("sunshine-draw/2/" + use) || 0x00 || data)`; the `use` strings are
exactly those of the table in §3.1, and any other is refused so that a typo can never create a
new, unpublished domain.
"""

from __future__ import annotations

import hashlib

__all__ = ["PROTOCOL", "USES", "domain_prefix", "tagged_hash"]

PROTOCOL = "sunshine-draw/2"

# Protocol §3.1, the complete table.
USES: frozenset[str] = frozenset(
    {
        "applicant",
        "private-record",
        "manifest",
        "witness-commitment",
        "ceremony",
        "seed",
        "ticket",
        "school-ticket",
        "zone-order",
        "class-ticket",
        "results",
        "actions",
        "audit",
        "signature",
        "key-fingerprint",
        "rehearsal-seed",
        "receipt",
        "witness-reveal",
        "checkpoint",
        "beacon",
        "reveal-receipt",
        "index",
        "pin",
        "outcome",
        "results-head",
    }
)


def domain_prefix(use: str) -> bytes:
    """The bytes `ASCII("sunshine-draw/2/" + use) || 0x00` that start every tagged input (§3.1)."""
    if use not in USES:
        raise ValueError(f"hash use {use!r} is not in the table of protocol §3.1")
    return (PROTOCOL + "/" + use).encode("ascii") + b"\x00"


def tagged_hash(use: str, data: bytes) -> bytes:
    """`H(use, data)` of protocol §3.1: a 32-byte SHA-256 digest."""
    return hashlib.sha256(domain_prefix(use) + data).digest()
