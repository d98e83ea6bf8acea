"""Pins (protocol §12.6): what a family carries to tell the bureau's draw from another.

A bundle's signatures prove only that some key signed it; the pins published at sealing (the
manifest digest, the key fingerprint and the short pin) say whose draw it is.
"""

from __future__ import annotations

from lottery.hashing import tagged_hash
from lottery.identifiers import check_hex64

__all__ = ["PIN_ALPHABET", "format_pin", "normalise_code", "pin"]

PIN_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # the receipt alphabet of §4.3
PIN_LENGTH = 20  # 100 bits, 5 bits a digit
_ALIASES = str.maketrans("OIL", "011")


def pin(manifest_digest: bytes, fingerprint_hex: str) -> str:
    """The 20-character pin of §12.6: the first 100 bits of
    `H("pin", manifest_digest || fingerprint)` in the receipt alphabet, most significant first."""
    if len(manifest_digest) != 32:
        raise ValueError(f"manifest digest is {len(manifest_digest)} bytes, not 32")
    check_hex64(fingerprint_hex, "key fingerprint", ValueError)
    digest = tagged_hash("pin", manifest_digest + bytes.fromhex(fingerprint_hex))
    value = int.from_bytes(digest[:13], "big") >> 4
    return "".join(PIN_ALPHABET[(value >> (5 * i)) & 31] for i in range(PIN_LENGTH - 1, -1, -1))


def format_pin(code: str) -> str:
    """The pin as displayed: groups of four joined by hyphens (§12.6)."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(text: str) -> str:
    """A typed pin or receipt code as §12.6 reads it: hyphens and spaces removed, upper-cased,
    `O` read as `0` and `I`, `L` as `1`. Whether the result is a valid code is the caller's
    check."""
    return text.replace("-", "").replace(" ", "").upper().translate(_ALIASES)
