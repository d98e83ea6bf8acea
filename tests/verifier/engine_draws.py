"""Draws made with the engine (`lottery` public API) for the verifier's differential tests.

Everything derives from stated texts (SHA-256 of a label), so the same spec gives the same bundle.
`DrawSpec` describes a draw in plain data; `draw_specs()` is a hypothesis strategy over every mode.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    beacon: str | None  # the hex64 value of the quicknet beacon, or None for a fixed one
    # Post-draw actions (§14), in batches (§12.7): each `(type, whom)`, `whom` "twin" (an
    # admitted group member, else any admitted child), "admitted", or an applicant's index.
    batches: tuple[tuple[tuple[str, str | int], ...], ...] = ()


def private_record(application: str) -> engine.PrivateRecord:
    """The personal part of an applicant: a fixed ID number, a name and a derived receipt."""
    return engine.PrivateRecord(
        application=application,
        id_number="11010120150101001X",
        name="张小" + application,
        receipt=engine.make_receipt_code(secret("receipt " + application)[:10]),
    )


QUICKNET = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
QUICKNET_ROUND = 30_023_812  # 2026-07-01T03:00:00Z, an hour after SEALED_AT
CLOSED_AT = "2026-07-01T02:30:00Z"


def build_draw(
    spec: DrawSpec, key: Ed25519PrivateKey | None = None
) -> tuple[engine.DrawResult, engine.AuditLog]:
    """Seal, hold the ceremony (§7: signed reveals, co-signed checkpoint and beacon statement)
    and run the draw the spec describes, with the engine; every step logged (§15.3)."""
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
    people = [
        (
            f"W{i}",
            Ed25519PrivateKey.from_private_bytes(secret(f"witness key {i}")),
            secret(f"witness {i}"),
        )
        for i in range(spec.witnesses)
    ]
    log = engine.AuditLog("D-test")
    witnesses = []
    for w, wkey, s in people:
        witness = engine.check_commitment_file(
            engine.commitment_file("D-test", w, "Witness " + w, wkey, s), "D-test"
        )
        details = {"witness": w, "commitment": witness.commitment, "public_key": witness.public_key}
        log.append(
            at="2026-07-01T01:00:00Z",
            actor="witness " + w,
            action="witness.committed",
            details=details,
        )
        witnesses.append(witness)
    at = engine.drand_round_time(QUICKNET, QUICKNET_ROUND)
    beacon = engine.Beacon(
        primary=engine.BeaconSource(f"drand:{QUICKNET}", str(QUICKNET_ROUND), "hex64", at)
    )
    sealed = engine.seal(
        rules=rules, records=records, witnesses=witnesses, min_reveals=spec.min_reveals,
        beacon=beacon, signing_key=key, sealed_at=SEALED_AT, audit=log.head,
    )  # fmt: skip
    digest = sealed.manifest_digest
    log.append(
        at=SEALED_AT, actor="operator", action="draw.sealed", details={"manifest": digest.hex()}
    )
    reveals = {}
    for (w, wkey, s), shown in zip(people, spec.reveals, strict=True):
        if shown:
            _, _, signature = engine.check_reveal_file(
                sealed.manifest, engine.reveal_file(digest, w, s, wkey)
            )
            reveals[w] = (s, signature)
            log.append(at="2026-07-01T02:10:00Z", actor="witness " + w, action="witness.revealed",
                       details={"witness": w, "secret": s.hex()})  # fmt: skip
    checkpoint = engine.Checkpoint(
        digest, CLOSED_AT, tuple((w, reveals[w][0] if w in reveals else None) for w, _, _ in people)
    )
    c_digest = engine.checkpoint_digest(checkpoint)
    log.append(
        at=CLOSED_AT,
        actor="operator",
        action="ceremony.checkpoint",
        details={"checkpoint": c_digest.hex()},
    )
    value = spec.beacon if spec.beacon is not None else secret("beacon").hex()
    statement = engine.BeaconStatement(digest, c_digest, "primary", value, None)
    b_digest = engine.beacon_statement_digest(statement)
    log.append(at="2026-07-01T03:00:30Z", actor="operator", action="ceremony.beacon",
               details={"beacon": b_digest.hex(), "used": "primary", "value": value})  # fmt: skip
    revealed = [(w, wkey) for w, wkey, _ in people if w in reveals]
    ceremony = engine.form_ceremony(
        sealed.manifest, reveals=reveals, closed_at=CLOSED_AT,
        checkpoint_signatures={w: engine.witness_sign("checkpoint", c_digest, k) for w, k in revealed},
        beacon=statement,
        beacon_signatures={w: engine.witness_sign("beacon", b_digest, k) for w, k in revealed},
        audit=log.head_now(),
    )  # fmt: skip
    result = engine.run_draw(sealed, ceremony, key, audit=log.head_now())
    log.append(at="2026-07-01T03:00:45Z", actor="operator", action="draw.run",
               details={"seed": ceremony.seed.hex(), "results": result.results_digest.hex()})  # fmt: skip
    return result, log


def write_draw(spec: DrawSpec, directory: Path, key: Ed25519PrivateKey | None = None) -> Path:
    result, log = build_draw(spec, key)
    actions = record_actions(spec, result, log, key or key_from_label())
    engine.write_bundle(
        directory, result, log=log, signing_key=key or key_from_label(), actions=actions
    )
    return directory


def record_actions(
    spec: DrawSpec, result: engine.DrawResult, log: engine.AuditLog, key: Ed25519PrivateKey
) -> dict[str, Any] | None:
    """The spec's batches of post-draw actions, as the service records them (§14.3, §15.3):
    moves from the engine's replay (§14.2), the actions document signed at the log's head,
    then `actions.recorded`; the engine makes a results head per batch (§12.7)."""
    from lottery.allocation import PostDrawAction, replay_actions

    problem, allocation = result.problem, result.allocation
    ids, schools = list(problem.applicant_ids), [s.id for s in problem.schools]
    rows = {row[0]: row for row in result.results["applicants"]}
    grouped = {a.application for a in spec.applicants if a.group is not None}
    entries: list[engine.ActionEntry] = []
    document = None
    for b, batch in enumerate(spec.batches):
        for kind, whom in batch:
            gone = {e.application for e in entries}
            admitted = [a for a in ids if rows[a][2] == "admitted" and a not in gone]
            twins = [a for a in admitted if a in grouped]
            pool = (twins or admitted) if whom in ("twin", "admitted") else [
                a for a in ids if a not in gone]  # fmt: skip
            if not pool:
                continue
            application = pool[0] if isinstance(whom, str) else pool[whom % len(pool)]
            removed = [PostDrawAction(e.type, ids.index(e.application)) for e in entries]
            removed.append(PostDrawAction(kind, ids.index(application)))  # type: ignore[arg-type]
            moves = replay_actions(problem, allocation, tuple(removed))[1][-1]
            entries.append(engine.ActionEntry(
                seq=len(entries) + 1, type=kind, application=application,  # type: ignore[arg-type]
                at=f"2026-07-{10 + b:02d}T01:00:00Z",
                moves=tuple((ids[m.applicant], None if m.from_school is None else schools[m.from_school],
                             schools[m.to_school]) for m in moves),
            ))  # fmt: skip
            log.append(at=f"2026-07-{10 + b:02d}T01:00:00Z", actor="operator",
                       action="action.recorded", details={"application": application})  # fmt: skip
        if not entries or (document is not None and len(document["actions"]) == len(entries)):
            continue  # an empty batch records nothing
        document = engine.actions_document(results_digest=result.results_digest.hex(),
                                           entries=entries, audit=log.head_now())  # fmt: skip
        log.append(at=f"2026-07-{10 + b:02d}T01:00:00Z", actor="operator", action="actions.recorded",
                   details={"actions": engine.actions_digest(document).hex(), "count": len(entries)})  # fmt: skip
    return document


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
    whom = st.one_of(st.just("twin"), st.just("admitted"), st.integers(0, 99))
    action = st.tuples(st.sampled_from(["decline", "disqualify"]), whom)
    batches = draw(st.lists(st.lists(action, min_size=1, max_size=3), max_size=3))
    return DrawSpec(
        batches=tuple(tuple(batch) for batch in batches),
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
