"""Draws made with the engine (`lottery` public API) for the verifier's differential tests.

Everything derives from stated texts (SHA-256 of a label), so the same spec gives the same bundle.
`DrawSpec` describes a draw in plain data; `draw_specs()` is a hypothesis strategy over every mode.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import strategies as st

import lottery as engine

SEALED_AT = "2026-07-01T02:00:00Z"
MODES = ("single_school_lottery", "deferred_acceptance", "immediate_acceptance", "zone_assignment")
CATEGORIES = ("mil", "sib")


def secret(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


def key_from_label(label: str = "verifier test key") -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(secret(label))


@dataclass(frozen=True)
class SchoolSpec:
    id: str
    seats: int
    tiers: int
    reserved: tuple[tuple[str, int], ...]
    classes: tuple[int | None, int, str] | None  # (count, max_size, twins)


@dataclass(frozen=True)
class ApplicantSpec:
    application: str
    category: str | None
    group: str | None
    preferences: tuple[str, ...]
    tiers: tuple[tuple[str, int], ...]  # (school, tier index)
    sex: str


@dataclass(frozen=True)
class DrawSpec:
    mode: str
    tie_breaking: str
    max_preferences: int
    schools: tuple[SchoolSpec, ...]
    applicants: tuple[ApplicantSpec, ...]
    witnesses: int
    reveals: tuple[bool, ...]
    min_reveals: int
    beacon: str | None  # None, or the hex64 value of the primary beacon


def private_record(application: str) -> engine.PrivateRecord:
    """The personal part of an applicant: a fixed ID number, a name and a derived receipt."""
    return engine.PrivateRecord(
        application=application,
        id_number="11010120150101001X",
        name="张小" + application,
        receipt=engine.make_receipt_code(secret("receipt " + application)[:10]),
    )


def build_draw(spec: DrawSpec, key: Ed25519PrivateKey | None = None) -> engine.DrawResult:
    """Seal, hold the ceremony and run the draw the spec describes, with the engine."""
    key = key or key_from_label()
    schools = tuple(
        engine.School(
            id=s.id,
            name="School " + s.id,
            seats=s.seats,
            tiers=tuple(engine.Tier(f"t{i}", f"Tier {i}") for i in range(s.tiers)),
            reserved=tuple(engine.ReservedSeats(c, n) for c, n in s.reserved),
            classes=None if s.classes is None else engine.ClassPolicy(*s.classes),  # type: ignore[arg-type]
        )
        for s in spec.schools
    )
    rules = engine.DrawRules(
        draw_id="D-test",
        title="Test draw",
        authority="Test bureau",
        mode=spec.mode,
        schools=schools,
        categories=tuple(engine.Category(c, c.upper()) for c in CATEGORIES),
        tie_breaking=spec.tie_breaking,  # type: ignore[arg-type]
        max_preferences=spec.max_preferences,
    )
    records = [
        engine.public_record(
            private_record(a.application),
            category=a.category,
            group=a.group,
            preferences=list(a.preferences),
            tiers={school: f"t{tier}" for school, tier in a.tiers},
            sex=a.sex,  # type: ignore[arg-type]
        )
        for a in spec.applicants
    ]
    secrets = {f"W{i}": secret(f"witness {i}") for i in range(spec.witnesses)}
    witnesses = [
        engine.Witness(w, "Witness " + w, engine.witness_commitment(w, s))
        for w, s in secrets.items()
    ]
    beacon = None
    if spec.beacon is not None:
        beacon = engine.Beacon(primary=engine.BeaconSource("drand quicknet", "12345", "hex64"))
    sealed = engine.seal(
        rules=rules,
        records=records,
        witnesses=witnesses,
        min_reveals=spec.min_reveals,
        beacon=beacon,
        signing_key=key,
        sealed_at=SEALED_AT,
    )
    reveals = {
        w: (s if shown else None)
        for (w, s), shown in zip(secrets.items(), spec.reveals, strict=True)
    }
    beacon_value = None if spec.beacon is None else engine.BeaconValue("primary", spec.beacon)
    ceremony = engine.form_seed(sealed.manifest, reveals, beacon_value)
    return engine.run_draw(sealed, ceremony, key)


def write_draw(spec: DrawSpec, directory: Path, key: Ed25519PrivateKey | None = None) -> Path:
    engine.write_bundle(directory, build_draw(spec, key))
    return directory


@st.composite
def school_specs(draw: st.DrawFn, index: int) -> SchoolSpec:
    seats = draw(st.integers(1, 6))
    reserved: list[tuple[str, int]] = []
    for category in draw(st.lists(st.sampled_from(CATEGORIES), max_size=2, unique=True)):
        left = seats - sum(n for _, n in reserved)
        if left >= 1:
            reserved.append((category, draw(st.integers(1, min(2, left)))))
    classes = draw(
        st.one_of(
            st.none(),
            st.tuples(
                st.one_of(st.none(), st.integers(1, 3)),
                st.integers(1, 4),
                st.sampled_from(["apart", "together"]),
            ),
        )
    )
    return SchoolSpec(f"S{index}", seats, draw(st.integers(1, 3)), tuple(reserved), classes)


@st.composite
def draw_specs(
    draw: st.DrawFn, modes: tuple[str, ...] = MODES, max_applicants: int = 24
) -> DrawSpec:
    """Random small draws across every mode, with tiers, reserved seats, groups and classes."""
    mode = draw(st.sampled_from(modes))
    schools = [draw(school_specs(i)) for i in range(draw(st.integers(1, 5)))]
    ids = [s.id for s in schools]
    max_preferences = 1 if mode == "single_school_lottery" else draw(st.integers(1, 4))
    applicants: list[ApplicantSpec] = []
    count = draw(st.integers(0, max_applicants))
    while len(applicants) < count:
        size = draw(st.sampled_from([1, 1, 1, 2, 3]))
        if mode == "zone_assignment":
            preferences: tuple[str, ...] = ()
        elif mode == "single_school_lottery":
            preferences = (draw(st.sampled_from(ids)),)
        else:
            preferences = tuple(draw(st.permutations(ids)))[: draw(st.integers(1, max_preferences))]
        category = draw(st.sampled_from([None, None, *CATEGORIES]))
        group = f"G{len(applicants)}" if size > 1 else None
        for _ in range(size):
            tiers = draw(
                st.lists(st.tuples(st.sampled_from(schools), st.integers(0, 2)), max_size=3)
            )
            applicants.append(
                ApplicantSpec(
                    application=f"A{len(applicants):04d}",
                    category=category,
                    group=group,
                    preferences=preferences,
                    tiers=tuple(sorted({s.id: t % s.tiers for s, t in tiers}.items())),
                    sex=draw(st.sampled_from("FM")),
                )
            )
    if mode == "zone_assignment":
        shortfall = len(applicants) - sum(s.seats for s in schools)
        if shortfall > 0:
            last = schools[-1]
            seats = last.seats + shortfall
            classes = last.classes
            if classes is not None and classes[0] is not None and -(-seats // classes[0]) > 45:
                classes = (None, classes[1], classes[2])
            schools[-1] = SchoolSpec(last.id, seats, last.tiers, last.reserved, classes)
    witnesses = draw(st.integers(1, 3))
    reveals = tuple(draw(st.lists(st.booleans(), min_size=witnesses, max_size=witnesses)))
    if not any(reveals):
        reveals = (True, *reveals[1:])
    return DrawSpec(
        mode=mode,
        tie_breaking=draw(st.sampled_from(["single", "multiple"])),
        max_preferences=max_preferences,
        schools=tuple(schools),
        applicants=tuple(applicants),
        witnesses=witnesses,
        reveals=reveals,
        min_reveals=draw(st.integers(1, sum(reveals))),
        beacon=draw(st.one_of(st.none(), st.binary(min_size=32, max_size=32).map(bytes.hex))),
    )
