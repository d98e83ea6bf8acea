"""The draw manifest, protocol §6: checked against §6.1-§6.3 and read into frozen data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verifier.canonical import encode
from verifier.drand import drand_chain
from verifier.errors import CheckFailed
from verifier.fields import Fields, fail
from verifier.hashing import PROTOCOL, domain_hash
from verifier.signatures import check_public_key

MODES = ("single_school_lottery", "deferred_acceptance", "immediate_acceptance", "zone_assignment")
CLASS_CAP = {"primary": 45, "junior": 50}  # §6.3
MANIFEST_KEYS = (
    "protocol", "kind", "draw", "mode", "tie_breaking", "max_preferences", "group_policy",
    "schools", "categories", "applicants", "witnesses", "reveal_policy", "beacon", "signing_key",
    "audit", "replaces",
)  # fmt: skip


@dataclass(frozen=True)
class Reserved:
    """A reserved-seat entry of a school, §6.2."""

    category: str
    seats: int


@dataclass(frozen=True)
class ClassPolicy:
    """Balanced-class settings of a school, §6.2 and §11."""

    count: int | None
    max_size: int
    twins: str


@dataclass(frozen=True)
class School:
    """A school of the manifest, §6.2. `tiers` are tier ids in priority order, best first."""

    id: str
    name: str
    seats: int
    tiers: tuple[str, ...]
    tier_labels: tuple[str, ...]
    reserved: tuple[Reserved, ...]
    classes: ClassPolicy | None


@dataclass(frozen=True)
class Witness:
    """A witness, its commitment and its public key, §6.1 and §7.1."""

    id: str
    name: str
    commitment: str
    public_key: str


@dataclass(frozen=True)
class Manifest:
    """The manifest (§6), what the checks read of it, and its digest (§6.4)."""

    document: Any
    digest: bytes
    draw_id: str
    sealed_at: str
    mode: str
    tie_breaking: str
    max_preferences: int
    schools: tuple[School, ...]
    categories: tuple[str, ...]
    applicant_count: int
    applicant_root: str
    witnesses: tuple[Witness, ...]
    min_reveals: int
    beacon: Any
    public_key: str
    fingerprint: str
    audit: tuple[int, str] | None  # the log's head before `draw.sealed` (§15.2)
    replaces: str | None  # the void draw's manifest digest (§7.8)


def parse_manifest(document: object) -> Manifest:
    """Check a manifest against §6.1-§6.3 (the records are checked in `records`)."""
    top = Fields(document, "manifest")
    top.exact_keys(MANIFEST_KEYS)
    top.choice("protocol", [PROTOCOL])
    top.choice("kind", ["manifest"])
    draw = top.sub("draw")
    draw.exact_keys(("id", "title", "authority", "sealed_at"))
    draw.string("title"), draw.string("authority")
    draw_id, sealed_at = draw.identifier("id"), draw.time("sealed_at")
    mode = top.choice("mode", MODES)
    max_preferences = top.integer("max_preferences", 1)
    if mode == "single_school_lottery" and max_preferences != 1:
        raise fail("manifest.max_preferences", "term_one_in_single", max_preferences)
    top.choice("group_policy", ["together"])
    categories = _categories(top.array("categories"))
    items = enumerate(top.array("schools"))
    schools = tuple(_school(Fields(s, f"manifest.schools[{i}]"), categories) for i, s in items)
    if not schools:
        raise fail("manifest.schools", "term_nonempty", [])
    _increasing([s.id for s in schools], "manifest.schools")
    applicants = top.sub("applicants")
    applicants.exact_keys(("count", "root"))
    witnesses = _witnesses(top.array("witnesses"))
    policy = top.sub("reveal_policy")
    policy.exact_keys(("min_reveals",))
    min_reveals = policy.integer("min_reveals", 1)
    if min_reveals > len(witnesses):
        raise fail(policy.path + ".min_reveals", "term_at_most", min_reveals, limit=len(witnesses))
    beacon = top.sub("beacon")  # (6.1): never null in version 2
    _beacon(beacon, after=sealed_at, with_fallback=True)
    key = top.sub("signing_key")
    key.exact_keys(("algorithm", "public_key", "fingerprint"))
    key.choice("algorithm", ["ed25519"])
    public_key, fingerprint = key.hex64("public_key"), key.hex64("fingerprint")
    if fingerprint != domain_hash("key-fingerprint", bytes.fromhex(public_key)).hex():
        raise fail("manifest.signing_key.fingerprint", "term_fingerprint_of_key", fingerprint)
    keys = [w.public_key for w in witnesses]  # (6.3): distinct, not the bureau's, §12.5
    for index, witness_key in enumerate(keys):
        if witness_key in (*keys[:index], public_key):
            raise fail(f"manifest.witnesses[{index}].public_key", "term_witness_key", witness_key)
        check_public_key(bytes.fromhex(witness_key), f"manifest.witnesses[{index}].public_key")
    audit = None if top.raw("audit") is None else top.head("audit")
    replaces = None
    if top.raw("replaces") is not None:
        link = top.sub("replaces")
        link.exact_keys(("manifest", "reason"))
        replaces = link.hex64("manifest") + " (" + link.string("reason") + ")"
    count = applicants.integer("count")
    if mode == "zone_assignment" and sum(s.seats for s in schools) < count:  # §6.3
        raise CheckFailed("zone_capacity", expected=count, found=sum(s.seats for s in schools))
    return Manifest(
        document=document,
        digest=domain_hash("manifest", encode(document)),
        draw_id=draw_id,
        sealed_at=sealed_at,
        mode=mode,
        tie_breaking=top.choice("tie_breaking", ["single", "multiple"]),
        max_preferences=max_preferences,
        schools=schools,
        categories=categories,
        applicant_count=count,
        applicant_root=applicants.hex64("root"),
        witnesses=witnesses,
        min_reveals=min_reveals,
        beacon=beacon.value,
        public_key=public_key,
        fingerprint=fingerprint,
        audit=audit,
        replaces=replaces,
    )


def _increasing(ids: list[str], path: str) -> None:
    """§6.1: ids strictly increasing by their bytes (so also distinct)."""
    for index in range(1, len(ids)):
        if ids[index - 1].encode() >= ids[index].encode():
            raise fail(f"{path}[{index}].id", "term_increasing", ids[index])


def _categories(items: list[Any]) -> tuple[str, ...]:
    for index, item in enumerate(items):
        category = Fields(item, f"manifest.categories[{index}]")
        category.exact_keys(("id", "label"))
        category.identifier("id"), category.string("label")
    _increasing([item["id"] for item in items], "manifest.categories")
    return tuple(item["id"] for item in items)


def _school(school: Fields, categories: tuple[str, ...]) -> School:
    school.exact_keys(("id", "name", "seats", "tiers", "reserved", "level", "classes"))
    seats = school.integer("seats", 1)
    items = enumerate(school.array("tiers"))
    tiers = [Fields(item, f"{school.path}.tiers[{i}]") for i, item in items]
    for tier in tiers:
        tier.exact_keys(("id", "label"))
        tier.identifier("id"), tier.string("label")
    tier_ids = tuple(tier.value["id"] for tier in tiers)
    if not tier_ids or len(set(tier_ids)) != len(tier_ids):
        raise fail(f"{school.path}.tiers", "term_distinct_nonempty", list(tier_ids))
    reserved = []
    for index, item in enumerate(school.array("reserved")):
        entry = Fields(item, f"{school.path}.reserved[{index}]")
        entry.exact_keys(("category", "seats"))
        reserved.append(Reserved(entry.choice("category", categories), entry.integer("seats", 1)))
    categories_used, reserved_seats = [r.category for r in reserved], sum(r.seats for r in reserved)
    if len(set(categories_used)) != len(reserved):
        raise fail(f"{school.path}.reserved", "term_distinct_nonempty", categories_used)
    if reserved_seats > seats:
        raise fail(f"{school.path}.reserved", "term_at_most", reserved_seats, limit=seats)
    level = school.choice("level", list(CLASS_CAP))
    return School(
        id=school.identifier("id"),
        name=school.string("name"),
        seats=seats,
        tiers=tier_ids,
        tier_labels=tuple(tier.value["label"] for tier in tiers),
        reserved=tuple(reserved),
        classes=_class_policy(school, seats=seats, cap=CLASS_CAP[level]),
    )


def _class_policy(school: Fields, *, seats: int, cap: int) -> ClassPolicy | None:
    if school.raw("classes") is None:
        return None
    classes = school.sub("classes")
    classes.exact_keys(("count", "max_size", "twins"))
    max_size = classes.integer("max_size", 1)
    if max_size > cap:  # §6.3
        raise fail(f"{classes.path}.max_size", "term_at_most", max_size, limit=cap)
    count = None if classes.raw("count") is None else classes.integer("count", 1)
    if count is not None and -(-seats // count) > cap:  # §6.3: ceil(seats / count) <= cap
        raise fail(f"{classes.path}.count", "term_class_count", count, seats=seats, cap=cap)
    return ClassPolicy(count, max_size, classes.choice("twins", ["apart", "together"]))


def _witnesses(items: list[Any]) -> tuple[Witness, ...]:
    if not items:
        raise fail("manifest.witnesses", "term_nonempty", [])
    witnesses = []
    for index, item in enumerate(items):
        witness = Fields(item, f"manifest.witnesses[{index}]")
        witness.exact_keys(("id", "name", "commitment", "public_key"))
        ids = witness.identifier("id"), witness.string("name")
        witnesses.append(Witness(*ids, witness.hex64("commitment"), witness.hex64("public_key")))
    _increasing([w.id for w in witnesses], "manifest.witnesses")
    return tuple(witnesses)


def _beacon(beacon: Fields, *, after: str, with_fallback: bool) -> None:
    """A beacon object of §7.2: its value published at `at`, later than `after` (item 1)."""
    keys = ("source", "round", "format", "at")
    beacon.exact_keys((*keys, "fallback") if with_fallback else keys)
    beacon.string("source"), beacon.string("round"), beacon.choice("format", ["hex64", "decimal"])
    at = beacon.time("at")
    if at <= after:  # times of one fixed format (§1.5) compare as strings
        raise fail(f"{beacon.path}.at", "term_later_than", at, time=after)
    drand_chain(beacon)  # (7.2.3), for a drand source
    if with_fallback and beacon.raw("fallback") is not None:
        _beacon(beacon.sub("fallback"), after=at, with_fallback=False)
