"""Signatures, protocol §12.4."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sample_draws import signing_test_key

from lottery import (
    SignatureError,
    key_fingerprint,
    sign_document,
    signing_key_info,
    verify_signature,
)
from lottery.manifest import SigningKeyInfo
from lottery.signing import public_key_bytes

DIGEST = hashlib.sha256(b"a document").digest()


def test_signature_file_and_message() -> None:
    key = signing_test_key()
    signature = sign_document("results", DIGEST, key)
    assert sorted(signature) == [
        "algorithm",
        "digest",
        "fingerprint",
        "kind",
        "public_key",
        "signature",
    ]
    message = b"sunshine-draw/2/signature\x00results\x00" + DIGEST
    Ed25519PublicKey.from_public_bytes(public_key_bytes(key)).verify(
        bytes.fromhex(signature["signature"]), message
    )
    expected = hashlib.sha256(b"sunshine-draw/2/key-fingerprint\x00" + public_key_bytes(key))
    assert key_fingerprint(key) == signature["fingerprint"] == expected.hexdigest()
    verify_signature(signature, kind="results", digest=DIGEST, signing_key=signing_key_info(key))


@pytest.mark.parametrize(
    ("change", "kind", "message"),
    [
        ({}, "manifest", "signs kind 'results'"),
        ({"digest": "00" * 32}, "results", "digest"),
        ({"signature": "00" * 64}, "results", "small order"),
        ({"signature": "zz"}, "results", "not 128 lowercase hex digits"),
        ({"algorithm": "rsa"}, "results", "algorithm"),
        ({"extra": 1}, "results", "not an object with keys"),
    ],
)
def test_bad_signatures(change: dict[str, object], kind: str, message: str) -> None:
    key = signing_test_key()
    signature = {**sign_document("results", DIGEST, key), **change}
    with pytest.raises(SignatureError, match=message):
        verify_signature(signature, kind=kind, digest=DIGEST, signing_key=signing_key_info(key))


def test_other_key_is_refused() -> None:
    signature = sign_document("results", DIGEST, signing_test_key("other"))
    with pytest.raises(SignatureError, match="not the manifest's signing key"):
        verify_signature(
            signature,
            kind="results",
            digest=DIGEST,
            signing_key=signing_key_info(signing_test_key()),
        )


def test_unknown_kind_cannot_be_signed() -> None:
    with pytest.raises(SignatureError, match="'draft'"):
        sign_document("draft", DIGEST, signing_test_key())


SIGNATURE_VECTORS = json.loads(
    (Path(__file__).resolve().parents[1] / "vectors" / "signatures" / "ed25519.json").read_text()
)


@pytest.mark.parametrize("case", SIGNATURE_VECTORS, ids=[c["name"] for c in SIGNATURE_VECTORS])
def test_signature_vectors(case: dict[str, object]) -> None:
    """§12.5: the engine refuses what the verifier refuses (tests/vectors/signatures)."""
    public = bytes.fromhex(str(case["public_key"]))
    signature = {
        "algorithm": "ed25519",
        "digest": case["digest"],
        "fingerprint": key_fingerprint(public),
        "kind": case["kind"],
        "public_key": case["public_key"],
        "signature": case["signature"],
    }
    info = SigningKeyInfo(public_key=public.hex(), fingerprint=key_fingerprint(public))
    digest = bytes.fromhex(str(case["digest"]))
    if case["valid"]:
        verify_signature(signature, kind="results", digest=digest, signing_key=info)
    else:
        with pytest.raises(SignatureError):
            verify_signature(signature, kind="results", digest=digest, signing_key=info)
