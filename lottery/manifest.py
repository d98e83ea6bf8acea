"""The draw manifest: the rules, the applicant commitment, witnesses, beacon, key (protocol §6).

`DrawRules` is what the operator configures; `Manifest` is what sealing fixes and publishes.
`validate_manifest` applies every check of §6.3 (and, given the records, those of §4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal

from lottery.allocation.problem import Mode
from lottery.drand import check_beacon_registration
from lottery.encoding import canonical_json
from lottery.errors import InvalidRules
from lottery.hashing import PROTOCOL, tagged_hash
from lottery.identifiers import check_hex64, check_identifier, check_time
from lottery.strict_ed25519 import strict_point_fault

__all__ = [
    "CLASS_SIZE_CAPS",
    "MODES",
    "ApplicantCommitment",
    "AuditHead",
    "Beacon",
    "BeaconSource",
    "Category",
    "ClassPolicy",
    "DrawRules",
    "Manifest",
    "Replaces",
    "ReservedSeats",
    "School",
    "SigningKeyInfo",
    "Tier",
    "Witness",
    "manifest_digest",
    "manifest_document",
    "validate_manifest",
    "validate_rules",
]

MODES = ("single_school_lottery", "deferred_acceptance", "immediate_acceptance", "zone_assignment")
CLASS_SIZE_CAPS = {"primary": 45, "junior": 50}  # §6.3, from the policy documents


@dataclass(frozen=True)
class Tier:
    """A priority tier of a school (§6.2); first is best."""

    id: str
    label: str


@dataclass(frozen=True)
class ReservedSeats:
    """Seats reserved for a category at a school (§6.2, §9.1 step 2)."""

    category: str
    seats: int


@dataclass(frozen=True)
class ClassPolicy:
    """Balanced classes of a school (§6.2, §11)."""

    count: int | None
    max_size: int
    twins: Literal["apart", "together"]


@dataclass(frozen=True)
class School:
    """A school of the draw (§6.2)."""

    id: str
    name: str
    seats: int
    tiers: tuple[Tier, ...]
    reserved: tuple[ReservedSeats, ...] = ()
    level: Literal["primary", "junior"] = "primary"
    classes: ClassPolicy | None = None


@dataclass(frozen=True)
class Category:
    """A reserved-seat category (§6.1)."""

    id: str
    label: str


@dataclass(frozen=True)
class DrawRules:
    """What the operator configures before sealing (§6.1, without the commitments)."""

    draw_id: str
    title: str
    authority: str
    mode: Mode
    schools: tuple[School, ...]
    categories: tuple[Category, ...] = ()
    tie_breaking: Literal["single", "multiple"] = "single"
    max_preferences: int = 1
    group_policy: Literal["together"] = "together"


@dataclass(frozen=True)
class ApplicantCommitment:
    """`applicants` of §6.1: the count and the root of the applicant tree (§5.2)."""

    count: int
    root: str


@dataclass(frozen=True)
class Witness:
    """A witness, its published commitment and its Ed25519 public key (§6.1, §7.1)."""

    id: str
    name: str
    commitment: str
    public_key: str

    def document(self) -> dict[str, str]:
        """The manifest's witness object (§6.1)."""
        return {
            "id": self.id,
            "name": self.name,
            "commitment": self.commitment,
            "public_key": self.public_key,
        }


@dataclass(frozen=True)
class BeaconSource:
    """Which future public value is used, its format and when it is published (§7.2)."""

    source: str
    round: str
    format: Literal["hex64", "decimal"]
    at: str


@dataclass(frozen=True)
class Beacon:
    """The registered beacon: a primary source and an optional fallback (§7.2)."""

    primary: BeaconSource
    fallback: BeaconSource | None = None


@dataclass(frozen=True)
class AuditHead:
    """An audit head `{"seq": n, "hash": h}`: entry `n` of the log and its hash (§15.1)."""

    seq: int
    hash: str

    def document(self) -> dict[str, Any]:
        """The head as signed documents hold it (§6.1, §7.3, §7.7, §12.1, §13.5, §14.3)."""
        return {"seq": self.seq, "hash": self.hash}


@dataclass(frozen=True)
class Replaces:
    """`replaces` of §6.1: the void draw a re-run replaces, and why (§7.8)."""

    manifest: str
    reason: str


@dataclass(frozen=True)
class SigningKeyInfo:
    """`signing_key` of §6.1: the bureau's Ed25519 public key and its fingerprint (§12.4)."""

    public_key: str
    fingerprint: str
    algorithm: Literal["ed25519"] = "ed25519"


@dataclass(frozen=True)
class Manifest:
    """The sealed manifest (§6.1)."""

    rules: DrawRules
    sealed_at: str
    applicants: ApplicantCommitment
    witnesses: tuple[Witness, ...]
    min_reveals: int
    beacon: Beacon
    signing_key: SigningKeyInfo
    audit: AuditHead | None = None
    replaces: Replaces | None = None

    def school_index(self) -> dict[str, int]:
        """School id -> index in manifest order."""
        return {school.id: i for i, school in enumerate(self.rules.schools)}


def _is_int(value: object) -> bool:
    return type(value) is int


def _check_strictly_increasing(ids: Sequence[str], field: str) -> None:
    for before, after in pairwise(ids):
        if not before.encode() < after.encode():
            raise InvalidRules(
                f"{field}: {after!r} after {before!r}; ids must be strictly increasing (§6.1)"
            )


def _check_classes(school: School) -> None:
    policy, where = school.classes, f"school {school.id}: classes"
    if policy is None:
        return
    cap = CLASS_SIZE_CAPS[school.level]
    if not _is_int(policy.max_size) or not 1 <= policy.max_size <= cap:
        raise InvalidRules(
            f"{where}: max_size {policy.max_size!r} must be 1 to {cap} for {school.level} (§6.3)"
        )
    if policy.count is not None:
        if not _is_int(policy.count) or policy.count < 1:
            raise InvalidRules(f"{where}: count {policy.count!r} must be at least 1 (§6.3)")
        largest = -(-school.seats // policy.count)
        if largest > cap:
            raise InvalidRules(
                f"{where}: {school.seats} seats in {policy.count} classes makes classes of "
                f"{largest}, above the cap of {cap} for {school.level} (§6.3)"
            )
    if policy.twins not in ("apart", "together"):
        raise InvalidRules(f"{where}: twins {policy.twins!r} is not 'apart' or 'together'")


def _check_school(school: School, categories: set[str]) -> None:
    where = f"school {school.id}"
    check_identifier(school.id, "school id", InvalidRules)
    if not isinstance(school.name, str):
        raise InvalidRules(f"{where}: name {school.name!r} is not a string")
    if not _is_int(school.seats) or school.seats < 1:
        raise InvalidRules(f"{where}: seats {school.seats!r} must be a whole number >= 1 (§6.2)")
    if not school.tiers:
        raise InvalidRules(f"{where}: no tiers; a school has at least one (§6.2)")
    tier_ids = [check_identifier(t.id, f"{where}: tier id", InvalidRules) for t in school.tiers]
    if len(set(tier_ids)) != len(tier_ids):
        raise InvalidRules(f"{where}: tier ids {tier_ids} repeat (§6.2)")
    seen: set[str] = set()
    for entry in school.reserved:
        if entry.category not in categories:
            raise InvalidRules(f"{where}: reserved category {entry.category!r} is not declared")
        if entry.category in seen:
            raise InvalidRules(f"{where}: reserved category {entry.category!r} appears twice")
        seen.add(entry.category)
        if not _is_int(entry.seats) or entry.seats < 1:
            raise InvalidRules(
                f"{where}: reserved seats {entry.seats!r} for {entry.category!r} must be >= 1"
            )
    total = sum(entry.seats for entry in school.reserved)
    if total > school.seats:
        raise InvalidRules(f"{where}: reserved seats {total} exceed seats {school.seats} (§6.2)")
    if not isinstance(school.level, str) or school.level not in CLASS_SIZE_CAPS:
        raise InvalidRules(f"{where}: level {school.level!r} is not 'primary' or 'junior'")
    _check_classes(school)


def validate_rules(rules: DrawRules) -> None:
    """Check the rules part of a manifest (§6.1, §6.2, §6.3); raise `InvalidRules`."""
    check_identifier(rules.draw_id, "draw id", InvalidRules)
    if rules.mode not in MODES:
        raise InvalidRules(f"mode {rules.mode!r} is not one of {', '.join(MODES)} (§6.1)")
    if rules.tie_breaking not in ("single", "multiple"):
        raise InvalidRules(f"tie_breaking {rules.tie_breaking!r} is not 'single' or 'multiple'")
    if rules.group_policy != "together":
        raise InvalidRules(f"group_policy {rules.group_policy!r}: the protocol has only 'together'")
    if not _is_int(rules.max_preferences) or rules.max_preferences < 1:
        raise InvalidRules(f"max_preferences {rules.max_preferences!r} must be >= 1 (§6.1)")
    if rules.mode == "single_school_lottery" and rules.max_preferences != 1:
        raise InvalidRules(
            f"max_preferences {rules.max_preferences} must be 1 in single_school_lottery (§6.1)"
        )
    category_ids = [check_identifier(c.id, "category id", InvalidRules) for c in rules.categories]
    _check_strictly_increasing(category_ids, "categories")
    if not rules.schools:
        raise InvalidRules("schools: a draw has at least one school (§6.1)")
    for school in rules.schools:
        _check_school(school, set(category_ids))
    _check_strictly_increasing([s.id for s in rules.schools], "schools")


def validate_manifest(manifest: Manifest) -> None:
    """Every manifest check of §6.1-§6.3 that does not need the records; raise `InvalidRules`.

    `lottery.draw.check_records` adds the checks against the records (§4, count and root).
    """
    validate_rules(manifest.rules)
    check_time(manifest.sealed_at, "draw.sealed_at", InvalidRules)
    if not _is_int(manifest.applicants.count) or manifest.applicants.count < 0:
        raise InvalidRules(f"applicants.count {manifest.applicants.count!r} is not a count")
    check_hex64(manifest.applicants.root, "applicants.root", InvalidRules)
    if not manifest.witnesses:
        raise InvalidRules("witnesses: a draw has at least one witness (§6.1)")
    for witness in manifest.witnesses:
        check_identifier(witness.id, "witness id", InvalidRules)
        if not isinstance(witness.name, str):
            raise InvalidRules(f"witness {witness.id}: name {witness.name!r} is not a string")
        check_hex64(witness.commitment, f"witness {witness.id}: commitment", InvalidRules)
    _check_strictly_increasing([w.id for w in manifest.witnesses], "witnesses")
    count = len(manifest.witnesses)
    if not _is_int(manifest.min_reveals) or not 1 <= manifest.min_reveals <= count:
        raise InvalidRules(
            f"reveal_policy.min_reveals {manifest.min_reveals!r} must be 1 to {count} (§6.1)"
        )
    check_beacon_registration(manifest.beacon, manifest.sealed_at)
    key = manifest.signing_key
    if key.algorithm != "ed25519":
        raise InvalidRules(f"signing_key.algorithm {key.algorithm!r} is not 'ed25519'")
    check_hex64(key.public_key, "signing_key.public_key", InvalidRules)
    check_hex64(key.fingerprint, "signing_key.fingerprint", InvalidRules)
    expected = tagged_hash("key-fingerprint", bytes.fromhex(key.public_key)).hex()
    if key.fingerprint != expected:
        raise InvalidRules(
            f"signing_key.fingerprint {key.fingerprint} is not the key's fingerprint {expected}"
        )
    _check_witness_keys(manifest.witnesses, key.public_key)
    _check_audit_and_replaces(manifest)


def _check_witness_keys(witnesses: Sequence[Witness], signing_key: str) -> None:
    """§6.3: witness keys distinct, not the bureau's key, and passing §12.5."""
    seen: dict[str, str] = {}
    for witness in witnesses:
        where = f"witness {witness.id}: public_key"
        check_hex64(witness.public_key, where, InvalidRules)
        fault = strict_point_fault(bytes.fromhex(witness.public_key))
        if fault is not None:
            raise InvalidRules(f"{where} {witness.public_key[:16]}... is {fault} (§12.5, §6.3)")
        if witness.public_key == signing_key:
            raise InvalidRules(
                f"{where} is the bureau's signing key: a witness signs with its own key (§6.3)"
            )
        if witness.public_key in seen:
            raise InvalidRules(
                f"{where} is also the key of witness {seen[witness.public_key]}; witness keys "
                "are distinct (§6.3)"
            )
        seen[witness.public_key] = witness.id


def _check_audit_and_replaces(manifest: Manifest) -> None:
    """§6.1: `audit` null or a head, `replaces` null or a manifest digest and a reason."""
    head = manifest.audit
    if head is not None:
        if not _is_int(head.seq) or head.seq < 1:
            raise InvalidRules(f"audit.seq {head.seq!r} must be a whole number >= 1 (§6.1)")
        check_hex64(head.hash, "audit.hash", InvalidRules)
    replaces = manifest.replaces
    if replaces is not None:
        check_hex64(replaces.manifest, "replaces.manifest", InvalidRules)
        if not isinstance(replaces.reason, str) or not replaces.reason:
            raise InvalidRules(f"replaces.reason {replaces.reason!r} is not a non-empty string")


def _school_document(school: School) -> dict[str, Any]:
    classes = school.classes
    return {
        "id": school.id,
        "name": school.name,
        "seats": school.seats,
        "tiers": [{"id": t.id, "label": t.label} for t in school.tiers],
        "reserved": [{"category": r.category, "seats": r.seats} for r in school.reserved],
        "level": school.level,
        "classes": None
        if classes is None
        else {"count": classes.count, "max_size": classes.max_size, "twins": classes.twins},
    }


def _source_document(source: BeaconSource) -> dict[str, Any]:
    return {
        "source": source.source,
        "round": source.round,
        "format": source.format,
        "at": source.at,
    }


def manifest_document(manifest: Manifest) -> dict[str, Any]:
    """The manifest as published (§6.1)."""
    rules, beacon = manifest.rules, manifest.beacon
    return {
        "protocol": PROTOCOL,
        "kind": "manifest",
        "draw": {
            "id": rules.draw_id,
            "title": rules.title,
            "authority": rules.authority,
            "sealed_at": manifest.sealed_at,
        },
        "mode": rules.mode,
        "tie_breaking": rules.tie_breaking,
        "max_preferences": rules.max_preferences,
        "group_policy": rules.group_policy,
        "schools": [_school_document(s) for s in rules.schools],
        "categories": [{"id": c.id, "label": c.label} for c in rules.categories],
        "applicants": {"count": manifest.applicants.count, "root": manifest.applicants.root},
        "witnesses": [w.document() for w in manifest.witnesses],
        "reveal_policy": {"min_reveals": manifest.min_reveals},
        "beacon": {
            **_source_document(beacon.primary),
            "fallback": None if beacon.fallback is None else _source_document(beacon.fallback),
        },
        "signing_key": {
            "algorithm": manifest.signing_key.algorithm,
            "public_key": manifest.signing_key.public_key,
            "fingerprint": manifest.signing_key.fingerprint,
        },
        "audit": None if manifest.audit is None else manifest.audit.document(),
        "replaces": None
        if manifest.replaces is None
        else {"manifest": manifest.replaces.manifest, "reason": manifest.replaces.reason},
    }


def manifest_digest(manifest: Manifest) -> bytes:
    """`H("manifest", JCS(manifest))`, protocol §6.4."""
    return tagged_hash("manifest", canonical_json(manifest_document(manifest)))
