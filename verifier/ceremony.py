"""The ceremony, protocol §7: signed reveals, the co-signed checkpoint and beacon statement,
the drand proof, and the seed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from verifier.canonical import encode
from verifier.drand import check_drand_proof, drand_chain
from verifier.errors import CheckFailed
from verifier.fields import HEX64, Fields, fail
from verifier.hashing import PROTOCOL, domain_hash
from verifier.manifest import Manifest, Witness
from verifier.signatures import check_ed25519

DECIMAL = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")  # §7.2
CEREMONY_KEYS = ("protocol", "kind", "manifest", "reveals", "checkpoint", "beacon", "seed")


def witness_commitment(draw_id: str, witness_id: str, secret_hex: str) -> str:
    """`hex(H("witness-commitment", JCS({"draw", "secret", "witness"})))`, §7.1."""
    statement = {"draw": draw_id, "secret": secret_hex, "witness": witness_id}
    return domain_hash("witness-commitment", encode(statement)).hex()


def reveal_digest(manifest_hex: str, witness_id: str, secret_hex: str) -> bytes:
    """`D = H("witness-reveal", JCS({"manifest", "secret", "witness"}))`, §7.3."""
    statement = {"manifest": manifest_hex, "secret": secret_hex, "witness": witness_id}
    return domain_hash("witness-reveal", encode(statement))


@dataclass(frozen=True)
class Ceremony:
    """What check 6 proved: the checkpoint and statement digests, the seed's inputs (§7.6)."""

    reveals: list[dict[str, Any]]  # the checkpoint's reveals, without signatures
    checkpoint_digest: bytes
    beacon_digest: bytes
    beacon: dict[str, str]  # {"used", "value"}
    summary: str
    bls: str  # a message key: whether a drand round's BLS signature was checked


def check_ceremony(manifest: Manifest, document: object) -> Ceremony:
    """§17 step 6: every reveal, the reveal policy, the checkpoint, the beacon statement."""
    ceremony = Fields(document, "ceremony.json")
    ceremony.exact_keys((*CEREMONY_KEYS, "audit"))
    ceremony.hex64("seed"), ceremony.head("audit")  # the head is checked with the log (§15)
    digest = ceremony.choice("manifest", [manifest.digest.hex()])
    reveals = ceremony.array("reveals")
    if len(reveals) != len(manifest.witnesses):
        wanted = len(manifest.witnesses)
        raise fail("ceremony.json.reveals", "term_count", len(reveals), count=wanted)
    public, revealed = [], []
    for index, (item, witness) in enumerate(zip(reveals, manifest.witnesses, strict=True)):
        secret = _reveal(Fields(item, f"ceremony.json.reveals[{index}]"), manifest, witness)
        public.append({"secret": secret, "witness": witness.id})
        revealed += [] if secret is None else [witness]
    if len(revealed) < manifest.min_reveals:  # (7.4)
        raise CheckFailed("reveals_too_few", expected=manifest.min_reveals, found=len(revealed))
    beacon = ceremony.sub("beacon")
    beacon.exact_keys(("used", "value", "proof", "signatures"))
    used = beacon.choice("used", ["primary", "fallback"])
    declared = manifest.beacon if used == "primary" else manifest.beacon["fallback"]
    if declared is None:  # (7.5): a fallback only if the manifest declares one
        raise fail("ceremony.json.beacon.used", "term_one_of", used, options="primary")
    # (7.4): the checkpoint closes after sealing and before the value used is published.
    checkpoint = ceremony.sub("checkpoint")
    checkpoint.exact_keys(("closed_at", "signatures"))
    closed_at = checkpoint.time("closed_at")
    if not manifest.sealed_at < closed_at < declared["at"]:
        raise CheckFailed("checkpoint_time", sealed=manifest.sealed_at, at=declared["at"],
                          found=closed_at)  # fmt: skip
    form = {"protocol": PROTOCOL, "manifest": digest}  # (7.7): re-form checkpoint and statement
    checkpoint_form = form | {"kind": "checkpoint", "closed_at": closed_at, "reveals": public}
    checkpoint_digest = domain_hash("checkpoint", encode(checkpoint_form))
    _cosignatures(checkpoint, revealed, "checkpoint", checkpoint_digest)
    pattern = HEX64 if declared["format"] == "hex64" else DECIMAL
    value = beacon.matching("value", pattern, "term_beacon_" + declared["format"])
    bls = _proof(beacon, Fields(declared, f"manifest.beacon ({used})"), value)
    statement = {key: beacon.value[key] for key in ("used", "value", "proof")}
    statement |= form | {"kind": "beacon", "checkpoint": checkpoint_digest.hex()}
    beacon_digest = domain_hash("beacon", encode(statement))
    _cosignatures(beacon, revealed, "beacon", beacon_digest)
    summary = f"{used}: {declared['source']} {declared['round']} = {value}"
    return Ceremony(public, checkpoint_digest, beacon_digest, {"used": used, "value": value},
                    summary, bls)  # fmt: skip


def _reveal(reveal: Fields, manifest: Manifest, witness: Witness) -> str | None:
    """(7.3): a secret matching the commitment and signed by the witness, or null for both."""
    reveal.exact_keys(("secret", "signature", "witness"))
    reveal.choice("witness", [witness.id])
    if reveal.raw("secret") is None:
        if reveal.raw("signature") is not None:
            raise fail(f"{reveal.path}.signature", "term_null_with_secret", reveal.raw("signature"))
        return None
    secret = reveal.hex64("secret")
    found = witness_commitment(manifest.draw_id, witness.id, secret)
    if found != witness.commitment:
        expected = witness.commitment
        raise CheckFailed("reveal_mismatch", witness=witness.id, expected=expected, found=found)
    digest = reveal_digest(manifest.digest.hex(), witness.id, secret)
    check_ed25519(reveal.raw("signature"), kind="reveal", digest=digest,
                  public_key=witness.public_key, path=f"{reveal.path}.signature")  # fmt: skip
    return secret


def _cosignatures(part: Fields, revealed: list[Witness], kind: str, digest: bytes) -> None:
    """(7.7): one co-signature per revealed witness, in manifest order, no other (§7.4, §7.5)."""
    items = part.array("signatures")
    ids = [item.get("witness") if isinstance(item, dict) else None for item in items]
    if ids != [witness.id for witness in revealed]:
        expected = [witness.id for witness in revealed]
        raise CheckFailed("cosigners", kind=kind, expected=expected, found=ids)
    for index, (item, witness) in enumerate(zip(items, revealed, strict=True)):
        cosignature = Fields(item, f"{part.path}.signatures[{index}]")
        cosignature.exact_keys(("signature", "witness"))
        check_ed25519(cosignature.raw("signature"), kind=kind, digest=digest,
                      public_key=witness.public_key, path=cosignature.path)  # fmt: skip


def _proof(beacon: Fields, declared: Fields, value: str) -> str:
    """(7.5): a proof only for a drand source; says whether the BLS signature was checked."""
    chain = drand_chain(declared)
    if chain is None or beacon.raw("proof") is None:
        if beacon.raw("proof") is not None:
            raise fail("ceremony.json.beacon.proof", "term_null_not_drand", beacon.raw("proof"))
        return "bls_no_proof" if chain is not None else "bls_not_drand"
    round_number = int(declared.value["round"])
    return check_drand_proof(chain, round_number, value, beacon.sub("proof"))


def derive_seed(*, manifest_digest: bytes, reveals: object, beacon: object) -> bytes:
    """`H("seed", JCS({"beacon", "manifest", "reveals"}))`, §7.6."""
    inputs = {"beacon": beacon, "manifest": manifest_digest.hex(), "reveals": reveals}
    return domain_hash("seed", encode(inputs))
