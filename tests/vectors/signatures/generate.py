"""Deterministic generator of the Ed25519 vectors of protocol §12.4-§12.5.

Each case is a signature file's fields (`kind`, `digest`, `public_key`, `signature`) with
`valid` and, for a refused case, the rule of §12.5 (or RFC 8032) that refuses it. The valid
signatures are made with the TEST key of tests/vectors/README.md. Run:
`.venv/bin/python tests/vectors/signatures/generate.py` (rewrites ed25519.json beside it).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

HERE = Path(__file__).resolve().parent
KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"sunshine-draw test signing key 1").digest())
PUBLIC = KEY.public_key().public_bytes_raw()
L = 2**252 + 27742317777372353535851937790883648493
P = 2**255 - 19
DIGEST = hashlib.sha256(b"a results document").digest()
IDENTITY = bytes.fromhex("01" + "00" * 31)
ORDER_EIGHT = bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")


def message(kind: str, digest: bytes) -> bytes:
    return b"sunshine-draw/2/signature\x00" + kind.encode() + b"\x00" + digest


def case(name: str, public: bytes, signature: bytes | str, valid: bool, rule: str) -> dict[str, object]:
    text = signature if isinstance(signature, str) else signature.hex()
    return {"name": name, "kind": "results", "digest": DIGEST.hex(), "public_key": public.hex(),
            "signature": text, "valid": valid, "rule": rule}


def main() -> None:
    good = KEY.sign(message("results", DIGEST))
    s_plus_l = (int.from_bytes(good[32:], "little") + L).to_bytes(32, "little")
    cases = [
        case("valid", PUBLIC, good, True, "RFC 8032 §5.1.7"),
        case("wrong-digest", PUBLIC, KEY.sign(message("results", bytes(32))), False, "RFC 8032 §5.1.7"),
        case("small-order-key-identity-R-zero-S", IDENTITY, IDENTITY + bytes(32), False, "§12.5 item 2 (A)"),
        case("small-order-key-order-8", ORDER_EIGHT, IDENTITY + bytes(32), False, "§12.5 item 2 (A)"),
        case("non-canonical-key-y-equals-p", P.to_bytes(32, "little"), good, False, "§12.5 item 1 (A)"),
        case("non-canonical-key-negative-zero", bytes.fromhex("01" + "00" * 30 + "80"), good, False, "§12.5 item 1 (A)"),
        case("small-order-R", PUBLIC, ORDER_EIGHT + good[32:], False, "§12.5 item 2 (R)"),
        case("non-canonical-R", PUBLIC, (P + 3).to_bytes(32, "little") + good[32:], False, "§12.5 item 1 (R)"),
        case("S-not-reduced", PUBLIC, good[:32] + s_plus_l, False, "§12.5 item 3"),
        case("upper-case-hex", PUBLIC, good.hex().upper(), False, "§1.2 (lowercase hex)"),
    ]
    (HERE / "ed25519.json").write_text(json.dumps(cases, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
