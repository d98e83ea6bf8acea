"""The verifier runs every JSON vector family of tests/vectors by name, as the engine's tests do:
encoding (§2), hashing (§3), private digests (§4.3), applicant trees and proofs (§5), seeds
(§7), tickets (§8, §10.5, §11.2) and Ed25519 signatures (§12.4-§12.5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from merkle_path import inclusion_proof

from verifier.allocation import school_ticket, ticket, zone_order
from verifier.canonical import encode, parse, parse_canonical
from verifier.ceremony import derive_seed, witness_commitment
from verifier.classes import class_ticket
from verifier.errors import VerificationError
from verifier.hashing import domain_hash, hex16
from verifier.merkle import leaf_hash, tree_root, verify_inclusion
from verifier.parent import normalise_receipt, private_digest
from verifier.records import ENTRY_PREFIX
from verifier.signatures import check_signature, key_fingerprint

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def _load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


ENCODING = _load("encoding/cases.json")


@pytest.mark.parametrize("case", ENCODING, ids=[c["name"] for c in ENCODING])
def test_encoding(case: dict[str, Any]) -> None:
    if case["canonical"] is None:
        with pytest.raises(VerificationError):
            encode(parse(case["input"].encode()))
    else:
        assert encode(parse(case["input"].encode())).decode() == case["canonical"]


FILES = _load("encoding/files.json")


@pytest.mark.parametrize("case", FILES, ids=[c["name"] for c in FILES])
def test_canonical_file(case: dict[str, Any]) -> None:
    """§2.5: a file is accepted only if its bytes are exactly JCS of its value."""
    data = bytes.fromhex(case["file"])
    if case["canonical"]:
        assert encode(parse_canonical(data)) == data
    else:
        with pytest.raises(VerificationError):
            parse_canonical(data)


HASHING = _load("hashing/tagged.json")


@pytest.mark.parametrize("case", HASHING, ids=[f"{c['use']}-{len(c['data'])}" for c in HASHING])
def test_hashing(case: dict[str, str]) -> None:
    assert domain_hash(case["use"], bytes.fromhex(case["data"])).hex() == case["hash"]


RECEIPTS = _load("records/records.json")["receipts"]


@pytest.mark.parametrize("case", RECEIPTS, ids=[c["code"] for c in RECEIPTS])
def test_receipt_code_as_printed(case: dict[str, str]) -> None:
    """§4.3: the printed form (groups of four with hyphens, any case) reads back as the code."""
    assert normalise_receipt(case["printed"]) == case["code"]
    assert normalise_receipt(case["printed"].lower()) == case["code"]


PRIVATE = _load("records/records.json")["private"]


@pytest.mark.parametrize("case", PRIVATE, ids=[c["private"]["application"] for c in PRIVATE])
def test_private_digest(case: dict[str, Any]) -> None:
    assert private_digest(**case["private"]) == case["private_digest"]


TREES = _load("merkle/trees.json")


@pytest.mark.parametrize("tree", TREES, ids=[f"size-{t['size']}" for t in TREES])
def test_applicant_tree_and_every_proof(tree: dict[str, Any]) -> None:
    leaves = [leaf_hash(ENTRY_PREFIX + bytes.fromhex(r)) for r in tree["records"]]
    root = tree_root(leaves)
    assert root.hex() == tree["root"]
    for index, proof in enumerate(tree["proofs"]):
        assert [p.hex() for p in inclusion_proof(leaves, index)] == proof
        hashes = [bytes.fromhex(p) for p in proof]
        verify_inclusion(
            leaf=leaves[index], index=index, tree_size=len(leaves), proof=hashes, root=root
        )


LENGTHS = _load("merkle/lengths.json")


@pytest.mark.parametrize("case", LENGTHS, ids=[c["name"] for c in LENGTHS])
def test_proof_hash_lengths(case: dict[str, Any]) -> None:
    """§5.3: leaf hash, root and every proof element are 32 bytes, or the proof fails."""

    def run() -> None:
        verify_inclusion(
            leaf=bytes.fromhex(case["leaf_hash"]),
            index=case["leaf_index"],
            tree_size=case["tree_size"],
            proof=[bytes.fromhex(p) for p in case["proof"]],
            root=bytes.fromhex(case["root"]),
        )

    if case["valid"]:
        run()
    else:
        with pytest.raises(VerificationError):
            run()


SEEDS = _load("seed/seeds.json")


@pytest.mark.parametrize(
    "case", SEEDS["commitments"], ids=[c["witness"] for c in SEEDS["commitments"]]
)
def test_commitment(case: dict[str, str]) -> None:
    assert witness_commitment(case["draw"], case["witness"], case["secret"]) == case["commitment"]


@pytest.mark.parametrize("case", SEEDS["seeds"], ids=[c["name"] for c in SEEDS["seeds"]])
def test_seed(case: dict[str, Any]) -> None:
    given = case["seed_input"]
    seed = derive_seed(
        manifest_digest=bytes.fromhex(given["manifest"]),
        reveals=given["reveals"],
        beacon=given["beacon"],
    )
    assert seed.hex() == case["seed"]


TICKETS = _load("tickets/tickets.json")


@pytest.mark.parametrize("case", TICKETS, ids=[f"{c['unit']}@{c['school']}" for c in TICKETS])
def test_tickets(case: dict[str, str]) -> None:
    seed, key = bytes.fromhex(case["seed"]), case["unit"].encode()
    assert hex16(ticket(seed, key)) == case["ticket"]
    assert hex16(school_ticket(seed, key, case["school"])) == case["school_ticket"]
    assert hex16(zone_order(seed, key, case["school"])) == case["zone_order"]
    assert hex16(class_ticket(seed, case["school"], case["unit"])) == case["class_ticket"]


SIGNATURES = _load("signatures/ed25519.json")


@pytest.mark.parametrize("case", SIGNATURES, ids=[c["name"] for c in SIGNATURES])
def test_signature(case: dict[str, Any]) -> None:
    public = bytes.fromhex(case["public_key"])
    document = {
        "algorithm": "ed25519",
        "digest": case["digest"],
        "fingerprint": key_fingerprint(public),
        "kind": case["kind"],
        "public_key": case["public_key"],
        "signature": case["signature"],
    }

    def run() -> None:
        check_signature(
            document,
            file_name="x.sig.json",
            kind=case["kind"],
            digest=bytes.fromhex(case["digest"]),
            public_key=case["public_key"],
        )

    if case["valid"]:
        run()
    else:
        with pytest.raises(VerificationError):
            run()


PARENT_CASES = _load("parent/cases.json")


@pytest.mark.parametrize(
    "case", PARENT_CASES, ids=[f"{c['application']}:{c['why']}" for c in PARENT_CASES]
)
def test_a_familys_check(case: dict[str, str]) -> None:
    """§17.1 with §4.8: the code as typed matches its record, or "does not match" and no outcome."""
    from verifier import check_applicant

    report = check_applicant(
        VECTORS / case["bundle"], application=case["application"], receipt=case["receipt"],
        name=case.get("name"), id_number=case.get("id_number"),
    )  # fmt: skip
    assert report.receipt_matches == (case["expected"] == "matches")
    if report.receipt_matches:
        assert report.proven and report.lottery_number is not None
        assert report.private_check == ("match" if "name" in case else "not checked")
    else:
        assert report.status is None and report.schools == ()


SECOND_ROUNDS = _load("draws/multi/second-rounds.json")


@pytest.mark.parametrize("pair", SECOND_ROUNDS, ids=[p["second"] for p in SECOND_ROUNDS])
def test_second_round_pair(pair: dict[str, str]) -> None:
    """§17 step 14: the second bundle, verified with the first as the previous draw, passes
    with check 14 run (Appendix B.12)."""
    from verifier import verify_bundle

    report = verify_bundle(VECTORS / pair["second"], previous=VECTORS / pair["first"])
    assert report.passed, [c for c in report.checks if c.status not in ("PASS", "ABSENT")]
    assert report.checks[13].status == "PASS"
