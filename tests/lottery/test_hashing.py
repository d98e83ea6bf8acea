"""Domain-separated hashing, protocol §3."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from lottery import tagged_hash
from lottery.hashing import USES

VECTORS = json.loads(
    (Path(__file__).parents[1] / "vectors" / "hashing" / "tagged.json").read_text("utf-8")
)

PROTOCOL_TABLE = {
    "applicant", "private-record", "manifest", "witness-commitment", "ceremony", "seed",
    "ticket", "school-ticket", "zone-order", "class-ticket", "results", "actions", "audit",
    "signature", "key-fingerprint", "rehearsal-seed", "receipt", "witness-reveal", "checkpoint",
    "beacon", "reveal-receipt", "index", "pin", "outcome", "results-head",
}  # fmt: skip


def test_use_table_is_exactly_the_protocol_table() -> None:
    assert set(USES) == PROTOCOL_TABLE


def test_tagged_hash_definition() -> None:
    expected = hashlib.sha256(b"sunshine-draw/2/seed\x00abc").digest()
    assert tagged_hash("seed", b"abc") == expected


@pytest.mark.parametrize("use", ["Seed", "seed ", "", "sunshine-draw/2/seed", "tickets"])
def test_unknown_uses_are_refused(use: str) -> None:
    with pytest.raises(ValueError, match="not in the table"):
        tagged_hash(use, b"")


def test_uses_give_different_hashes() -> None:
    assert len({tagged_hash(use, b"same data") for use in USES}) == len(USES)


@pytest.mark.parametrize("case", VECTORS, ids=[f"{c['use']}-{c['data']}" for c in VECTORS])
def test_hashing_vector(case: dict[str, str]) -> None:
    assert tagged_hash(case["use"], bytes.fromhex(case["data"])).hex() == case["hash"]
