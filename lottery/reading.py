"""Reading published documents back into the engine's types (§6.1, §7.5), strictly.

A bundle is data from outside: every key is checked to be present and nothing else, every type
exactly, before `validate_manifest` applies the rules of §6.3.
"""

from __future__ import annotations

from typing import Any

from lottery.ceremony import BeaconValue, Ceremony, form_seed
from lottery.errors import CeremonyError, InvalidRules, UnsupportedVersion
from lottery.hashing import PROTOCOL
from lottery.manifest import (
    ApplicantCommitment,
    Beacon,
    BeaconSource,
    Category,
    ClassPolicy,
    DrawRules,
    Manifest,
    ReservedSeats,
    School,
    SigningKeyInfo,
    Tier,
    Witness,
    validate_manifest,
)

__all__ = ["ceremony_from_document", "check_protocol", "manifest_from_document"]


def check_protocol(doc: Any, kind: str) -> None:
    """Every document names protocol `sunshine-draw/1` and its kind (§17 step 1)."""
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


def _source(doc: Any, where: str) -> BeaconSource:
    doc = _object(doc, {"source", "round", "format"}, where)
    return BeaconSource(
        source=_str(doc["source"], where), round=_str(doc["round"], where), format=doc["format"]
    )


def _beacon(doc: Any) -> Beacon | None:
    if doc is None:
        return None
    doc = _object(doc, {"source", "round", "format", "fallback"}, "beacon")
    primary = _source({k: doc[k] for k in ("source", "round", "format")}, "beacon")
    fallback = None if doc["fallback"] is None else _source(doc["fallback"], "beacon.fallback")
    return Beacon(primary=primary, fallback=fallback)


_MANIFEST_KEYS = {
    "protocol", "kind", "draw", "mode", "tie_breaking", "max_preferences", "group_policy",
    "schools", "categories", "applicants", "witnesses", "reveal_policy", "beacon", "signing_key",
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
        _object(w, {"id", "name", "commitment"}, "witnesses")
        for w in _list(doc["witnesses"], "witnesses")
    ]
    key = _object(doc["signing_key"], {"algorithm", "public_key", "fingerprint"}, "signing_key")
    manifest = Manifest(
        rules=rules,
        sealed_at=draw["sealed_at"],
        applicants=ApplicantCommitment(count=applicants["count"], root=applicants["root"]),
        witnesses=tuple(
            Witness(id=w["id"], name=_str(w["name"], "witness name"), commitment=w["commitment"])
            for w in witnesses
        ),
        min_reveals=_object(doc["reveal_policy"], {"min_reveals"}, "reveal_policy")["min_reveals"],
        beacon=_beacon(doc["beacon"]),
        signing_key=SigningKeyInfo(
            public_key=key["public_key"], fingerprint=key["fingerprint"], algorithm=key["algorithm"]
        ),
    )
    validate_manifest(manifest)
    return manifest


def _secret(value: Any, witness: str) -> bytes | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) != 64:
        raise CeremonyError(f"witness {witness}: secret {value!r} is not 64 hex digits")
    try:
        secret = bytes.fromhex(value)
    except ValueError:
        raise CeremonyError(f"witness {witness}: secret {value!r} is not hex") from None
    if secret.hex() != value:
        raise CeremonyError(f"witness {witness}: secret {value!r} is not lowercase hex")
    return secret


def ceremony_from_document(doc: Any, manifest: Manifest) -> Ceremony:
    """A published ceremony (§7.5), re-formed from its reveals and beacon: every reveal is
    checked against its commitment, and the seed must be the one recomputed (§17 steps 5-7)."""
    check_protocol(doc, "ceremony")
    if not isinstance(doc, dict) or set(doc) != {
        "protocol", "kind", "manifest", "reveals", "beacon", "seed",
    }:  # fmt: skip
        raise CeremonyError("ceremony: keys are not those of §7.5")
    reveals = doc["reveals"]
    witness_ids = [w.id for w in manifest.witnesses]
    if (
        not isinstance(reveals, list)
        or [r.get("witness") if isinstance(r, dict) else None for r in reveals] != witness_ids
    ):
        raise CeremonyError(f"ceremony.reveals: must list witnesses {witness_ids} in order")
    if any(set(r) != {"secret", "witness"} for r in reveals):
        raise CeremonyError("ceremony.reveals: each reveal has exactly 'secret' and 'witness'")
    secrets = {r["witness"]: _secret(r["secret"], r["witness"]) for r in reveals}
    beacon = doc["beacon"]
    value = None
    if beacon is not None:
        if not isinstance(beacon, dict) or set(beacon) != {"used", "value"}:
            raise CeremonyError("ceremony.beacon: keys must be 'used' and 'value' (§7.5)")
        value = BeaconValue(used=beacon["used"], value=beacon["value"])
    ceremony = form_seed(manifest, secrets, value)
    if doc["manifest"] != ceremony.manifest_digest.hex():
        raise CeremonyError(f"ceremony.manifest {doc['manifest']!r} is not the manifest's digest")
    if doc["seed"] != ceremony.seed.hex():
        raise CeremonyError(f"ceremony.seed {doc['seed']!r} is not the seed of §7.4")
    return ceremony
