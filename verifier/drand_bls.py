"""The BLS signature of a drand round (Appendix A), with the optional package py-ecc.

Imported only inside try/except (`verifier.drand`): without py-ecc the report says the BLS
signature was not checked. Constructions as drand defines them (crypto/schemes.go): the chained
scheme signs `SHA-256(previous_signature || u64be(round))` on G2 with a G1 key; quicknet signs
`SHA-256(u64be(round))` on G1 (RFC 9380 hash-to-curve) with a G2 key.
"""

# py-ecc annotates bytes as NewTypes and points as narrower types than it accepts at run time,
# and may be absent: mypy is told so here rather than by casts on every line.
# mypy: disable-error-code="import-not-found, import-untyped, attr-defined, arg-type, type-var"
from __future__ import annotations

import hashlib
from typing import Any

from py_ecc import optimized_bls12_381 as curve
from py_ecc.bls import g2_primitives
from py_ecc.bls.ciphersuites import G2Basic
from py_ecc.bls.hash_to_curve import hash_to_G1
from py_ecc.optimized_bls12_381.optimized_pairing import miller_loop

DST_G1 = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"


def bls_round_valid(
    chain: Any, round_number: int, signature: bytes, previous: bytes | None
) -> bool:
    """True if `signature` is the chain's signature of round `round_number` (Appendix A)."""
    if not 1 <= round_number < 2**64:
        return False
    message = hashlib.sha256((previous or b"") + round_number.to_bytes(8, "big")).digest()
    public_key = bytes.fromhex(chain.public_key)
    try:
        if chain.scheme == "pedersen-bls-chained":  # key on G1, signature on G2
            return bool(G2Basic.Verify(public_key, message, signature))
        # bls-unchained-g1-rfc9380: key on G2, signature on G1; py-ecc's decompression does
        # not check the subgroup, so it is checked here.
        key = g2_primitives.signature_to_G2(public_key)  # a G2 point, encoded as signatures are
        point = g2_primitives.pubkey_to_G1(signature)
        for p, b in ((key, curve.b2), (point, curve.b)):
            if (
                curve.is_inf(p)
                or not curve.is_on_curve(p, b)
                or not g2_primitives.subgroup_check(p)
            ):
                return False
        hashed = hash_to_G1(message, DST_G1, hashlib.sha256)
        pairing = miller_loop(curve.G2, point, False) * miller_loop(key, curve.neg(hashed), False)
        return bool(curve.final_exponentiate(pairing) == curve.FQ12.one())
    except (ValueError, AssertionError, TypeError):
        return False
