"""The RFC 8032 checks protocol §12.5 adds before the verification equation.

Shared by the bureau's signatures (`lottery.signing`) and the witnesses' (`lottery.ceremony`,
§7.9): a public key or `R` that is not canonical or of small order, and an `S` not below `L`,
are refused whatever the library would say.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

__all__ = ["ed25519_fault", "strict_point_fault"]

_P = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493
# §12.5: the eight points of small order, canonically encoded.
_SMALL_ORDER = frozenset(
    bytes.fromhex(h)
    for h in (
        "01" + "00" * 31,
        "ec" + "ff" * 30 + "7f",
        "00" * 32,
        "00" * 31 + "80",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    )
)


def strict_point_fault(encoded: bytes) -> str | None:
    """Why §12.5 refuses a 32-byte point (A or R): not canonical, or of small order."""
    if len(encoded) != 32:
        return "not 32 bytes"
    y = int.from_bytes(encoded, "little") & (2**255 - 1)
    if y >= _P or (y in (1, _P - 1) and encoded[31] >> 7):
        return "not a canonical point encoding"
    if encoded in _SMALL_ORDER:
        return "a point of small order"
    return None


def _raw_hex(text: object, size: int) -> bytes | None:
    """Lowercase hex of exactly `size` bytes, or None."""
    if not isinstance(text, str) or len(text) != 2 * size:
        return None
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        return None
    return raw if raw.hex() == text else None


def ed25519_fault(public_key_hex: object, signature_hex: object, message: bytes) -> str | None:
    """Why a signature fails §12.5 and RFC 8032 under a key, or None if it verifies.

    Both arguments are lowercase hex (§1.2): 64 digits of key, 128 of signature.
    """
    public = _raw_hex(public_key_hex, 32)
    if public is None:
        return "the public key is not 64 lowercase hex digits"
    raw = _raw_hex(signature_hex, 64)
    if raw is None:
        return "the signature is not 128 lowercase hex digits"
    for name, point in (("public key", public), ("R", raw[:32])):
        fault = strict_point_fault(point)
        if fault is not None:
            return f"its {name} is {fault} (§12.5)"
    if int.from_bytes(raw[32:], "little") >= _L:
        return "its S is not below L (§12.5)"
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(raw, message)
    except (InvalidSignature, ValueError):
        return "the Ed25519 signature does not verify"
    return None
