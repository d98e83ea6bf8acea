"""The witness ceremony: commitments, signed reveals, checkpoint, beacon and seed (protocol §7).

Witnesses sign with their own keys (§7.1, §7.9), so the bureau, which holds the signing key,
can neither drop a reveal nor enter another beacon value without a missing co-signature
(§19). `form_ceremony` checks every rule of §7.3-§7.7 before a seed exists; the files the
witnesses and the bureau exchange (§7.9) are built and checked here too. Secrets and keys come
in as arguments: nothing here reads a clock or the machine's entropy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lottery.drand import check_beacon_value_format as _value_has_format
from lottery.drand import drand_chain
from lottery.encoding import canonical_json
from lottery.errors import CeremonyError, SignatureError
from lottery.hashing import PROTOCOL, tagged_hash
from lottery.identifiers import check_hex64, check_identifier, check_time
from lottery.manifest import AuditHead, BeaconSource, Manifest, Witness, manifest_digest
from lottery.signing import WITNESS_KINDS, public_key_bytes, sign_document, signed_message
from lottery.strict_ed25519 import ed25519_fault

__all__ = [
    "BeaconStatement",
    "Ceremony",
    "Checkpoint",
    "DrandProof",
    "beacon_statement_digest",
    "beacon_statement_document",
    "ceremony_digest",
    "ceremony_document",
    "check_beacon_value",
    "check_commitment_file",
    "check_cosignature_file",
    "check_reveal",
    "check_reveal_file",
    "check_witness_signature",
    "checkpoint_digest",
    "checkpoint_document",
    "commitment_file",
    "cosignature_file",
    "form_ceremony",
    "reveal_digest",
    "reveal_file",
    "reveal_receipt",
    "seed_of",
    "witness_commitment",
    "witness_sign",
]

Reveals = tuple[tuple[str, bytes | None], ...]


# --- commitments, reveals and witness signatures (§7.1, §7.3, §7.9) ----------------------


def witness_commitment(draw_id: str, witness_id: str, secret: bytes) -> str:
    """`hex(H("witness-commitment", JCS({"draw", "secret": hex(S), "witness"})))`, §7.1."""
    if len(secret) != 32:
        raise CeremonyError(f"witness {witness_id}: secret is {len(secret)} bytes, not 32 (§7.1)")
    document = {"draw": draw_id, "secret": secret.hex(), "witness": witness_id}
    return tagged_hash("witness-commitment", canonical_json(document)).hex()


def check_reveal(draw_id: str, witness: Witness, secret: bytes) -> None:
    """Raise `CeremonyError` unless `secret` matches the witness's commitment (§7.3)."""
    if witness_commitment(draw_id, witness.id, secret) != witness.commitment:
        raise CeremonyError(
            f"witness {witness.id}: revealed secret does not match commitment "
            f"{witness.commitment[:16]}... (§7.3)"
        )


def witness_sign(kind: str, digest: bytes, private_key: Ed25519PrivateKey) -> str:
    """A witness signature of `kind` over `digest` (§7.9), as hex128."""
    message = signed_message(kind, digest, kinds=WITNESS_KINDS)
    return private_key.sign(message).hex()


def check_witness_signature(
    public_key_hex: str, kind: str, digest: bytes, signature_hex: object, *, witness: str = ""
) -> None:
    """Raise `CeremonyError` unless `signature_hex` is a valid witness signature of `kind`
    over `digest` under the key (§7.9 with the §12.5 checks)."""
    try:
        message = signed_message(kind, digest, kinds=WITNESS_KINDS)
    except SignatureError as exc:
        raise CeremonyError(str(exc)) from None
    fault = ed25519_fault(public_key_hex, signature_hex, message)
    if fault is not None:
        who = f"witness {witness}: " if witness else ""
        raise CeremonyError(f"{who}{kind} signature: {fault} (§7.9)")


def reveal_digest(manifest_digest: bytes, witness_id: str, secret: bytes) -> bytes:
    """`D = H("witness-reveal", JCS({"manifest", "secret", "witness"}))`, §7.3."""
    statement = {"manifest": manifest_digest.hex(), "secret": secret.hex(), "witness": witness_id}
    return tagged_hash("witness-reveal", canonical_json(statement))


def _exact(doc: Any, keys: set[str], kind: str, where: str) -> dict[str, Any]:
    if not isinstance(doc, dict) or set(doc) != keys:
        found = sorted(doc) if isinstance(doc, dict) else type(doc).__name__
        raise CeremonyError(f"{where}: keys {found} are not those of §7.9 ({sorted(keys)})")
    if doc["protocol"] != PROTOCOL or doc["kind"] != kind:
        raise CeremonyError(
            f"{where}: protocol/kind {doc['protocol']!r}/{doc['kind']!r}, "
            f"expected {PROTOCOL}/{kind}"
        )
    return doc


def _secret_bytes(value: object, where: str) -> bytes:
    check_hex64(value, where, CeremonyError)
    assert isinstance(value, str)
    return bytes.fromhex(value)


def commitment_file(
    draw_id: str, witness_id: str, name: str, private_key: Ed25519PrivateKey, secret: bytes
) -> dict[str, Any]:
    """The witness commitment file of §7.9, made on the witness's machine."""
    commitment = witness_commitment(draw_id, witness_id, secret)
    return {
        "protocol": PROTOCOL,
        "kind": "witness-commitment",
        "draw": draw_id,
        "witness": witness_id,
        "name": name,
        "public_key": public_key_bytes(private_key).hex(),
        "commitment": commitment,
        "signature": witness_sign("commitment", bytes.fromhex(commitment), private_key),
    }


def check_commitment_file(doc: Any, draw_id: str) -> Witness:
    """A commitment file (§7.9) for draw `draw_id`, its signature checked: the manifest's
    witness entry it becomes. Raises `CeremonyError`."""
    keys = {"protocol", "kind", "draw", "witness", "name", "public_key", "commitment", "signature"}
    doc = _exact(doc, keys, "witness-commitment", "commitment file")
    witness = check_identifier(doc["witness"], "commitment file: witness", CeremonyError)
    if doc["draw"] != draw_id:
        raise CeremonyError(
            f"commitment file of {witness}: made for draw {doc['draw']!r}, not {draw_id!r}"
        )
    if not isinstance(doc["name"], str) or not doc["name"]:
        raise CeremonyError(f"commitment file of {witness}: name {doc['name']!r} is empty")
    check_hex64(doc["public_key"], f"commitment file of {witness}: public_key", CeremonyError)
    commitment = check_hex64(
        doc["commitment"], f"commitment file of {witness}: commitment", CeremonyError
    )
    check_witness_signature(
        doc["public_key"],
        "commitment",
        bytes.fromhex(commitment),
        doc["signature"],
        witness=witness,
    )
    return Witness(
        id=witness, name=doc["name"], commitment=commitment, public_key=doc["public_key"]
    )


def reveal_file(
    manifest_digest: bytes, witness_id: str, secret: bytes, private_key: Ed25519PrivateKey
) -> dict[str, Any]:
    """The witness reveal file of §7.9."""
    digest = reveal_digest(manifest_digest, witness_id, secret)
    return {
        "protocol": PROTOCOL,
        "kind": "witness-reveal",
        "manifest": manifest_digest.hex(),
        "witness": witness_id,
        "secret": secret.hex(),
        "signature": witness_sign("reveal", digest, private_key),
    }


def _witness(manifest: Manifest, witness_id: object, where: str) -> Witness:
    for witness in manifest.witnesses:
        if witness.id == witness_id:
            return witness
    raise CeremonyError(f"{where}: {witness_id!r} is not a witness of the manifest")


def _check_signed_reveal(
    manifest: Manifest, digest: bytes, witness: Witness, secret: bytes, signature: object
) -> None:
    """§7.3: the secret matches the commitment and the reveal signature verifies."""
    check_reveal(manifest.rules.draw_id, witness, secret)
    check_witness_signature(
        witness.public_key,
        "reveal",
        reveal_digest(digest, witness.id, secret),
        signature,
        witness=witness.id,
    )


def check_reveal_file(manifest: Manifest, doc: Any) -> tuple[str, bytes, str]:
    """A reveal file (§7.9) checked against the manifest: `(witness, secret, signature)`.
    Raises `CeremonyError` for another manifest, a wrong commitment or a bad signature."""
    doc = _exact(
        doc,
        {"protocol", "kind", "manifest", "witness", "secret", "signature"},
        "witness-reveal",
        "reveal file",
    )
    witness = _witness(manifest, doc["witness"], "reveal file")
    digest = manifest_digest(manifest)
    if doc["manifest"] != digest.hex():
        raise CeremonyError(
            f"reveal file of {witness.id}: made for manifest {str(doc['manifest'])[:16]}..., "
            f"not this draw's {digest.hex()[:16]}... (§7.3)"
        )
    secret = _secret_bytes(doc["secret"], f"reveal file of {witness.id}: secret")
    _check_signed_reveal(manifest, digest, witness, secret, doc["signature"])
    return witness.id, secret, doc["signature"]


def reveal_receipt(
    manifest_digest: bytes,
    witness_id: str,
    reveal_digest: bytes,
    received_at: str,
    audit: AuditHead,
    signing_key: Ed25519PrivateKey,
) -> dict[str, Any]:
    """The bureau's reveal receipt (§7.3) with its signature (kind `reveal-receipt`) inside
    as hex128 `signature` (§7.9)."""
    check_time(received_at, "reveal receipt: received_at", CeremonyError)
    receipt = {
        "protocol": PROTOCOL,
        "kind": "reveal-receipt",
        "manifest": manifest_digest.hex(),
        "witness": witness_id,
        "reveal": reveal_digest.hex(),
        "received_at": received_at,
        "audit": audit.document(),
    }
    digest = tagged_hash("reveal-receipt", canonical_json(receipt))
    return {
        **receipt,
        "signature": sign_document("reveal-receipt", digest, signing_key)["signature"],
    }


# --- checkpoint and beacon statement (§7.4, §7.5) -----------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """The reveals closed (§7.4): one `(witness, secret or None)` per manifest witness."""

    manifest_digest: bytes
    closed_at: str
    reveals: Reveals


def _reveals_document(reveals: Reveals) -> list[dict[str, Any]]:
    return [
        {"secret": None if secret is None else secret.hex(), "witness": witness}
        for witness, secret in reveals
    ]


def checkpoint_document(cp: Checkpoint) -> dict[str, Any]:
    """The checkpoint of §7.4 (also the checkpoint file of §7.9)."""
    return {
        "protocol": PROTOCOL,
        "kind": "checkpoint",
        "manifest": cp.manifest_digest.hex(),
        "closed_at": cp.closed_at,
        "reveals": _reveals_document(cp.reveals),
    }


def checkpoint_digest(cp: Checkpoint) -> bytes:
    """`H("checkpoint", JCS(checkpoint))`, §7.4."""
    return tagged_hash("checkpoint", canonical_json(checkpoint_document(cp)))


@dataclass(frozen=True)
class DrandProof:
    """A drand round's BLS signature (and the previous one, for a chained scheme), §7.5."""

    signature: str
    previous_signature: str | None

    def document(self) -> dict[str, Any]:
        return {"signature": self.signature, "previous_signature": self.previous_signature}


@dataclass(frozen=True)
class BeaconStatement:
    """The beacon value as entered and co-signed (§7.5)."""

    manifest_digest: bytes
    checkpoint_digest: bytes
    used: Literal["primary", "fallback"]
    value: str
    proof: DrandProof | None = None


def beacon_statement_document(statement: BeaconStatement) -> dict[str, Any]:
    """The beacon statement of §7.5 (also the beacon statement file of §7.9)."""
    return {
        "protocol": PROTOCOL,
        "kind": "beacon",
        "manifest": statement.manifest_digest.hex(),
        "checkpoint": statement.checkpoint_digest.hex(),
        "used": statement.used,
        "value": statement.value,
        "proof": None if statement.proof is None else statement.proof.document(),
    }


def beacon_statement_digest(statement: BeaconStatement) -> bytes:
    """`H("beacon", JCS(statement))`, §7.5."""
    return tagged_hash("beacon", canonical_json(beacon_statement_document(statement)))


def cosignature_file(
    of: Literal["checkpoint", "beacon"],
    digest: bytes,
    witness_id: str,
    private_key: Ed25519PrivateKey,
) -> dict[str, Any]:
    """A witness co-signature file (§7.9) of the checkpoint or the beacon statement."""
    return {
        "protocol": PROTOCOL,
        "kind": "witness-cosignature",
        "of": of,
        "digest": digest.hex(),
        "witness": witness_id,
        "signature": witness_sign(of, digest, private_key),
    }


def check_cosignature_file(
    manifest: Manifest, doc: Any, of: Literal["checkpoint", "beacon"], digest: bytes
) -> tuple[str, str]:
    """A co-signature file (§7.9) of `of` over `digest`, checked: `(witness, signature)`."""
    doc = _exact(
        doc,
        {"protocol", "kind", "of", "digest", "witness", "signature"},
        "witness-cosignature",
        "co-signature file",
    )
    witness = _witness(manifest, doc["witness"], "co-signature file")
    if doc["of"] != of:
        raise CeremonyError(f"co-signature file of {witness.id}: signs {doc['of']!r}, not {of!r}")
    if doc["digest"] != digest.hex():
        raise CeremonyError(
            f"co-signature file of {witness.id}: signs {of} {str(doc['digest'])[:16]}..., "
            f"not {digest.hex()[:16]}... (§7.9)"
        )
    check_witness_signature(witness.public_key, of, digest, doc["signature"], witness=witness.id)
    return witness.id, doc["signature"]


def check_beacon_value(source: BeaconSource, value: object) -> None:
    """Raise `CeremonyError` unless `value` has the format `source` registered (§7.2)."""
    if not _value_has_format(source.format, value):
        raise CeremonyError(
            f"beacon {source.source} round {source.round}: value {value!r} is not "
            f"in format {source.format} (§7.2, §7.5)"
        )


# --- the ceremony (§7.6, §7.7) ------------------------------------------------------------


@dataclass(frozen=True)
class Ceremony:
    """A formed seed and everything the ceremony document holds (§7.7).

    `reveals` has one `(witness id, secret or None)` per manifest witness in manifest order,
    `reveal_signatures` the matching `reveal` signatures; the co-signatures list every
    revealed witness in manifest order.
    """

    manifest_digest: bytes
    closed_at: str
    reveals: Reveals
    reveal_signatures: tuple[tuple[str, str | None], ...]
    checkpoint_signatures: tuple[tuple[str, str], ...]
    beacon: BeaconStatement
    beacon_signatures: tuple[tuple[str, str], ...]
    audit: AuditHead
    seed: bytes

    @cached_property
    def checkpoint(self) -> Checkpoint:
        """The checkpoint the witnesses co-signed (§7.4)."""
        return Checkpoint(self.manifest_digest, self.closed_at, self.reveals)


def seed_of(manifest_digest: bytes, reveals: Reveals, used: str, value: str) -> bytes:
    """`H("seed", JCS({"beacon": {"used", "value"}, "manifest", "reveals"}))`, §7.6."""
    seed_input = {
        "beacon": {"used": used, "value": value},
        "manifest": manifest_digest.hex(),
        "reveals": _reveals_document(reveals),
    }
    return tagged_hash("seed", canonical_json(seed_input))


def _ordered_reveals(
    manifest: Manifest, digest: bytes, reveals: Mapping[str, tuple[bytes, str]]
) -> tuple[Reveals, tuple[tuple[str, str | None], ...]]:
    """§7.3: every reveal from a manifest witness, matching its commitment, signed."""
    known = {w.id for w in manifest.witnesses}
    for witness_id in sorted(set(reveals) - known):
        raise CeremonyError(f"reveal from {witness_id!r}, who is not a witness of the manifest")
    secrets: list[tuple[str, bytes | None]] = []
    signatures: list[tuple[str, str | None]] = []
    for witness in manifest.witnesses:
        if witness.id not in reveals:
            secrets.append((witness.id, None))
            signatures.append((witness.id, None))
            continue
        secret, signature = reveals[witness.id]
        if not isinstance(secret, bytes) or len(secret) != 32:
            raise CeremonyError(f"witness {witness.id}: the secret is not 32 bytes (§7.1)")
        _check_signed_reveal(manifest, digest, witness, secret, signature)
        secrets.append((witness.id, secret))
        signatures.append((witness.id, signature))
    revealed = sum(secret is not None for _, secret in secrets)
    if revealed < manifest.min_reveals:
        raise CeremonyError(
            f"reveals: {revealed} of {len(secrets)} witnesses revealed, the policy requires "
            f"{manifest.min_reveals}; the draw is void (§7.3, §7.8)"
        )
    return tuple(secrets), tuple(signatures)


def _cosignatures(
    manifest: Manifest,
    revealed: list[Witness],
    signatures: Mapping[str, str],
    kind: Literal["checkpoint", "beacon"],
    digest: bytes,
) -> tuple[tuple[str, str], ...]:
    """§7.4, §7.5: exactly the revealed witnesses co-sign, each signature valid."""
    names = {w.id for w in revealed}
    for witness_id in sorted(signatures):
        if witness_id not in names:
            raise CeremonyError(
                f"{kind} co-signature from {witness_id!r}, who is not a revealed witness; "
                "only revealed witnesses co-sign (§7.7)"
            )
    out = []
    for witness in revealed:
        if witness.id not in signatures:
            raise CeremonyError(
                f"witness {witness.id} revealed but did not co-sign the {kind}; the draw is "
                "void (§7.4, §7.5, §7.8)"
            )
        check_witness_signature(
            witness.public_key, kind, digest, signatures[witness.id], witness=witness.id
        )
        out.append((witness.id, signatures[witness.id]))
    return tuple(out)


def _beacon_source(manifest: Manifest, used: object) -> BeaconSource:
    """§7.5: `used` names the primary, or a fallback the manifest declares."""
    if used == "primary":
        return manifest.beacon.primary
    if used == "fallback":
        if manifest.beacon.fallback is None:
            raise CeremonyError("beacon.used: fallback, but the manifest declares none (§7.5)")
        return manifest.beacon.fallback
    raise CeremonyError(f"beacon.used {used!r} is not 'primary' or 'fallback' (§7.5)")


def _lower_hex(value: object, where: str) -> bytes:
    if isinstance(value, str) and value and len(value) % 2 == 0:
        try:
            raw = bytes.fromhex(value)
        except ValueError:
            raw = b""
        if raw and raw.hex() == value:
            return raw
    raise CeremonyError(f"{where}: {value!r} is not lowercase hex (§1.2)")


def _check_proof(source: BeaconSource, statement: BeaconStatement) -> None:
    """§7.5: a proof only for drand; value = SHA-256(signature); previous_signature exactly
    for chained schemes. (The BLS signature itself is the verifier's to check, §17 step 6.)"""
    proof = statement.proof
    if proof is None:
        return
    chain = drand_chain(source.source)
    if chain is None:
        raise CeremonyError(
            f"beacon.proof: source {source.source!r} is not drand; its proof must be null (§7.5)"
        )
    signature = _lower_hex(proof.signature, "beacon.proof.signature")
    if hashlib.sha256(signature).hexdigest() != statement.value:
        raise CeremonyError(
            f"beacon.value {statement.value[:16]}... is not SHA-256 of the proof's signature "
            f"({hashlib.sha256(signature).hexdigest()[:16]}...) (§7.5, Appendix A)"
        )
    if chain.chained and proof.previous_signature is None:
        raise CeremonyError(
            f"beacon.proof.previous_signature: the chained scheme {chain.scheme} needs it (§7.5)"
        )
    if not chain.chained and proof.previous_signature is not None:
        raise CeremonyError(
            f"beacon.proof.previous_signature: the unchained scheme {chain.scheme} has none (§7.5)"
        )
    if proof.previous_signature is not None:
        _lower_hex(proof.previous_signature, "beacon.proof.previous_signature")


def form_ceremony(
    manifest: Manifest,
    *,
    reveals: Mapping[str, tuple[bytes, str]],
    closed_at: str,
    checkpoint_signatures: Mapping[str, str],
    beacon: BeaconStatement,
    beacon_signatures: Mapping[str, str],
    audit: AuditHead,
) -> Ceremony:
    """Check everything of §7.3-§7.7 and form the seed.

    `reveals` maps each revealing witness to its secret and `reveal` signature (a witness
    absent did not reveal); the co-signatures map witness id to hex128. Raises
    `CeremonyError` naming the witness or the field; nothing is formed unless all holds.
    """
    digest = manifest_digest(manifest)
    secrets, reveal_signatures = _ordered_reveals(manifest, digest, reveals)
    check_time(closed_at, "checkpoint.closed_at", CeremonyError)
    if not closed_at > manifest.sealed_at:
        raise CeremonyError(
            f"checkpoint.closed_at {closed_at} is not later than draw.sealed_at "
            f"{manifest.sealed_at} (§7.4)"
        )
    source = _beacon_source(manifest, beacon.used)
    if not closed_at < source.at:
        raise CeremonyError(
            f"checkpoint.closed_at {closed_at} is not earlier than the {beacon.used} beacon's "
            f"at {source.at}: the reveals must close before the value exists (§7.4)"
        )
    checkpoint = Checkpoint(digest, closed_at, secrets)
    cp_digest = checkpoint_digest(checkpoint)
    revealed = [w for w, (_, s) in zip(manifest.witnesses, secrets, strict=True) if s is not None]
    cp_signatures = _cosignatures(
        manifest, revealed, checkpoint_signatures, "checkpoint", cp_digest
    )
    if beacon.manifest_digest != digest:
        raise CeremonyError(
            f"beacon statement: made for manifest {beacon.manifest_digest.hex()[:16]}..., not "
            f"this draw's {digest.hex()[:16]}... (§7.5)"
        )
    if beacon.checkpoint_digest != cp_digest:
        raise CeremonyError(
            f"beacon statement: names checkpoint {beacon.checkpoint_digest.hex()[:16]}..., "
            f"not the checkpoint formed {cp_digest.hex()[:16]}... (§7.5)"
        )
    check_beacon_value(source, beacon.value)
    _check_proof(source, beacon)
    b_signatures = _cosignatures(
        manifest, revealed, beacon_signatures, "beacon", beacon_statement_digest(beacon)
    )
    if not isinstance(audit, AuditHead):
        raise CeremonyError("ceremony.audit: an audit head is required (§7.7)")
    return Ceremony(
        manifest_digest=digest,
        closed_at=closed_at,
        reveals=secrets,
        reveal_signatures=reveal_signatures,
        checkpoint_signatures=cp_signatures,
        beacon=beacon,
        beacon_signatures=b_signatures,
        audit=audit,
        seed=seed_of(digest, secrets, beacon.used, beacon.value),
    )


def _cosignatures_document(signatures: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    return [{"signature": signature, "witness": witness} for witness, signature in signatures]


def ceremony_document(c: Ceremony) -> dict[str, Any]:
    """The ceremony document of §7.7."""
    signatures = dict(c.reveal_signatures)
    beacon = c.beacon
    return {
        "protocol": PROTOCOL,
        "kind": "ceremony",
        "manifest": c.manifest_digest.hex(),
        "reveals": [
            {
                "secret": None if secret is None else secret.hex(),
                "signature": signatures[witness],
                "witness": witness,
            }
            for witness, secret in c.reveals
        ],
        "checkpoint": {
            "closed_at": c.closed_at,
            "signatures": _cosignatures_document(c.checkpoint_signatures),
        },
        "beacon": {
            "used": beacon.used,
            "value": beacon.value,
            "proof": None if beacon.proof is None else beacon.proof.document(),
            "signatures": _cosignatures_document(c.beacon_signatures),
        },
        "seed": c.seed.hex(),
        "audit": c.audit.document(),
    }


def ceremony_digest(c: Ceremony) -> bytes:
    """`H("ceremony", JCS(ceremony))`, §7.7."""
    return tagged_hash("ceremony", canonical_json(ceremony_document(c)))
