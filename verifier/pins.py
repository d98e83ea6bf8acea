"""Pins of the sealing announcement, protocol §12.6, and how a typed code is read (§4.3)."""

from __future__ import annotations

from verifier.hashing import domain_hash

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
