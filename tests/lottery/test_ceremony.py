"""Witness keys, signed reveals, the co-signed checkpoint and beacon, the seed: protocol §7.

Each attack of §19 on the ceremony is refused by `form_ceremony` with a message naming the
witness or the field.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_draws import (
    CLOSED_AT,
    MAINNET,
    Ceremonial,
    Child,
    plain_school,
    rules_for,
    seal_test_draw,
    signing_test_key,
    witnesses_for,
)

from lottery import (
    AuditHead,
    Beacon,
    BeaconSource,
    BeaconStatement,
    CeremonyError,
    Checkpoint,
    DrandProof,
    beacon_statement_digest,
    ceremony_document,
    check_commitment_file,
    check_cosignature_file,
    check_reveal_file,
    check_witness_signature,
    checkpoint_digest,
    commitment_file,
    cosignature_file,
    drand_round_time,
    form_ceremony,
    manifest_digest,
    reveal_digest,
    reveal_file,
    reveal_receipt,
    seed_of,
    tagged_hash,
    witness_commitment,
    witness_sign,
)
from lottery.encoding import canonical_json
from lottery.reading import ceremony_from_document
from lottery.signing import sign_document, signing_key_info, verify_signature

SEALED = seal_test_draw(
    rules_for([plain_school(2)]),
    [Child("A1"), Child("A2")],
    label="ceremony",
    how=Ceremonial(min_reveals=2, fallback=True),
)
MANIFEST, DIGEST = SEALED.manifest, SEALED.manifest_digest
PEOPLE = {w.id: w for w in witnesses_for("ceremony", 3)}
HEAD = AuditHead(seq=9, hash="ab" * 32)
VALUE = "ab" * 32


def _parts(
    revealing: tuple[str, ...] = ("W1", "W2", "W3"),
    *,
    used: str = "primary",
    value: str = VALUE,
    closed_at: str = CLOSED_AT,
    proof: DrandProof | None = None,
    manifest_digest: bytes = DIGEST,
) -> dict[str, Any]:
    """form_ceremony's arguments as honest witnesses would sign them."""
    reveals = {}
    for w in revealing:
        person = PEOPLE[w]
        digest = reveal_digest(manifest_digest, w, person.secret)
        reveals[w] = (person.secret, witness_sign("reveal", digest, person.key))
    checkpoint = Checkpoint(
        manifest_digest,
        closed_at,
        tuple((w, PEOPLE[w].secret if w in reveals else None) for w in PEOPLE),
    )
    cp = checkpoint_digest(checkpoint)
    statement = BeaconStatement(manifest_digest, cp, used, value, proof)  # type: ignore[arg-type]
    b_digest = beacon_statement_digest(statement)
    return {
        "reveals": reveals,
        "closed_at": closed_at,
        "checkpoint_signatures": {
            w: witness_sign("checkpoint", cp, PEOPLE[w].key) for w in reveals
        },
        "beacon": statement,
        "beacon_signatures": {w: witness_sign("beacon", b_digest, PEOPLE[w].key) for w in reveals},
        "audit": HEAD,
    }


def test_honest_ceremony_forms_the_seed_of_section_7_6() -> None:
    ceremony = form_ceremony(MANIFEST, **_parts())
    reveals = tuple((w, p.secret) for w, p in PEOPLE.items())
    assert ceremony.seed == seed_of(DIGEST, reveals, "primary", VALUE)
    document = ceremony_document(ceremony)
    assert [r["witness"] for r in document["reveals"]] == ["W1", "W2", "W3"]
    assert [s["witness"] for s in document["checkpoint"]["signatures"]] == ["W1", "W2", "W3"]
    assert document["audit"] == {"seq": 9, "hash": "ab" * 32}


def test_commitment_binds_draw_witness_and_secret() -> None:
    secret = bytes(range(32))
    base = witness_commitment("D1", "W1", secret)
    assert base != witness_commitment("D2", "W1", secret)
    assert base != witness_commitment("D1", "W2", secret)
    assert base != witness_commitment("D1", "W1", bytes(32))
    with pytest.raises(CeremonyError, match="31 bytes"):
        witness_commitment("D1", "W1", bytes(31))


# --- §19, the bureau's attacks ------------------------------------------------------------


def test_dropped_reveal_breaks_the_co_signatures() -> None:
    # The bureau drops W2's reveal and re-forms the checkpoint: the co-signatures the witnesses
    # made on the real checkpoint do not verify on the new one.
    honest = _parts()
    dropped = _parts(("W1", "W3"))
    forged = {**dropped, "checkpoint_signatures": honest["checkpoint_signatures"]}
    forged["checkpoint_signatures"] = {
        w: s for w, s in honest["checkpoint_signatures"].items() if w != "W2"
    }
    with pytest.raises(CeremonyError, match=r"witness W1: checkpoint signature: .*does not verify"):
        form_ceremony(MANIFEST, **forged)


def test_missing_co_signature_voids_the_draw() -> None:
    parts = _parts()
    del parts["checkpoint_signatures"]["W3"]
    with pytest.raises(
        CeremonyError, match="witness W3 revealed but did not co-sign the checkpoint"
    ):
        form_ceremony(MANIFEST, **parts)
    parts = _parts()
    del parts["beacon_signatures"]["W2"]
    with pytest.raises(CeremonyError, match="witness W2 revealed but did not co-sign the beacon"):
        form_ceremony(MANIFEST, **parts)


def test_co_signature_from_a_witness_who_did_not_reveal() -> None:
    parts = _parts(("W1", "W2"))
    parts["checkpoint_signatures"]["W3"] = parts["checkpoint_signatures"]["W1"]
    with pytest.raises(CeremonyError, match="co-signature from 'W3', who is not a revealed"):
        form_ceremony(MANIFEST, **parts)


def test_another_beacon_value_breaks_the_beacon_co_signatures() -> None:
    parts = _parts()
    parts["beacon"] = dataclasses.replace(parts["beacon"], value="cd" * 32)
    with pytest.raises(CeremonyError, match=r"witness W1: beacon signature: .*does not verify"):
        form_ceremony(MANIFEST, **parts)


def test_switch_to_the_fallback_breaks_the_co_signatures() -> None:
    parts = _parts()
    parts["beacon"] = dataclasses.replace(parts["beacon"], used="fallback", value="3012.45")
    with pytest.raises(CeremonyError, match="witness W1: beacon signature"):
        form_ceremony(MANIFEST, **parts)
    # A fallback the manifest does not declare is refused whoever signs it.
    no_fallback = dataclasses.replace(
        MANIFEST, beacon=dataclasses.replace(MANIFEST.beacon, fallback=None)
    )
    undeclared = _parts(
        used="fallback", value="3012.45", manifest_digest=manifest_digest(no_fallback)
    )
    with pytest.raises(CeremonyError, match="fallback, but the manifest declares none"):
        form_ceremony(no_fallback, **undeclared)
    form_ceremony(MANIFEST, **_parts(used="fallback", value="3012.45"))  # declared: accepted


def test_wrong_reveal_signature_and_wrong_secret() -> None:
    parts = _parts()
    other = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    secret = PEOPLE["W2"].secret
    parts["reveals"]["W2"] = (
        secret,
        witness_sign("reveal", reveal_digest(DIGEST, "W2", secret), other),
    )
    with pytest.raises(CeremonyError, match=r"witness W2: reveal signature: .*does not verify"):
        form_ceremony(MANIFEST, **parts)
    parts = _parts()
    parts["reveals"]["W2"] = (bytes(32), parts["reveals"]["W2"][1])
    with pytest.raises(CeremonyError, match="witness W2: revealed secret does not match"):
        form_ceremony(MANIFEST, **parts)


def test_reveal_signature_for_another_manifest() -> None:
    parts = _parts()
    person = PEOPLE["W1"]
    digest = reveal_digest(b"\x01" * 32, "W1", person.secret)
    parts["reveals"]["W1"] = (person.secret, witness_sign("reveal", digest, person.key))
    with pytest.raises(CeremonyError, match="witness W1: reveal signature"):
        form_ceremony(MANIFEST, **parts)


def test_too_few_reveals_and_strangers() -> None:
    with pytest.raises(CeremonyError, match="1 of 3 witnesses revealed, the policy requires 2"):
        form_ceremony(MANIFEST, **_parts(("W1",)))
    parts = _parts()
    parts["reveals"]["W9"] = parts["reveals"]["W1"]
    with pytest.raises(CeremonyError, match="'W9', who is not a witness"):
        form_ceremony(MANIFEST, **parts)


@pytest.mark.parametrize(
    ("closed_at", "message"),
    [
        ("2026-07-01T01:59:59Z", "closed_at 2026-07-01T01:59:59Z is not later than draw.sealed_at"),
        ("2026-07-01T03:00:00Z", "is not earlier than the primary beacon's at"),
        ("2026-07-01 02:30", "closed_at"),
    ],
)
def test_checkpoint_times(closed_at: str, message: str) -> None:
    with pytest.raises(CeremonyError, match=message):
        form_ceremony(MANIFEST, **_parts(closed_at=closed_at))


@pytest.mark.parametrize(
    ("used", "value", "message"),
    [
        ("primary", "AB" * 32, "not in format hex64"),
        ("primary", "ab" * 31, "not in format hex64"),
        ("fallback", "3012.4x", "not in format decimal"),
        ("fallback", "03012.4", "not in format decimal"),
        ("sideways", "1", "'sideways'"),
    ],
)
def test_beacon_value_formats(used: str, value: str, message: str) -> None:
    with pytest.raises(CeremonyError, match=message):
        form_ceremony(MANIFEST, **_parts(used=used, value=value))


def test_beacon_statement_must_name_the_checkpoint_formed() -> None:
    parts = _parts()
    parts["beacon"] = dataclasses.replace(parts["beacon"], checkpoint_digest=bytes(32))
    with pytest.raises(CeremonyError, match="not the checkpoint formed"):
        form_ceremony(MANIFEST, **parts)


# --- drand proofs (§7.5, Appendix A) ------------------------------------------------------


def _chained_manifest() -> Any:
    round_ = 6_248_126
    source = BeaconSource(
        f"drand:{MAINNET}", str(round_), "hex64", drand_round_time(MAINNET, round_)
    )
    return dataclasses.replace(MANIFEST, beacon=Beacon(source))


def test_drand_proof_rules() -> None:
    signature = "11" * 96
    value = hashlib.sha256(bytes.fromhex(signature)).hexdigest()
    quicknet = _parts(value=value, proof=DrandProof(signature, None))
    form_ceremony(MANIFEST, **quicknet)
    with pytest.raises(CeremonyError, match="not SHA-256 of the proof's signature"):
        form_ceremony(MANIFEST, **_parts(proof=DrandProof(signature, None)))
    with pytest.raises(CeremonyError, match=r"unchained scheme .* has none"):
        form_ceremony(MANIFEST, **_parts(value=value, proof=DrandProof(signature, "22" * 96)))
    with pytest.raises(CeremonyError, match="is not drand; its proof must be null"):
        form_ceremony(
            MANIFEST, **_parts(used="fallback", value="1.5", proof=DrandProof(signature, None))
        )
    chained = _chained_manifest()
    digest = manifest_digest(chained)
    unchained_proof = _parts(value=value, proof=DrandProof(signature, None), manifest_digest=digest)
    with pytest.raises(CeremonyError, match="chained scheme pedersen-bls-chained needs it"):
        form_ceremony(chained, **unchained_proof)
    chained_proof = DrandProof(signature, "22" * 96)
    form_ceremony(chained, **_parts(value=value, proof=chained_proof, manifest_digest=digest))


# --- the files of §7.9 --------------------------------------------------------------------


def test_commitment_file_round_trip_and_tampering() -> None:
    person = PEOPLE["W1"]
    document = commitment_file("TEST-2026", "W1", "Notary", person.key, person.secret)
    witness = check_commitment_file(document, "TEST-2026")
    assert witness.commitment == witness_commitment("TEST-2026", "W1", person.secret)
    with pytest.raises(CeremonyError, match="made for draw 'TEST-2026', not 'OTHER'"):
        check_commitment_file(document, "OTHER")
    forged = {**document, "commitment": "00" * 32}
    with pytest.raises(CeremonyError, match="witness W1: commitment signature"):
        check_commitment_file(forged, "TEST-2026")


def test_reveal_file_checks() -> None:
    person = PEOPLE["W2"]
    document = reveal_file(DIGEST, "W2", person.secret, person.key)
    witness, secret, signature = check_reveal_file(MANIFEST, document)
    assert (witness, secret) == ("W2", person.secret)
    check_witness_signature(
        MANIFEST.witnesses[1].public_key,
        "reveal",
        reveal_digest(DIGEST, "W2", secret),
        signature,
    )
    with pytest.raises(CeremonyError, match="made for manifest"):
        check_reveal_file(MANIFEST, reveal_file(bytes(32), "W2", person.secret, person.key))
    with pytest.raises(CeremonyError, match="revealed secret does not match"):
        check_reveal_file(MANIFEST, reveal_file(DIGEST, "W2", bytes(32), person.key))
    wrong_key = reveal_file(DIGEST, "W2", person.secret, PEOPLE["W1"].key)
    with pytest.raises(CeremonyError, match="witness W2: reveal signature"):
        check_reveal_file(MANIFEST, wrong_key)


def test_reveal_receipt_is_signed_by_the_bureau() -> None:
    digest = reveal_digest(DIGEST, "W1", PEOPLE["W1"].secret)
    receipt = reveal_receipt(DIGEST, "W1", digest, "2026-07-01T02:10:00Z", HEAD, signing_test_key())
    assert receipt["kind"] == "reveal-receipt" and receipt["audit"] == HEAD.document()
    body = {k: v for k, v in receipt.items() if k != "signature"}
    signed = tagged_hash("reveal-receipt", canonical_json(body))
    file = {**sign_document("reveal-receipt", signed, signing_test_key())}
    assert file["signature"] == receipt["signature"]  # Ed25519 is deterministic
    key = signing_key_info(signing_test_key())
    verify_signature(file, kind="reveal-receipt", digest=signed, signing_key=key)


def test_cosignature_files() -> None:
    parts = _parts()
    cp = parts["beacon"].checkpoint_digest
    document = cosignature_file("checkpoint", cp, "W3", PEOPLE["W3"].key)
    assert check_cosignature_file(MANIFEST, document, "checkpoint", cp) == (
        "W3",
        parts["checkpoint_signatures"]["W3"],
    )
    with pytest.raises(CeremonyError, match="signs 'checkpoint', not 'beacon'"):
        check_cosignature_file(MANIFEST, document, "beacon", cp)
    with pytest.raises(CeremonyError, match="signs checkpoint"):
        check_cosignature_file(MANIFEST, document, "checkpoint", bytes(32))
    impostor = cosignature_file("checkpoint", cp, "W3", PEOPLE["W1"].key)
    with pytest.raises(CeremonyError, match="witness W3: checkpoint signature"):
        check_cosignature_file(MANIFEST, impostor, "checkpoint", cp)


# --- the ceremony document (§7.7) ---------------------------------------------------------


def test_ceremony_document_round_trips() -> None:
    ceremony = form_ceremony(MANIFEST, **_parts(("W1", "W3")))
    document = ceremony_document(ceremony)
    assert document["reveals"][1] == {"secret": None, "signature": None, "witness": "W2"}
    assert ceremony_from_document(document, MANIFEST) == ceremony
    with pytest.raises(CeremonyError, match=r"ceremony\.seed"):
        ceremony_from_document({**document, "seed": "0" * 64}, MANIFEST)
    swapped = {
        **document,
        "checkpoint": {
            **document["checkpoint"],
            "signatures": document["checkpoint"]["signatures"][::-1],
        },
    }
    with pytest.raises(CeremonyError, match="manifest order"):
        ceremony_from_document(swapped, MANIFEST)
    half = {
        **document,
        "reveals": [{**document["reveals"][0], "signature": None}, *document["reveals"][1:]],
    }
    with pytest.raises(CeremonyError, match="signature is null exactly when the secret is"):
        ceremony_from_document(half, MANIFEST)


@settings(max_examples=40, deadline=None)
@given(
    witness=st.sampled_from(["W1", "W2", "W3"]),
    beacon_flip=st.integers(0, 63),
)
def test_any_changed_input_changes_the_seed(witness: str, beacon_flip: int) -> None:
    reveals = tuple((w, p.secret) for w, p in PEOPLE.items())
    base = seed_of(DIGEST, reveals, "primary", VALUE)
    withheld = tuple((w, None if w == witness else s) for w, s in reveals)
    assert seed_of(DIGEST, withheld, "primary", VALUE) != base
    value = list(VALUE)
    value[beacon_flip] = "0" if value[beacon_flip] != "0" else "1"
    assert seed_of(DIGEST, reveals, "primary", "".join(value)) != base
    assert seed_of(DIGEST, reveals, "fallback", VALUE) != base
