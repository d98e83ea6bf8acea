"""Ed25519 signatures over document digests, protocol §12.4."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from verifier.fields import Fields, fail
from verifier.hashing import domain_hash, tag

KINDS = ("manifest", "ceremony", "results", "actions", "audit", "rehearsal")
SIGNATURE_KEYS = ("algorithm", "digest", "fingerprint", "kind", "public_key", "signature")


def key_fingerprint(public_key: bytes) -> str:
    """`hex(H("key-fingerprint", raw public key))`, protocol §12.4."""
    return domain_hash("key-fingerprint", public_key).hex()


def signed_message(kind: str, digest: bytes) -> bytes:
    """`ASCII("sunshine-draw/1/signature") || 0x00 || ASCII(kind) || 0x00 || digest`, §12.4."""
    return tag("signature") + kind.encode("ascii") + b"\x00" + digest


def check_signature(
    signature_document: object,
    *,
    file_name: str,
    kind: str,
    digest: bytes,
    public_key: str,
    fingerprint: str,
) -> None:
    """Check one signature file against §12.4: key, fingerprint, kind, digest and signature."""
    sig = Fields(signature_document, file_name)
    sig.exact_keys(SIGNATURE_KEYS)
    sig.choice("algorithm", ["ed25519"])
    if sig.raw("kind") != kind:
        raise fail(f"{file_name}.kind", repr(kind), sig.raw("kind"))
    if sig.raw("public_key") != public_key:
        raise fail(
            f"{file_name}.public_key", f"the manifest's key {public_key}", sig.raw("public_key")
        )
    if sig.raw("fingerprint") != fingerprint:
        raise fail(
            f"{file_name}.fingerprint",
            f"the manifest's fingerprint {fingerprint}",
            sig.raw("fingerprint"),
        )
    if sig.raw("digest") != digest.hex():
        raise fail(
            f"{file_name}.digest",
            f"the digest of the signed document {digest.hex()}",
            sig.raw("digest"),
        )
    signature_hex = sig.raw("signature")
    if not isinstance(signature_hex, str) or len(signature_hex) != 128:
        raise fail(f"{file_name}.signature", "128 lowercase hex digits", signature_hex)
    try:
        signature = bytes.fromhex(signature_hex)
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key))
        key.verify(signature, signed_message(kind, digest))
    except (ValueError, InvalidSignature) as error:
        raise fail(
            f"{file_name}.signature",
            f"a valid Ed25519 signature by {fingerprint}",
            "<an invalid signature>",
        ) from error
