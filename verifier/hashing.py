"""Hashing with domain separation (protocol §3.1), u64 of bytes (§1.6), and the pin (§12.6)
with the way a typed pin or receipt code is read (§4.3)."""

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


ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32, §4.3
_READ = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})


def normalise_typed(typed: str) -> str:
    """A typed pin or receipt code as §12.6 reads it: no hyphens or spaces, upper case,
    `O` read as `0`, `I` and `L` as `1`. The caller checks length and alphabet."""
    return typed.strip().upper().translate(_READ)


def draw_pin(manifest_digest: bytes, fingerprint: bytes) -> str:
    """§12.6: the first 100 bits of `H("pin", digest || fingerprint)` as 20 base-32 digits."""
    value = int.from_bytes(domain_hash("pin", manifest_digest + fingerprint)[:13], "big") >> 4
    return "".join(ALPHABET[(value >> (5 * (19 - i))) & 31] for i in range(20))


def grouped(code: str) -> str:
    """A pin or receipt code as printed: groups of four joined by hyphens."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
