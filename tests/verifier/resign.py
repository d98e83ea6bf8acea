"""Adding or re-signing documents of a bundle as the key holder would, from protocol §12.4,
§13.5 and §15 (version 2).

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
P = "sunshine-draw/2"


def jcs(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def tagged(use: str, data: bytes) -> bytes:
    return hashlib.sha256(f"{P}/{use}".encode() + b"\x00" + data).digest()


def signature_file(kind: str, digest: bytes, key: Ed25519PrivateKey = TEST_KEY) -> bytes:
    public = key.public_key().public_bytes_raw()
    message = f"{P}/signature".encode() + b"\x00" + kind.encode() + b"\x00" + digest
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


def read_log(bundle: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (bundle / "audit.jsonl").read_bytes().splitlines()]


def head(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"seq": len(entries), "hash": tagged("audit", jcs(entries[-1])).hex()}


def append(entries: list[dict[str, Any]], action: str, details: dict[str, Any]) -> None:
    """One entry of §15.1, chained to the last and naming the same draw."""
    entries.append({"seq": len(entries) + 1, "prev": head(entries)["hash"], "at": entries[-1]["at"],
                    "actor": "operator", "action": action, "draw": entries[-1]["draw"],
                    "details": details})  # fmt: skip


def write_log(
    bundle: Path, entries: list[dict[str, Any]], key: Ed25519PrivateKey = TEST_KEY
) -> None:
    (bundle / "audit.jsonl").write_bytes(b"".join(jcs(e) + b"\n" for e in entries))
    last = tagged("audit", jcs(entries[-1])) if entries else b"\x00" * 32
    (bundle / "audit.sig.json").write_bytes(signature_file("audit", last, key))
    reindex(bundle, key)


def resign(bundle: Path, kind: str, key: Ed25519PrivateKey = TEST_KEY) -> None:
    """Sign `kind.json` again as it now stands, and the index (§13.5)."""
    data = (bundle / f"{kind}.json").read_bytes()
    (bundle / f"{kind}.sig.json").write_bytes(signature_file(kind, tagged(kind, data), key))
    reindex(bundle, key)


def reindex(bundle: Path, key: Ed25519PrivateKey = TEST_KEY) -> None:
    """index.json for the files as they now stand (§13.5), its head the log's last entry."""
    files = sorted(p for p in bundle.iterdir() if p.name not in ("index.json", "index.sig.json"))
    old = json.loads((bundle / "index.json").read_bytes())
    entries = read_log(bundle)
    index = old | {
        "manifest": tagged("manifest", (bundle / "manifest.json").read_bytes()).hex(),
        "files": [{"name": p.name, "bytes": p.stat().st_size,
                   "sha256": hashlib.sha256(p.read_bytes()).hexdigest()} for p in files],
        "audit": head(entries) if entries else old["audit"],
    }  # fmt: skip
    (bundle / "index.json").write_bytes(jcs(index))
    (bundle / "index.sig.json").write_bytes(
        signature_file("index", tagged("index", jcs(index)), key)
    )


def add_actions(
    bundle: Path, actions: list[dict[str, Any]], key: Ed25519PrivateKey = TEST_KEY
) -> None:
    """The actions document (§14.3) signed at the log's head, then `actions.recorded` (§15.3)."""
    entries = read_log(bundle)
    results_digest = tagged("results", (bundle / "results.json").read_bytes())
    document = {"protocol": P, "kind": "actions", "results": results_digest.hex(),
                "audit": head(entries), "actions": actions}  # fmt: skip
    (bundle / "actions.json").write_bytes(jcs(document))
    (bundle / "actions.sig.json").write_bytes(
        signature_file("actions", tagged("actions", jcs(document)), key)
    )
    digest = tagged("actions", jcs(document)).hex()
    append(entries, "actions.recorded", {"actions": digest, "count": len(actions)})
    write_log(bundle, entries, key)
