"""Reading published documents back into the engine's types (§6.1, §7.7), strictly.

A bundle is data from outside: every key is checked to be present and nothing else, every type
exactly, before `validate_manifest` applies the rules of §6.3.
"""

from __future__ import annotations

from typing import Any

from lottery.ceremony import (
    BeaconStatement,
    Ceremony,
    Checkpoint,
    DrandProof,
    ceremony_document,
    checkpoint_digest,
    form_ceremony,
)
from lottery.errors import CeremonyError, InvalidRules, UnsupportedVersion
from lottery.hashing import PROTOCOL
from lottery.identifiers import check_hex64, check_time
from lottery.manifest import (
    ApplicantCommitment,
    AuditHead,
    Beacon,
    BeaconSource,
    Category,
    ClassPolicy,
    DrawRules,
    Manifest,
    Replaces,
    ReservedSeats,
    School,
    SigningKeyInfo,
    Tier,
    Witness,
    manifest_digest,
    validate_manifest,
)

__all__ = ["ceremony_from_document", "check_protocol", "manifest_from_document"]


def check_protocol(doc: Any, kind: str) -> None:
    """Every document names protocol `sunshine-draw/2` and its kind (§17 step 1)."""
    if not isinstance(doc, dict):
        raise InvalidRules(f"{kind}: not a JSON object")
    if doc.get("protocol") != PROTOCOL:
        raise UnsupportedVersion(
            f"{kind}: protocol {doc.get('protocol')!r} is not supported; this engine implements "
            f"{PROTOCOL!r}"
        )
    if doc.get("kind") != kind:
        raise InvalidRules(f"{kind}: kind is {doc.get('kind')!r}, expected {kind!r}")


def _object(value: Any, keys: set[str], where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidRules(f"{where}: {value!r} is not an object")
    if set(value) != keys:
        missing, extra = sorted(keys - set(value)), sorted(set(value) - keys)
        raise InvalidRules(f"{where}: keys missing {missing}, unexpected {extra}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidRules(f"{where}: {value!r} is not an array")
    return value


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidRules(f"{where}: {value!r} is not a string")
    return value


def _school(doc: Any, n: int) -> School:
    where = f"schools[{n}]"
    doc = _object(doc, {"id", "name", "seats", "tiers", "reserved", "level", "classes"}, where)
    tiers = tuple(
        Tier(id=_str(t["id"], f"{where}.tiers"), label=_str(t["label"], f"{where}.tiers"))
        for t in (_object(t, {"id", "label"}, f"{where}.tiers") for t in _list(doc["tiers"], where))
    )
    reserved = tuple(
        ReservedSeats(category=_str(r["category"], f"{where}.reserved"), seats=r["seats"])
        for r in (
            _object(r, {"category", "seats"}, f"{where}.reserved")
            for r in _list(doc["reserved"], where)
        )
    )
    classes = doc["classes"]
    if classes is not None:
        classes = _object(classes, {"count", "max_size", "twins"}, f"{where}.classes")
        classes = ClassPolicy(
            count=classes["count"], max_size=classes["max_size"], twins=classes["twins"]
        )
    return School(
        id=_str(doc["id"], f"{where}.id"),
        name=_str(doc["name"], f"{where}.name"),
        seats=doc["seats"],
        tiers=tiers,
        reserved=reserved,
        level=doc["level"],
        classes=classes,
    )


_SOURCE_KEYS = ("source", "round", "format", "at")


def _source(doc: Any, where: str) -> BeaconSource:
    doc = _object(doc, set(_SOURCE_KEYS), where)
    return BeaconSource(
        source=_str(doc["source"], where),
        round=_str(doc["round"], where),
        format=doc["format"],
        at=_str(doc["at"], f"{where}.at"),
    )


def _beacon(doc: Any) -> Beacon:
    if doc is None:
        raise InvalidRules("beacon: version 2 requires a beacon; it is null (§6.1)")
    doc = _object(doc, {*_SOURCE_KEYS, "fallback"}, "beacon")
    primary = _source({k: doc[k] for k in _SOURCE_KEYS}, "beacon")
    fallback = None if doc["fallback"] is None else _source(doc["fallback"], "beacon.fallback")
    return Beacon(primary=primary, fallback=fallback)


def _audit(doc: Any, where: str) -> AuditHead | None:
    if doc is None:
        return None
    doc = _object(doc, {"seq", "hash"}, where)
    return AuditHead(seq=doc["seq"], hash=_str(doc["hash"], f"{where}.hash"))


def _replaces(doc: Any) -> Replaces | None:
    if doc is None:
        return None
    doc = _object(doc, {"manifest", "reason"}, "replaces")
    return Replaces(manifest=_str(doc["manifest"], "replaces.manifest"), reason=doc["reason"])


_MANIFEST_KEYS = {
    "protocol", "kind", "draw", "mode", "tie_breaking", "max_preferences", "group_policy",
    "schools", "categories", "applicants", "witnesses", "reveal_policy", "beacon", "signing_key",
    "audit", "replaces",
}  # fmt: skip


def manifest_from_document(doc: Any) -> Manifest:
    """A published manifest (§6.1), checked in full (§6.3 without the records)."""
    check_protocol(doc, "manifest")
    doc = _object(doc, _MANIFEST_KEYS, "manifest")
    draw = _object(doc["draw"], {"id", "title", "authority", "sealed_at"}, "draw")
    categories = [_object(c, {"id", "label"}, "categories") for c in _list(doc["categories"], "")]
    rules = DrawRules(
        draw_id=draw["id"],
        title=_str(draw["title"], "draw.title"),
        authority=_str(draw["authority"], "draw.authority"),
        mode=_str(doc["mode"], "mode"),  # type: ignore[arg-type]  # checked by validate_rules
        schools=tuple(_school(s, n) for n, s in enumerate(_list(doc["schools"], "schools"))),
        categories=tuple(Category(id=c["id"], label=_str(c["label"], "label")) for c in categories),
        tie_breaking=doc["tie_breaking"],
        max_preferences=doc["max_preferences"],
        group_policy=doc["group_policy"],
    )
    applicants = _object(doc["applicants"], {"count", "root"}, "applicants")
    witnesses = [
        _object(w, {"id", "name", "commitment", "public_key"}, "witnesses")
        for w in _list(doc["witnesses"], "witnesses")
    ]
    key = _object(doc["signing_key"], {"algorithm", "public_key", "fingerprint"}, "signing_key")
    manifest = Manifest(
        rules=rules,
        sealed_at=draw["sealed_at"],
        applicants=ApplicantCommitment(count=applicants["count"], root=applicants["root"]),
        witnesses=tuple(
            Witness(
                id=w["id"],
                name=_str(w["name"], "witness name"),
                commitment=w["commitment"],
                public_key=_str(w["public_key"], "witness public_key"),
            )
            for w in witnesses
        ),
        min_reveals=_object(doc["reveal_policy"], {"min_reveals"}, "reveal_policy")["min_reveals"],
        beacon=_beacon(doc["beacon"]),
        signing_key=SigningKeyInfo(
            public_key=key["public_key"], fingerprint=key["fingerprint"], algorithm=key["algorithm"]
        ),
        audit=_audit(doc["audit"], "audit"),
        replaces=_replaces(doc["replaces"]),
    )
    validate_manifest(manifest)
    return manifest


def _secret(value: Any, witness: str) -> bytes | None:
    if value is None:
        return None
    check_hex64(value, f"ceremony: witness {witness}: secret", CeremonyError)
    return bytes.fromhex(value)


def _cosignatures(doc: Any, where: str) -> dict[str, str]:
    if not isinstance(doc, list):
        raise CeremonyError(f"{where}: {doc!r} is not an array (§7.7)")
    out: dict[str, str] = {}
    for item in doc:
        if not isinstance(item, dict) or set(item) != {"signature", "witness"}:
            raise CeremonyError(f"{where}: each co-signature is {{signature, witness}} (§7.7)")
        if not isinstance(item["witness"], str) or item["witness"] in out:
            raise CeremonyError(f"{where}: witness {item['witness']!r} is repeated or not a string")
        out[item["witness"]] = item["signature"]
    return out


def _proof(doc: Any) -> DrandProof | None:
    if doc is None:
        return None
    doc = _object(doc, {"signature", "previous_signature"}, "ceremony.beacon.proof")
    return DrandProof(signature=doc["signature"], previous_signature=doc["previous_signature"])


_CEREMONY_KEYS = {
    "protocol",
    "kind",
    "manifest",
    "reveals",
    "checkpoint",
    "beacon",
    "seed",
    "audit",
}


def ceremony_from_document(doc: Any, manifest: Manifest) -> Ceremony:
    """A published ceremony (§7.7), re-formed by `form_ceremony`: every reveal against its
    commitment and signature, the checkpoint and beacon co-signatures, the beacon's source,
    format and proof; the seed must be the one recomputed and the document exactly the one
    re-formed (§17 steps 6-7). Raises `CeremonyError`."""
    check_protocol(doc, "ceremony")
    if set(doc) != _CEREMONY_KEYS:
        raise CeremonyError(f"ceremony: keys {sorted(doc)} are not those of §7.7")
    digest = manifest_digest(manifest)
    if doc["manifest"] != digest.hex():
        raise CeremonyError(f"ceremony.manifest {doc['manifest']!r} is not the manifest's digest")
    reveals = doc["reveals"]
    witness_ids = [w.id for w in manifest.witnesses]
    if (
        not isinstance(reveals, list)
        or [r.get("witness") if isinstance(r, dict) else None for r in reveals] != witness_ids
    ):
        raise CeremonyError(f"ceremony.reveals: must list witnesses {witness_ids} in order")
    if any(set(r) != {"secret", "signature", "witness"} for r in reveals):
        raise CeremonyError("ceremony.reveals: each reveal has 'secret', 'signature', 'witness'")
    revealed: dict[str, tuple[bytes, str]] = {}
    for r in reveals:
        secret = _secret(r["secret"], r["witness"])
        if (secret is None) != (r["signature"] is None):
            raise CeremonyError(
                f"ceremony.reveals: witness {r['witness']}: signature is null exactly when the "
                "secret is (§7.7)"
            )
        if secret is not None:
            revealed[r["witness"]] = (secret, r["signature"])
    checkpoint = _object(doc["checkpoint"], {"closed_at", "signatures"}, "ceremony.checkpoint")
    beacon = _object(doc["beacon"], {"used", "value", "proof", "signatures"}, "ceremony.beacon")
    closed_at = checkpoint["closed_at"]
    check_time(closed_at, "ceremony.checkpoint.closed_at", CeremonyError)
    secrets = tuple((w, revealed[w][0] if w in revealed else None) for w in witness_ids)
    cp_digest = checkpoint_digest(Checkpoint(digest, closed_at, secrets))
    if not isinstance(beacon["value"], str):
        raise CeremonyError(f"ceremony.beacon.value {beacon['value']!r} is not a string (§7.5)")
    statement = BeaconStatement(
        manifest_digest=digest,
        checkpoint_digest=cp_digest,
        used=beacon["used"],
        value=beacon["value"],
        proof=_proof(beacon["proof"]),
    )
    ceremony = form_ceremony(
        manifest,
        reveals=revealed,
        closed_at=closed_at,
        checkpoint_signatures=_cosignatures(checkpoint["signatures"], "ceremony.checkpoint"),
        beacon=statement,
        beacon_signatures=_cosignatures(beacon["signatures"], "ceremony.beacon"),
        audit=_ceremony_audit(doc["audit"]),
    )
    if doc["seed"] != ceremony.seed.hex():
        raise CeremonyError(f"ceremony.seed {doc['seed']!r} is not the seed of §7.6")
    if ceremony_document(ceremony) != doc:
        raise CeremonyError(
            "ceremony: not in the form of §7.7 (co-signatures in manifest order, one per "
            "revealed witness)"
        )
    return ceremony


def _ceremony_audit(doc: Any) -> AuditHead:
    head = _audit(doc, "ceremony.audit")
    if head is None or type(head.seq) is not int or head.seq < 1:
        raise CeremonyError(f"ceremony.audit {doc!r} is not an audit head (§7.7)")
    check_hex64(head.hash, "ceremony.audit.hash", CeremonyError)
    return head
