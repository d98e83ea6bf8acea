"""Ed25519 signatures over document digests, protocol §12.4.

The message signed for a document of kind `K` with digest `D` is
`ASCII("sunshine-draw/1/signature") || 0x00 || ASCII(K) || 0x00 || D`. Keys are arguments: this
module never creates or stores one.
"""

from __future__ import annotations

from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from lottery.errors import SignatureError
from lottery.hashing import domain_prefix, tagged_hash
from lottery.manifest import SigningKeyInfo

__all__ = [
    "SIGNED_KINDS",
    "key_fingerprint",
    "public_key_bytes",
    "sign_document",
    "signing_key_info",
    "verify_signature",
]

SIGNED_KINDS = ("manifest", "ceremony", "results", "actions", "audit", "rehearsal")
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
    y = int.from_bytes(encoded, "little") & (2**255 - 1)
    if y >= _P or (y in (1, _P - 1) and encoded[31] >> 7):
        return "not a canonical point encoding"
    if encoded in _SMALL_ORDER:
        return "a point of small order"
    return None


_SIGNATURE_KEYS = {"algorithm", "digest", "fingerprint", "kind", "public_key", "signature"}


def public_key_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The raw 32-byte public key."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_fingerprint(key: Ed25519PrivateKey | Ed25519PublicKey | bytes) -> str:
    """`hex(H("key-fingerprint", raw public key))`, §12.4."""
    raw = key if isinstance(key, bytes) else public_key_bytes(key)
    return tagged_hash("key-fingerprint", raw).hex()


def signing_key_info(key: Ed25519PrivateKey | Ed25519PublicKey) -> SigningKeyInfo:
    """The manifest's `signing_key` entry for a key (§6.1)."""
    raw = public_key_bytes(key)
    return SigningKeyInfo(public_key=raw.hex(), fingerprint=key_fingerprint(raw))


def _message(kind: str, digest: bytes) -> bytes:
    if kind not in SIGNED_KINDS:
        raise SignatureError(f"kind {kind!r} is not a signed document kind (§12.4)")
    if len(digest) != 32:
        raise SignatureError(f"{kind}: digest is {len(digest)} bytes, not 32")
    return domain_prefix("signature") + kind.encode("ascii") + b"\x00" + digest


def sign_document(kind: str, digest: bytes, private_key: Ed25519PrivateKey) -> dict[str, str]:
    """The signature file of §12.4 for a document of `kind` with `digest`."""
    raw = public_key_bytes(private_key)
    return {
        "algorithm": "ed25519",
        "digest": digest.hex(),
        "fingerprint": key_fingerprint(raw),
        "kind": kind,
        "public_key": raw.hex(),
        "signature": private_key.sign(_message(kind, digest)).hex(),
    }


def verify_signature(
    signature: Any, *, kind: str, digest: bytes, signing_key: SigningKeyInfo
) -> None:
    """Check a signature file against the document's kind and digest and the manifest's key
    (§12.4, §17 step 2). Returns nothing; raises `SignatureError`."""
    if not isinstance(signature, dict) or set(signature) != _SIGNATURE_KEYS:
        raise SignatureError(f"{kind} signature: not an object with keys {sorted(_SIGNATURE_KEYS)}")
    if signature["algorithm"] != "ed25519":
        raise SignatureError(f"{kind} signature: algorithm {signature['algorithm']!r}")
    if signature["kind"] != kind:
        raise SignatureError(f"{kind} signature: signs kind {signature['kind']!r}")
    if signature["public_key"] != signing_key.public_key:
        raise SignatureError(f"{kind} signature: public key is not the manifest's signing key")
    if signature["fingerprint"] != signing_key.fingerprint:
        raise SignatureError(f"{kind} signature: fingerprint is not the manifest's")
    if signature["digest"] != digest.hex():
        raise SignatureError(
            f"{kind} signature: digest {signature['digest']!r} is not the document's {digest.hex()}"
        )
    try:
        raw_key = bytes.fromhex(signing_key.public_key)
        raw = bytes.fromhex(signature["signature"])
        if signature["signature"] != raw.hex() or len(raw) != 64:
            raise ValueError("signature: 128 lowercase hex digits")
        for name, point in (("public key", raw_key), ("R", raw[:32])):
            fault = strict_point_fault(point)
            if fault is not None:
                raise SignatureError(f"{kind} signature: {name} is {fault} (§12.5)")
        if int.from_bytes(raw[32:], "little") >= _L:
            raise SignatureError(f"{kind} signature: S is not below L (§12.5)")
        public = Ed25519PublicKey.from_public_bytes(raw_key)
        public.verify(raw, _message(kind, digest))
    except (InvalidSignature, ValueError, TypeError):
        raise SignatureError(f"{kind} signature: the Ed25519 signature does not verify") from None
