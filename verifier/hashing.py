"""Hashing with domain separation (protocol §3.1) and u64 of bytes (§1.6)."""

from __future__ import annotations

import hashlib

PROTOCOL = "sunshine-draw/2"


def domain_hash(use: str, data: bytes) -> bytes:
    """`H(use, data) = SHA-256(ASCII("sunshine-draw/2/" + use) || 0x00 || data)`, §3.1."""
    return hashlib.sha256(f"{PROTOCOL}/{use}".encode("ascii") + b"\x00" + data).digest()


def u64(data: bytes) -> int:
    """The first 8 bytes of `data` as an unsigned big-endian integer, §1.6."""
    return int.from_bytes(data[:8], "big")


def hex16(number: int) -> str:
    """A 64-bit lottery number as 16 lowercase hex digits, zero-padded, §8.2."""
    return f"{number:016x}"
