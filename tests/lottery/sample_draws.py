"""Small, deterministic draws for tests and vectors: every secret derives from a stated text.

Nothing here is random: receipt codes, witness secrets, the signing key and the beacon value are
all SHA-256 of a label, so a draw built twice is byte-identical.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lottery import (
    Beacon,
    BeaconSource,
    BeaconValue,
    Category,
    DrawResult,
    DrawRules,
    PrivateRecord,
    PublicRecord,
    School,
    SealedDraw,
    Tier,
    Witness,
    form_seed,
    make_receipt_code,
    public_record,
    run_draw,
    seal,
    witness_commitment,
)

TEST_KEY_TEXT = "sunshine-draw test signing key 1"
SEALED_AT = "2026-07-01T02:00:00Z"


def derive(label: str, size: int = 32) -> bytes:
    """`size` bytes from SHA-256 of a label (the only source of secrets in test draws)."""
    return hashlib.sha256(label.encode("utf-8")).digest()[:size]


def signing_test_key(text: str = TEST_KEY_TEXT) -> Ed25519PrivateKey:
    """The fixed TEST signing key: Ed25519 private key = SHA-256(text)."""
    return Ed25519PrivateKey.from_private_bytes(derive(text))


@dataclass(frozen=True)
class Child:
    """A test applicant; personal data derives from `application`."""

    application: str
    preferences: tuple[str, ...] = ("S01",)
    tiers: dict[str, str] = field(default_factory=dict)
    category: str | None = None
    group: str | None = None
    sex: Literal["F", "M"] = "F"


def id_number(n: int) -> str:
    """A synthetic 18-character ID number (format only; not a real person's)."""
    return f"11010120190101{n % 10000:04d}"


def record_for(child: Child, label: str = "test") -> tuple[PrivateRecord, PublicRecord]:
    """Private and public record of a test child: personal data derives from the application
    number (never from the input position), the receipt from `label` too."""
    number = int.from_bytes(derive(f"person/{child.application}", 2), "big")
    private = PrivateRecord(
        application=child.application,
        id_number=id_number(number),
        name=f"测试{number:05d}号",
        receipt=make_receipt_code(derive(f"{label}/receipt/{child.application}", 10)),
    )
    public = public_record(
        private,
        category=child.category,
        group=child.group,
        preferences=child.preferences,
        tiers=child.tiers,
        sex=child.sex,
    )
    return private, public


def tiers(*ids: str) -> tuple[Tier, ...]:
    """Tiers with labels equal to their ids."""
    return tuple(Tier(id=t, label=f"tier {t}") for t in ids)


def rules_for(
    schools: Sequence[School],
    *,
    categories: Sequence[str] = (),
    mode: str = "single_school_lottery",
    tie_breaking: Literal["single", "multiple"] = "single",
    max_preferences: int = 1,
    draw_id: str = "TEST-2026",
) -> DrawRules:
    """Draw rules with test labels."""
    return DrawRules(
        draw_id=draw_id,
        title="Test draw",
        authority="Test bureau",
        mode=mode,
        schools=tuple(schools),
        categories=tuple(Category(id=c, label=f"category {c}") for c in categories),
        tie_breaking=tie_breaking,
        max_preferences=max_preferences,
    )


@dataclass(frozen=True)
class Ceremonial:
    """How the ceremony of a test draw goes."""

    witnesses: int = 3
    min_reveals: int = 3
    withheld: tuple[int, ...] = ()  # indices of witnesses that do not reveal
    beacon: bool = True
    fallback: bool = False
    use_fallback: bool = False


def witnesses_for(label: str, count: int) -> tuple[list[Witness], dict[str, bytes]]:
    """Witnesses W1..Wn with secrets SHA-256(label/witness/i)."""
    secrets = {f"W{i}": derive(f"{label}/witness/{i}") for i in range(1, count + 1)}
    witnesses = [
        Witness(id=w, name=f"Witness {w}", commitment=witness_commitment(w, s))
        for w, s in secrets.items()
    ]
    return witnesses, secrets


def beacon_for(how: Ceremonial) -> Beacon | None:
    if not how.beacon:
        return None
    fallback = (
        BeaconSource(
            source="Shanghai Composite closing value", round="2026-07-01", format="decimal"
        )
        if how.fallback
        else None
    )
    return Beacon(
        primary=BeaconSource(source="drand quicknet", round="1000000", format="hex64"),
        fallback=fallback,
    )


def seal_test_draw(
    rules: DrawRules,
    children: Sequence[Child],
    *,
    label: str = "test",
    how: Ceremonial = Ceremonial(),
) -> SealedDraw:
    """Seal a test draw."""
    witnesses, _ = witnesses_for(label, how.witnesses)
    records = [record_for(child, label)[1] for child in children]
    return seal(
        rules=rules,
        records=records,
        witnesses=witnesses,
        min_reveals=how.min_reveals,
        beacon=beacon_for(how),
        signing_key=signing_test_key(),
        sealed_at=SEALED_AT,
    )


def run_test_draw(
    rules: DrawRules,
    children: Sequence[Child],
    *,
    label: str = "test",
    how: Ceremonial = Ceremonial(),
) -> DrawResult:
    """Seal, reveal, form the seed and run a test draw."""
    sealed = seal_test_draw(rules, children, label=label, how=how)
    _, secrets = witnesses_for(label, how.witnesses)
    reveals: dict[str, bytes | None] = {
        w: (None if i - 1 in how.withheld else s)
        for i, (w, s) in enumerate(secrets.items(), start=1)
    }
    beacon = None
    if how.beacon:
        if how.use_fallback:
            beacon = BeaconValue(used="fallback", value="3012.45")
        else:
            beacon = BeaconValue(used="primary", value=derive(f"{label}/beacon").hex())
    ceremony = form_seed(sealed.manifest, reveals, beacon)
    return run_draw(sealed, ceremony, signing_test_key())


def plain_school(seats: int, school_id: str = "S01", **extra: object) -> School:
    """A school with one general tier."""
    return School(id=school_id, name=f"School {school_id}", seats=seats, tiers=tiers("G"), **extra)  # type: ignore[arg-type]
