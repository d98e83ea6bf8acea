"""Real drand rounds (tests/vectors/beacon) against the verifier's Appendix A table and its
optional BLS check (§7.5): each round verifies, and a flipped bit or the next round does not."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from verifier.drand import CHAINS
from verifier.drand_bls import bls_round_valid

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "beacon" / "drand-rounds.json"
ROUNDS = json.loads(VECTORS.read_text(encoding="utf-8"))["rounds"]


def _name(case: dict[str, object]) -> str:
    return f"{case['scheme']}-{case['round']}"


def test_the_vectors_cover_both_live_chains() -> None:
    assert {case["chain"] for case in ROUNDS} == set(CHAINS)


@pytest.mark.parametrize("case", ROUNDS, ids=_name)
def test_a_real_round_verifies_and_its_randomness_is_the_hash_of_its_signature(
    case: dict[str, object],
) -> None:
    chain = CHAINS[str(case["chain"])]
    assert chain.scheme == case["scheme"]
    signature = bytes.fromhex(str(case["signature"]))
    previous = (
        None
        if case["previous_signature"] is None
        else bytes.fromhex(str(case["previous_signature"]))
    )
    assert hashlib.sha256(signature).hexdigest() == case["randomness"]
    number = int(str(case["round"]))
    assert bls_round_valid(chain, number, signature, previous)
    assert not bls_round_valid(chain, number + 1, signature, previous)
    flipped = signature[:-1] + bytes([signature[-1] ^ 1])
    assert not bls_round_valid(chain, number, flipped, previous)
