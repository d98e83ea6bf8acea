"""The known drand chains of protocol Appendix A, and the rules of §7.2 item 3 and §7.5.

The BLS signature of a round is checked only if the optional package py-ecc is installed
(`verifier.drand_bls`); the report says which (§7.5: a verifier MUST say whether it did).
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import NamedTuple

from verifier.errors import CheckFailed
from verifier.fields import Fields, fail


class Chain(NamedTuple):
    scheme: str
    period: int  # seconds
    genesis: int  # Unix seconds
    public_key: str


CHAINED = "pedersen-bls-chained"
HEX_EVEN = re.compile(r"(?:[0-9a-f]{2})+")  # lowercase hex of whole bytes
CHAINS = {  # Appendix A, by chain hash
    "8990e7a9aaed2ffed73dbd7092123d6f289930540d7651336225dc172e51b2ce": Chain(
        CHAINED, 30, 1595431050,
        "868f005eb8e6e4ca0a47c8a77ceaa5309a47978a7c71bc5cce96366b5d7a569937c529eeda66c7293784a9402801af31",
    ),
    "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971": Chain(
        "bls-unchained-g1-rfc9380", 3, 1692803367,
        "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a",
    ),
}  # fmt: skip


def drand_chain(beacon: Fields) -> Chain | None:
    """§7.2 item 3 for a beacon object whose source begins with `drand:`; None for another
    source. The chain is one of Appendix A, the round a decimal >= 1 and `at` its time."""
    source = beacon.string("source")
    if not source.startswith("drand:"):
        return None
    chain = CHAINS.get(source.removeprefix("drand:"))
    if chain is None:
        raise fail(f"{beacon.path}.source", "term_drand_chain", source)
    round_text = beacon.string("round")
    if not round_text.isascii() or not round_text.isdigit() or round_text[0] == "0":
        raise fail(f"{beacon.path}.round", "term_drand_round", round_text)
    beacon.choice("format", ["hex64"])
    seconds = chain.genesis + (int(round_text) - 1) * chain.period
    published = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if beacon.time("at") != published:
        raise fail(f"{beacon.path}.at", "term_drand_time", beacon.raw("at"), time=published)
    return chain


def check_drand_proof(chain: Chain, round_number: int, value: str, proof: Fields) -> str:
    """§7.5: `value` is SHA-256 of the round's signature, `previous_signature` is present
    exactly for a chained scheme; then the BLS signature if py-ecc is installed. Returns the
    message key saying whether the BLS signature was checked."""
    proof.exact_keys(("signature", "previous_signature"))
    signature = bytes.fromhex(proof.matching("signature", HEX_EVEN, "term_hex"))
    if hashlib.sha256(signature).hexdigest() != value:
        found = hashlib.sha256(signature).hexdigest()
        raise CheckFailed("drand_value", expected=found, found=value)
    previous = proof.raw("previous_signature")
    if (previous is not None) != (chain.scheme == CHAINED):
        raise fail(f"{proof.path}.previous_signature", "term_previous_signature", previous)
    if previous is not None:
        previous = bytes.fromhex(proof.matching("previous_signature", HEX_EVEN, "term_hex"))
    try:
        from verifier.drand_bls import bls_round_valid
    except ImportError:  # the optional package is not installed
        return "bls_not_checked"
    if not bls_round_valid(chain, round_number, signature, previous):
        raise CheckFailed("drand_bls_invalid", round=round_number)
    return "bls_checked"
