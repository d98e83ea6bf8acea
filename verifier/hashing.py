"""Hashing with domain separation, protocol §3, and u64 of bytes, protocol §1.6."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from itertools import repeat

PROTOCOL = "sunshine-draw/1"

USES = frozenset(
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
    }
)


def tag(use: str) -> bytes:
    """The prefix `ASCII("sunshine-draw/1/" + use) || 0x00` of protocol §3.1."""
    if use not in USES:
        raise ValueError(f"unknown hash use {use!r}")
    return (PROTOCOL + "/" + use).encode("ascii") + b"\x00"


def domain_hash(use: str, data: bytes) -> bytes:
    """`H(use, data)` of protocol §3.1: SHA-256 of the tagged data, 32 bytes."""
    return hashlib.sha256(tag(use) + data).digest()


def u64(data: bytes) -> int:
    """The first 8 bytes read as an unsigned big-endian integer, protocol §1.6."""
    return int.from_bytes(data[:8], "big")


_HEX16 = "016x"  # 16 lowercase hex digits, zero-padded


def hex16(number: int) -> str:
    """A 64-bit lottery number as 16 lowercase hex digits, protocol §8.2."""
    return format(number, _HEX16)


def hex16_all(numbers: Iterable[int]) -> list[str]:
    """`hex16` of each number (by the built-in `map` of `format`: a million of them)."""
    return list(map(format, numbers, repeat(_HEX16)))


class TaggedHasher:
    """`u64(H(use, prefix || data))` for many `data`, reusing the hashed prefix (for speed)."""

    def __init__(self, use: str, prefix: bytes = b"") -> None:
        self._state = hashlib.sha256(tag(use) + prefix)

    def number(self, data: bytes) -> int:
        """`u64(H(use, prefix || data))`."""
        state = self._state.copy()
        state.update(data)
        return int.from_bytes(state.digest()[:8], "big")

    def numbers(self, texts: Iterable[str]) -> list[int]:
        """`u64(H(use, prefix || UTF8(text)))` for each text, in one loop (a million units)."""
        start, numbers = self._state, []
        for text in texts:
            state = start.copy()
            state.update(text.encode())
            numbers.append(int.from_bytes(state.digest()[:8], "big"))
        return numbers
