"""The draw manifest, protocol §6: parsed into frozen data and checked for validity (§6.3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from verifier.canonical import encode
from verifier.errors import CheckFailed
from verifier.fields import Fields, fail
from verifier.hashing import PROTOCOL, domain_hash

MODES = ("single_school_lottery", "deferred_acceptance", "immediate_acceptance", "zone_assignment")
CLASS_CAP = {"primary": 45, "junior": 50}  # protocol §6.3


@dataclass(frozen=True)
class Reserved:
    """A reserved-seat entry of a school, protocol §6.2."""

    category: str
    seats: int


@dataclass(frozen=True)
class ClassPolicy:
    """Balanced-class settings of a school, protocol §6.2 and §11."""

    count: int | None
    max_size: int
    twins: str


@dataclass(frozen=True)
class School:
    """A school of the manifest, protocol §6.2. `tier_ids` are in priority order, best first."""

    id: str
    name: str
    seats: int
    tier_ids: tuple[str, ...]
    tier_labels: tuple[str, ...]
    reserved: tuple[Reserved, ...]
    level: str
    classes: ClassPolicy | None
    tier_rank: dict[str, int] = field(compare=False, hash=False)


@dataclass(frozen=True)
class Witness:
    """A witness and its commitment, protocol §6.1 and §7.1."""

    id: str
    name: str
    commitment: str


@dataclass(frozen=True)
class Manifest:
    """The manifest (protocol §6) and its digest (§6.4)."""

    document: dict[str, Any] = field(compare=False, hash=False)
    digest: bytes
    draw_id: str
    mode: str
    tie_breaking: str
    max_preferences: int
    schools: tuple[School, ...]
    categories: tuple[str, ...]
    applicant_count: int
    applicant_root: str
    witnesses: tuple[Witness, ...]
    min_reveals: int
    beacon: dict[str, Any] | None = field(compare=False, hash=False)
    public_key: str
    fingerprint: str

    def school(self, school_id: str) -> School:
        """The school with this id (KeyError if there is none)."""
        return {s.id: s for s in self.schools}[school_id]


_MANIFEST_KEYS = (
    "protocol",
    "kind",
    "draw",
    "mode",
    "tie_breaking",
    "max_preferences",
    "group_policy",
    "schools",
    "categories",
    "applicants",
    "witnesses",
    "reveal_policy",
    "beacon",
    "signing_key",
)


def parse_manifest(document: object) -> Manifest:
    """Check a manifest against §6.1-§6.3 (all but the records, see `records`) and parse it."""
    top = Fields(document, "manifest")
    top.exact_keys(_MANIFEST_KEYS)
    top.choice("protocol", [PROTOCOL])
    top.choice("kind", ["manifest"])
    draw = top.sub("draw")
    draw.exact_keys(("id", "title", "authority", "sealed_at"))
    draw.string("title"), draw.string("authority"), draw.time("sealed_at")
    mode = top.choice("mode", MODES)
    max_preferences = top.integer("max_preferences", 1)
    if mode == "single_school_lottery" and max_preferences != 1:
        raise fail("manifest.max_preferences", "1 in single_school_lottery (§6.1)", max_preferences)
    top.choice("group_policy", ["together"])
    categories = _categories(top)
    schools = _schools(top, categories)
    applicants = top.sub("applicants")
    applicants.exact_keys(("count", "root"))
    witnesses = _witnesses(top)
    reveal_policy = top.sub("reveal_policy")
    reveal_policy.exact_keys(("min_reveals",))
    min_reveals = reveal_policy.integer("min_reveals", 1)
    if min_reveals > len(witnesses):
        raise fail(
            "manifest.reveal_policy.min_reveals",
            f"at most {len(witnesses)} (witnesses)",
            min_reveals,
        )
    beacon = top.raw("beacon")
    if beacon is not None:
        _check_beacon(Fields(beacon, "manifest.beacon"), allow_fallback=True)
    key = top.sub("signing_key")
    key.exact_keys(("algorithm", "public_key", "fingerprint"))
    key.choice("algorithm", ["ed25519"])
    public_key, fingerprint = key.hex64("public_key"), key.hex64("fingerprint")
    expected_fingerprint = domain_hash("key-fingerprint", bytes.fromhex(public_key)).hex()
    if fingerprint != expected_fingerprint:
        raise fail("manifest.signing_key.fingerprint", expected_fingerprint, fingerprint)
    return Manifest(
        document=top.value,
        digest=domain_hash("manifest", encode(top.value)),
        draw_id=draw.identifier("id"),
        mode=mode,
        tie_breaking=top.choice("tie_breaking", ["single", "multiple"]),
        max_preferences=max_preferences,
        schools=schools,
        categories=categories,
        applicant_count=applicants.integer("count", 0),
        applicant_root=applicants.hex64("root"),
        witnesses=witnesses,
        min_reveals=min_reveals,
        beacon=beacon,
        public_key=public_key,
        fingerprint=fingerprint,
    )


def _increasing_ids(items: list[Any], path: str, what: str) -> None:
    ids = [item["id"] for item in items]
    for index in range(1, len(ids)):
        if ids[index - 1].encode() >= ids[index].encode():
            raise fail(f"{path}[{index}].id", f"{what} ids strictly increasing (§6.1)", ids[index])


def _categories(top: Fields) -> tuple[str, ...]:
    items = top.array("categories")
    for index, item in enumerate(items):
        category = Fields(item, f"manifest.categories[{index}]")
        category.exact_keys(("id", "label"))
        category.identifier("id"), category.string("label")
    _increasing_ids(items, "manifest.categories", "category")
    return tuple(item["id"] for item in items)


def _schools(top: Fields, categories: tuple[str, ...]) -> tuple[School, ...]:
    items = top.array("schools")
    if not items:
        raise fail("manifest.schools", "at least one school", "<an empty list>")
    schools = tuple(
        _school(Fields(item, f"manifest.schools[{i}]"), categories) for i, item in enumerate(items)
    )
    _increasing_ids(items, "manifest.schools", "school")
    return schools


def _school(school: Fields, categories: tuple[str, ...]) -> School:
    school.exact_keys(("id", "name", "seats", "tiers", "reserved", "level", "classes"))
    school_id, seats = school.identifier("id"), school.integer("seats", 1)
    tiers = school.array("tiers")
    if not tiers:
        raise fail(f"{school.path}.tiers", "at least one tier", "<an empty list>")
    for index, item in enumerate(tiers):
        tier = Fields(item, f"{school.path}.tiers[{index}]")
        tier.exact_keys(("id", "label"))
        tier.identifier("id"), tier.string("label")
    tier_ids = tuple(t["id"] for t in tiers)
    if len(set(tier_ids)) != len(tier_ids):
        raise fail(f"{school.path}.tiers", "distinct tier ids", list(tier_ids))
    reserved = []
    for index, item in enumerate(school.array("reserved")):
        entry = Fields(item, f"{school.path}.reserved[{index}]")
        entry.exact_keys(("category", "seats"))
        reserved.append(Reserved(entry.choice("category", categories), entry.integer("seats", 1)))
    if len({r.category for r in reserved}) != len(reserved):
        raise fail(f"{school.path}.reserved", "distinct categories", [r.category for r in reserved])
    if sum(r.seats for r in reserved) > seats:
        raise fail(
            f"{school.path}.reserved",
            f"at most {seats} reserved seats in all",
            sum(r.seats for r in reserved),
        )
    level = school.choice("level", list(CLASS_CAP))
    return School(
        id=school_id,
        name=school.string("name"),
        seats=seats,
        tier_ids=tier_ids,
        tier_labels=tuple(t["label"] for t in tiers),
        reserved=tuple(reserved),
        level=level,
        classes=_class_policy(school, seats=seats, level=level),
        tier_rank={tier_id: rank for rank, tier_id in enumerate(tier_ids)},
    )


def _class_policy(school: Fields, *, seats: int, level: str) -> ClassPolicy | None:
    if school.raw("classes") is None:
        return None
    classes = school.sub("classes")
    classes.exact_keys(("count", "max_size", "twins"))
    cap = CLASS_CAP[level]
    max_size = classes.integer("max_size", 1)
    if max_size > cap:
        raise fail(f"{classes.path}.max_size", f"at most {cap} for {level} (§6.3)", max_size)
    count = None if classes.raw("count") is None else classes.integer("count", 1)
    if count is not None and -(-seats // count) > cap:
        raise fail(
            f"{classes.path}.count", f"enough classes to keep {seats} seats at {cap} a class", count
        )
    return ClassPolicy(
        count=count, max_size=max_size, twins=classes.choice("twins", ["apart", "together"])
    )


def _witnesses(top: Fields) -> tuple[Witness, ...]:
    items = top.array("witnesses")
    if not items:
        raise fail("manifest.witnesses", "at least one witness", "<an empty list>")
    witnesses = []
    for index, item in enumerate(items):
        witness = Fields(item, f"manifest.witnesses[{index}]")
        witness.exact_keys(("id", "name", "commitment"))
        witnesses.append(
            Witness(witness.identifier("id"), witness.string("name"), witness.hex64("commitment"))
        )
    _increasing_ids(items, "manifest.witnesses", "witness")
    return tuple(witnesses)


def _check_beacon(beacon: Fields, *, allow_fallback: bool) -> None:
    """A beacon object of protocol §7.2."""
    beacon.exact_keys(
        ("source", "round", "format", "fallback")
        if allow_fallback
        else ("source", "round", "format")
    )
    beacon.string("source"), beacon.string("round"), beacon.choice("format", ["hex64", "decimal"])
    if allow_fallback and beacon.raw("fallback") is not None:
        _check_beacon(beacon.sub("fallback"), allow_fallback=False)


def check_zone_capacity(manifest: Manifest) -> None:
    """In zone assignment the seats must cover every applicant (§6.3)."""
    total = sum(s.seats for s in manifest.schools)
    if manifest.mode == "zone_assignment" and total < manifest.applicant_count:
        raise CheckFailed(
            "zone assignment needs at least as many seats as applicants (§6.3)",
            expected=f"at least {manifest.applicant_count} seats",
            found=f"{total} seats",
        )
