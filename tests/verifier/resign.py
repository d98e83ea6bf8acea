"""Adding signed documents to a bundle as the key holder would, straight from protocol §12.4.

Independent of the verifier's code: canonical bytes come from the standard library's encoder,
which equals JCS for the ASCII-keyed integer-only documents used here (protocol §2.4).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

TEST_KEY = Ed25519PrivateKey.from_private_bytes(
    hashlib.sha256(b"sunshine-draw test signing key 1").digest()
)


def jcs(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def tagged(use: str, data: bytes) -> bytes:
    return hashlib.sha256(f"sunshine-draw/1/{use}".encode() + b"\x00" + data).digest()


def signature_file(kind: str, digest: bytes, key: Ed25519PrivateKey = TEST_KEY) -> bytes:
    public = key.public_key().public_bytes_raw()
    message = b"sunshine-draw/1/signature\x00" + kind.encode() + b"\x00" + digest
    return jcs(
        {
            "algorithm": "ed25519",
            "digest": digest.hex(),
            "fingerprint": tagged("key-fingerprint", public).hex(),
            "kind": kind,
            "public_key": public.hex(),
            "signature": key.sign(message).hex(),
        }
    )


def add_actions(
    bundle: Path, actions: list[dict[str, Any]], key: Ed25519PrivateKey = TEST_KEY
) -> None:
    results_digest = tagged("results", (bundle / "results.json").read_bytes())
    document = {
        "protocol": "sunshine-draw/1",
        "kind": "actions",
        "results": results_digest.hex(),
        "actions": actions,
    }
    (bundle / "actions.json").write_bytes(jcs(document))
    (bundle / "actions.sig.json").write_bytes(
        signature_file("actions", tagged("actions", jcs(document)), key)
    )


def audit_entries(count: int) -> list[dict[str, Any]]:
    entries, previous = [], "0" * 64
    for seq in range(1, count + 1):
        entry = {
            "seq": seq,
            "prev": previous,
            "at": f"2026-07-01T0{seq % 10}:00:00Z",
            "actor": "operator",
            "action": f"step {seq}",
            "details": {"n": seq},
        }
        entries.append(entry)
        previous = tagged("audit", jcs(entry)).hex()
    return entries


def add_audit(
    bundle: Path, entries: list[dict[str, Any]], key: Ed25519PrivateKey = TEST_KEY
) -> None:
    (bundle / "audit.jsonl").write_bytes(b"".join(jcs(e) + b"\n" for e in entries))
    last = tagged("audit", jcs(entries[-1])) if entries else b"\x00" * 32
    (bundle / "audit.sig.json").write_bytes(signature_file("audit", last, key))
