"""Ed25519 signatures over document digests, protocol §12.4, with the checks of §12.5.

RFC 8032 leaves some checks to the implementation, and libraries differ: some accept a
small-order public key with R = identity and S = 0, a "signature" valid for every message.
§12.5 fixes them: the public key A and the point R are canonical encodings of points that are
not of small order, and S < L. They are checked here before `cryptography` verifies the
equation, so the verdict does not depend on the library's choices.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from verifier.errors import CheckFailed
from verifier.fields import HEX128, Fields, fail
from verifier.hashing import PROTOCOL, domain_hash

P = 2**255 - 19  # the field prime of edwards25519
L = 2**252 + 27742317777372353535851937790883648493  # the order of its prime subgroup
# The eight points of small order (order 1, 2, 4 or 8), canonically encoded (§12.5).
SMALL_ORDER_POINTS = frozenset(
    bytes.fromhex(text)
    for text in (
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    )
)
SIGNATURE_KEYS = ("algorithm", "digest", "fingerprint", "kind", "public_key", "signature")


def key_fingerprint(public_key: bytes) -> str:
    """`hex(H("key-fingerprint", raw public key))`, §12.4."""
    return domain_hash("key-fingerprint", public_key).hex()


def signed_message(kind: str, digest: bytes) -> bytes:
    """`ASCII("sunshine-draw/2/signature") || 0x00 || ASCII(kind) || 0x00 || digest`, §12.4."""
    prefix = f"{PROTOCOL}/signature".encode("ascii") + b"\x00"
    return prefix + kind.encode("ascii") + b"\x00" + digest


def point_fault(encoded: bytes) -> str | None:
    """Why a 32-byte point encoding is refused by §12.5, or None if it is acceptable."""
    y = int.from_bytes(encoded, "little") & (2**255 - 1)
    sign = encoded[31] >> 7
    if y >= P:
        return "point_not_canonical"  # (12.5.1): y must be below p
    if y in (1, P - 1) and sign == 1:
        return "point_not_canonical"  # (12.5.1): x = 0 there, so its sign bit must be 0
    if encoded in SMALL_ORDER_POINTS:
        return "point_small_order"  # (12.5.2)
    return None


def check_public_key(public_key: bytes, path: str) -> None:
    """(12.5.1), (12.5.2) for a public key A."""
    fault = point_fault(public_key)
    if fault is not None:
        raise CheckFailed(fault, path=path, point=public_key.hex())


def check_signature(
    document: object, *, file_name: str, kind: str, digest: bytes, public_key: str
) -> None:
    """A bureau signature file of §12.4, checked against the key of the manifest and §12.5."""
    signature = Fields(document, file_name)
    signature.exact_keys(SIGNATURE_KEYS)
    signature.choice("algorithm", ["ed25519"])
    signature.choice("kind", [kind])
    if signature.hex64("public_key") != public_key:
        raise fail(f"{file_name}.public_key", "term_manifest_key", signature.raw("public_key"))
    if signature.hex64("fingerprint") != key_fingerprint(bytes.fromhex(public_key)):
        raise fail(f"{file_name}.fingerprint", "term_manifest_key", signature.raw("fingerprint"))
    if signature.hex64("digest") != digest.hex():
        found = signature.raw("digest")
        raise CheckFailed("signature_digest", file=file_name, expected=digest.hex(), found=found)
    check_ed25519(signature.raw("signature"), kind=kind, digest=digest, public_key=public_key,
                  path=f"{file_name}.signature")  # fmt: skip


def check_ed25519(text: object, *, kind: str, digest: bytes, public_key: str, path: str) -> None:
    """A hex128 Ed25519 signature of kind `kind` over `digest` (§12.4), with the checks of
    §12.5; the same rule for the bureau's and the witnesses' signatures (§7.9)."""
    if not isinstance(text, str) or not HEX128.fullmatch(text):
        raise fail(path, "term_hex128", text)
    raw = bytes.fromhex(text)
    check_public_key(bytes.fromhex(public_key), path + " (public key)")
    fault = point_fault(raw[:32])  # R
    if fault is not None:
        raise CheckFailed(fault, path=f"{path} (R)", point=raw[:32].hex())
    if int.from_bytes(raw[32:], "little") >= L:
        raise CheckFailed("signature_s_range", file=path)  # (12.5.3)
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key))
        key.verify(raw, signed_message(kind, digest))
    except (InvalidSignature, ValueError) as error:
        raise CheckFailed("signature_invalid", file=path) from error
