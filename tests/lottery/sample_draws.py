"""Small, deterministic draws for tests and vectors: every secret derives from a stated text.

Nothing here is random: receipt codes, witness secrets, the signing key and the beacon value are
all SHA-256 of a label, so a draw built twice is byte-identical.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lottery import (
    AuditHead,
    AuditLog,
    Beacon,
    BeaconSource,
    BeaconStatement,
    Category,
    Checkpoint,
    DrawResult,
    DrawRules,
    Manifest,
    PrivateRecord,
    PublicRecord,
    School,
    SealedDraw,
    Tier,
    Witness,
    beacon_statement_digest,
    check_commitment_file,
    check_reveal_file,
    checkpoint_digest,
    commitment_file,
    drand_round_time,
    form_ceremony,
    make_receipt_code,
    public_record,
    rehearse,
    reveal_file,
    run_draw,
    seal,
    witness_sign,
    write_bundle,
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


QUICKNET = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
MAINNET = "8990e7a9aaed2ffed73dbd7092123d6f289930540d7651336225dc172e51b2ce"
# The test draw's day (§1.5 times): witnesses commit, the list is sealed at 02:00, reveals close
# at 02:30, the drand round of 03:00 is the primary beacon, the index's closing value of the
# afternoon (07:00Z) the decimal one.
COMMITTED_AT = "2026-07-01T01:00:00Z"
CLOSED_AT = "2026-07-01T02:30:00Z"
DECIMAL_AT = "2026-07-01T07:00:00Z"
QUICKNET_ROUND = 30_023_812  # 2026-07-01T03:00:00Z on quicknet (3 s rounds)
MAINNET_ROUND = 6_248_126  # 2026-07-01T03:00:00Z on the chained mainnet (30 s rounds)
BeaconKind = Literal["quicknet", "mainnet", "decimal"]


@dataclass(frozen=True)
class Ceremonial:
    """How the ceremony of a test draw goes (§7)."""

    witnesses: int = 3
    min_reveals: int = 3
    withheld: tuple[int, ...] = ()  # indices of witnesses that do not reveal
    beacon: BeaconKind = "quicknet"  # the primary source
    fallback: bool = False  # a decimal fallback declared
    use_fallback: bool = False
    committed_entries: bool = True  # witness.committed entries in the log before sealing


@dataclass(frozen=True)
class TestWitness:
    """A simulated witness: its key and secret derive from a label, never from entropy."""

    id: str
    name: str
    key: Ed25519PrivateKey
    secret: bytes


def witnesses_for(label: str, count: int) -> list[TestWitness]:
    """Witnesses W1..Wn: Ed25519 key SHA-256(label/witness-key/i), secret
    SHA-256(label/witness/i)."""
    return [
        TestWitness(
            id=f"W{i}",
            name=f"Witness W{i}",
            key=Ed25519PrivateKey.from_private_bytes(derive(f"{label}/witness-key/{i}")),
            secret=derive(f"{label}/witness/{i}"),
        )
        for i in range(1, count + 1)
    ]


def registered(draw_id: str, witnesses: Sequence[TestWitness]) -> list[Witness]:
    """The manifest's witnesses, from each witness's checked commitment file (§7.9)."""
    return [
        check_commitment_file(commitment_file(draw_id, w.id, w.name, w.key, w.secret), draw_id)
        for w in witnesses
    ]


def _source(kind: BeaconKind) -> BeaconSource:
    if kind == "decimal":
        return BeaconSource(
            source="SSE Composite Index closing value",
            round="2026-07-01",
            format="decimal",
            at=DECIMAL_AT,
        )
    chain, round_ = (QUICKNET, QUICKNET_ROUND) if kind == "quicknet" else (MAINNET, MAINNET_ROUND)
    return BeaconSource(
        source=f"drand:{chain}",
        round=str(round_),
        format="hex64",
        at=drand_round_time(chain, round_),
    )


def beacon_for(how: Ceremonial) -> Beacon:
    """The registered beacon (§7.2): the primary of `how`, a decimal fallback if declared."""
    fallback = _source("decimal") if how.fallback else None
    return Beacon(primary=_source(how.beacon), fallback=fallback)


def beacon_value(how: Ceremonial, label: str) -> str:
    """The test beacon value: a hex64 from the label, or a closing value."""
    source = _source("decimal") if how.use_fallback else _source(how.beacon)
    if source.format == "decimal":
        return "3012.45"
    return derive(f"{label}/beacon").hex()


def seal_with_log(
    rules: DrawRules,
    children: Sequence[Child],
    *,
    label: str = "test",
    how: Ceremonial = Ceremonial(),
    records: Sequence[PublicRecord] | None = None,
    signing_key: Ed25519PrivateKey | None = None,
) -> tuple[SealedDraw, AuditLog]:
    """Seal a test draw, its log holding `draw.created`, the witnesses' commitments (if
    `how.committed_entries`) and `draw.sealed` (§15.3)."""
    log = AuditLog(rules.draw_id)
    people = witnesses_for(label, how.witnesses)
    witnesses = registered(rules.draw_id, people)
    if how.committed_entries:
        log.append(at=COMMITTED_AT, actor="operator", action="draw.created", details={})
        for witness in witnesses:
            log.append(
                at=COMMITTED_AT,
                actor=f"witness {witness.id}",
                action="witness.committed",
                details={
                    "witness": witness.id,
                    "commitment": witness.commitment,
                    "public_key": witness.public_key,
                },
            )
    if records is None:
        records = [record_for(child, label)[1] for child in children]
    sealed = seal(
        rules=rules,
        records=records,
        witnesses=witnesses,
        min_reveals=how.min_reveals,
        beacon=beacon_for(how),
        signing_key=signing_key or signing_test_key(),
        sealed_at=SEALED_AT,
        audit=log.head,
    )
    log.append(
        at=SEALED_AT,
        actor="operator",
        action="draw.sealed",
        details={"manifest": sealed.manifest_digest.hex()},
    )
    return sealed, log


def seal_test_draw(
    rules: DrawRules,
    children: Sequence[Child],
    *,
    label: str = "test",
    how: Ceremonial = Ceremonial(),
) -> SealedDraw:
    """Seal a test draw."""
    return seal_with_log(rules, children, label=label, how=how)[0]


def _time(minute: int, second: int = 0) -> str:
    return f"2026-07-01T02:{minute:02d}:{second:02d}Z"


def ceremony_for(
    manifest: Manifest,
    digest: bytes,
    log: AuditLog,
    *,
    label: str,
    how: Ceremonial,
) -> tuple[AuditHead, Any]:
    """The witnesses reveal, co-sign the checkpoint and the beacon statement; the ceremony is
    formed (§7.3-§7.7), each step logged. Returns the ceremony's head and the ceremony."""
    people = witnesses_for(label, how.witnesses)
    reveals: dict[str, tuple[bytes, str]] = {}
    for i, person in enumerate(people):
        if i in how.withheld:
            continue
        witness, secret, signature = check_reveal_file(
            manifest, reveal_file(digest, person.id, person.secret, person.key)
        )
        reveals[witness] = (secret, signature)
        log.append(
            at=_time(10, i),
            actor=f"witness {witness}",
            action="witness.revealed",
            details={"witness": witness, "secret": secret.hex()},
        )
    checkpoint = Checkpoint(
        digest,
        CLOSED_AT,
        tuple((p.id, reveals[p.id][0] if p.id in reveals else None) for p in people),
    )
    cp_digest = checkpoint_digest(checkpoint)
    revealed = [p for p in people if p.id in reveals]
    log.append(
        at=CLOSED_AT,
        actor="operator",
        action="ceremony.checkpoint",
        details={"checkpoint": cp_digest.hex()},
    )
    used = "fallback" if how.use_fallback else "primary"
    statement = BeaconStatement(
        manifest_digest=digest,
        checkpoint_digest=cp_digest,
        used=used,
        value=beacon_value(how, label),
        proof=None,
    )
    source = manifest.beacon.fallback if how.use_fallback else manifest.beacon.primary
    assert source is not None
    log.append(
        at=source.at[:-3] + "30Z",
        actor="operator",
        action="ceremony.beacon",
        details={
            "beacon": beacon_statement_digest(statement).hex(),
            "used": statement.used,
            "value": statement.value,
        },
    )
    head = log.head_now()
    ceremony = form_ceremony(
        manifest,
        reveals=reveals,
        closed_at=CLOSED_AT,
        checkpoint_signatures={
            p.id: witness_sign("checkpoint", cp_digest, p.key) for p in revealed
        },
        beacon=statement,
        beacon_signatures={
            p.id: witness_sign("beacon", beacon_statement_digest(statement), p.key)
            for p in revealed
        },
        audit=head,
    )
    return head, ceremony


def test_draw(
    rules: DrawRules,
    children: Sequence[Child],
    *,
    label: str = "test",
    how: Ceremonial = Ceremonial(),
    records: Sequence[PublicRecord] | None = None,
    signing_key: Ed25519PrivateKey | None = None,
    rehearsals: Sequence[str] = (),
) -> tuple[DrawResult, AuditLog]:
    """Seal, reveal, co-sign, form the seed and run a test draw; its audit log ends with
    `draw.run` (§15.3). `records`, if given, are sealed instead of the children's; each text
    of `rehearsals` is rehearsed after sealing and logged as `rehearsal.run` with the digest
    of its results document (§15.3, §16)."""
    key = signing_key or signing_test_key()
    sealed, log = seal_with_log(
        rules, children, label=label, how=how, records=records, signing_key=key
    )
    for minute, text in enumerate(rehearsals, start=3):
        _, signature = rehearse(sealed, text, key)
        log.append(
            at=f"2026-07-01T02:{minute:02d}:00Z",
            actor="operator",
            action="rehearsal.run",
            details={"text": text, "results": signature["digest"]},
        )
    head, ceremony = ceremony_for(
        sealed.manifest, sealed.manifest_digest, log, label=label, how=how
    )
    result = run_draw(sealed, ceremony, key, audit=head)
    log.append(
        at=log.entries[-1]["at"][:-3] + "45Z",
        actor="operator",
        action="draw.run",
        details={"seed": ceremony.seed.hex(), "results": result.results_digest.hex()},
    )
    return result, log


test_draw.__test__ = False  # type: ignore[attr-defined]  # a helper, not a pytest test


def run_test_draw(
    rules: DrawRules,
    children: Sequence[Child],
    *,
    label: str = "test",
    how: Ceremonial = Ceremonial(),
) -> DrawResult:
    """Seal, reveal, form the seed and run a test draw."""
    return test_draw(rules, children, label=label, how=how)[0]


def write_test_bundle(
    directory: Any,
    result: DrawResult,
    log: AuditLog,
    *,
    actions: dict[str, Any] | None = None,
    documents: Sequence[tuple[str, str, bytes]] = (),
    signing_key: Ed25519PrivateKey | None = None,
) -> None:
    """Write the bundle of a test draw, signed with the TEST key (or `signing_key`)."""
    write_bundle(
        directory,
        result,
        log=log,
        signing_key=signing_key or signing_test_key(),
        actions=actions,
        documents=documents,
    )


def plain_school(seats: int, school_id: str = "S01", **extra: object) -> School:
    """A school with one general tier."""
    return School(id=school_id, name=f"School {school_id}", seats=seats, tiers=tiers("G"), **extra)  # type: ignore[arg-type]
