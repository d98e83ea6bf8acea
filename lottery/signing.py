"""Ed25519 signatures over document digests, protocol §12.4.

The message signed for a document of kind `K` with digest `D` is
`ASCII("sunshine-draw/2/signature") || 0x00 || ASCII(K) || 0x00 || D`. Keys are arguments: this
module never creates or stores one.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from lottery.errors import SignatureError
from lottery.hashing import domain_prefix, tagged_hash
from lottery.manifest import SigningKeyInfo
from lottery.strict_ed25519 import ed25519_fault, strict_point_fault

__all__ = [
    "SIGNED_KINDS",
    "WITNESS_KINDS",
    "key_fingerprint",
    "public_key_bytes",
    "sign_document",
    "signed_message",
    "signing_key_info",
    "strict_point_fault",
    "verify_signature",
]

SIGNED_KINDS = (
    "manifest",
    "ceremony",
    "results",
    "actions",
    "audit",
    "rehearsal",
    "index",
    "reveal-receipt",
    "results-head",
)
WITNESS_KINDS = ("commitment", "reveal", "checkpoint", "beacon")  # §7.9
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


def signed_message(kind: str, digest: bytes, *, kinds: tuple[str, ...] = SIGNED_KINDS) -> bytes:
    """`ASCII("sunshine-draw/2/signature") || 0x00 || ASCII(K) || 0x00 || D` (§12.4, §7.9)."""
    if kind not in kinds:
        raise SignatureError(f"kind {kind!r} is not a signed kind here ({', '.join(kinds)})")
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
        "signature": private_key.sign(signed_message(kind, digest)).hex(),
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
    fault = ed25519_fault(
        signing_key.public_key, signature["signature"], signed_message(kind, digest)
    )
    if fault is not None:
        raise SignatureError(f"{kind} signature: {fault}")
