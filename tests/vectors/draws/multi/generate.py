"""Generate the multi-school draw vectors: complete public bundles, byte for byte.

Run from the repository root: `.venv/bin/python tests/vectors/draws/multi/generate.py` (writes
into tests/vectors/draws/multi/). Every secret derives by SHA-256 from a stated label
(tests/lottery/sample_draws.py); the bundles are signed with the TEST key. The test
`tests/lottery/test_allocation_vectors.py` re-runs this generator into a temporary directory and
requires the committed files to be identical.

Post-draw actions (§14): the moves come from `lottery.allocation.replay`; the actions document
holds the audit head when it is signed, and the log then records `actions.recorded` (§15.3).
Beacons: quicknet drand in most, the chained mainnet in 03 and 06, a decimal beacon in 04 and
07 (§7.2).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[3]), str(HERE.parents[2] / "lottery")]

from sample_draws import Ceremonial, Child, test_draw, tiers, write_test_bundle  # noqa: E402

from lottery import (  # noqa: E402
    ActionEntry,
    AuditLog,
    ClassPolicy,
    DrawResult,
    ReservedSeats,
    School,
    actions_digest,
    actions_document,
    read_bundle,
    second_round_inputs,
)
from lottery.allocation import PostDrawAction, replay_actions  # noqa: E402
from lottery.manifest import Category, DrawRules  # noqa: E402

ACTIONS_AT = "2026-07-03T01:00:00Z"


def _rules(
    schools: list[School],
    mode: str,
    *,
    categories: tuple[str, ...] = (),
    tie_breaking: str = "single",
    max_preferences: int = 3,
) -> DrawRules:
    return DrawRules(
        draw_id="TEST-MULTI-2026",
        title="Test multi-school draw",
        authority="Test bureau",
        mode=mode,
        schools=tuple(schools),
        categories=tuple(Category(id=c, label=f"category {c}") for c in categories),
        tie_breaking=tie_breaking,  # type: ignore[arg-type]
        max_preferences=max_preferences,
    )


def _school(sid: str, seats: int, *tier_ids: str, **extra: Any) -> School:
    return School(
        id=sid, name=f"School {sid}", seats=seats, tiers=tiers(*(tier_ids or ("G",))), **extra
    )


def _preferences(i: int) -> tuple[str, ...]:
    """A fixed spread of lists over S01..S04: popular S01, lists of length 1 to 3."""
    lists = [
        ("S01", "S02", "S03"),
        ("S01", "S03"),
        ("S02", "S01", "S04"),
        ("S01",),
        ("S03", "S04", "S01"),
        ("S01", "S04"),
        ("S04", "S02"),
    ]
    return lists[i % len(lists)]


def _children(n: int, *, groups: dict[int, str] | None = None, **by_index: Any) -> list[Child]:
    """Children C000.. with spread preferences; a group's members take its first member's list."""
    groups = groups or {}
    first_of: dict[str, int] = {}
    out = []
    for i in range(n):
        group = groups.get(i)
        leader = first_of.setdefault(group, i) if group else i
        tiers_of = by_index.get("tiers", {}).get(i, {})
        category = by_index.get("categories", {}).get(leader)
        out.append(
            Child(
                f"C{i:03d}",
                preferences=_preferences(leader),
                tiers=tiers_of,
                category=category,
                group=group,
                sex="M" if i % 3 else "F",
            )
        )
    return out


def _four_schools(**extra: Any) -> list[School]:
    return [
        _school("S01", 4, "SIB", "HOME", "G", **extra),
        _school("S02", 3, "SIB", "HOME", "G"),
        _school("S03", 3, "SIB", "HOME", "G"),
        _school("S04", 5, "SIB", "HOME", "G"),
    ]


TIERS = {
    2: {"S01": "HOME"},
    5: {"S01": "SIB"},
    9: {"S02": "HOME", "S01": "HOME"},
    13: {"S03": "SIB"},
}
GROUPS = {6: "TWINS-A", 7: "TWINS-A", 14: "TRIPLETS", 15: "TRIPLETS", 16: "TRIPLETS"}


def draw_da_single() -> tuple[DrawRules, list[Child]]:
    return _rules(_four_schools(), "deferred_acceptance"), _children(22, tiers=TIERS)


def draw_da_multiple() -> tuple[DrawRules, list[Child]]:
    rules = _rules(_four_schools(), "deferred_acceptance", tie_breaking="multiple")
    return rules, _children(22, tiers=TIERS)


def draw_da_reserved_groups() -> tuple[DrawRules, list[Child]]:
    schools = _four_schools(reserved=(ReservedSeats("MIG", 1), ReservedSeats("MIL", 1)))
    rules = _rules(schools, "deferred_acceptance", categories=("MIG", "MIL"))
    categories = {3: "MIG", 10: "MIG", 17: "MIG", 6: "MIL", 11: "MIL"}
    return rules, _children(24, groups=GROUPS, tiers=TIERS, categories=categories)


def draw_ia() -> tuple[DrawRules, list[Child]]:
    return _rules(_four_schools(), "immediate_acceptance"), _children(
        22, groups=GROUPS, tiers=TIERS
    )


def draw_ia_reserved_after_open() -> tuple[DrawRules, list[Child]]:
    """§9.1 step 2 with `size(u) <= remaining`: in round one S01's two seats (one reserved for
    MIG, unused) go to open applicants and S02 fills with its HOME tier; the MIG children
    rejected there apply to S01 in round two and find no seat, though `avail` is still 1."""
    schools = [
        _school("S01", 2, reserved=(ReservedSeats("MIG", 1),)),
        _school("S02", 3, "HOME", "G"),
    ]
    rules = _rules(schools, "immediate_acceptance", categories=("MIG",), max_preferences=2)
    home = {"S02": "HOME"}
    children = [
        Child("C000", preferences=("S01",)),
        Child("C001", preferences=("S01",), sex="M"),
        Child("C002", preferences=("S01",)),
        Child("C003", preferences=("S02", "S01"), category="MIG", sex="M"),
        Child("C004", preferences=("S02", "S01"), category="MIG"),
        Child("C005", preferences=("S02",), tiers=home, sex="M"),
        Child("C006", preferences=("S02",), tiers=home),
        Child("C007", preferences=("S02",), tiers=home, sex="M"),
    ]
    return rules, children


def draw_zone_siblings() -> tuple[DrawRules, list[Child]]:
    schools = [
        _school("Z01", 5, "SIB", "G"),
        _school("Z02", 5, "SIB", "G"),
        _school("Z03", 6, "SIB", "G"),
    ]
    rules = _rules(schools, "zone_assignment", max_preferences=1)
    sibling = {0: "Z01", 4: "Z02", 8: "Z03", 12: "Z01", 13: "Z02"}
    children = [
        Child(
            f"C{i:03d}",
            preferences=(),
            tiers={sibling[i]: "SIB"} if i in sibling else {},
            group="TWINS-Z" if i in (5, 6) else None,
            sex="M" if i % 2 else "F",
        )
        for i in range(15)
    ]
    return rules, children


def draw_classes(twins: str) -> Callable[[], tuple[DrawRules, list[Child]]]:
    def build() -> tuple[DrawRules, list[Child]]:
        policy = ClassPolicy(count=None, max_size=3, twins=twins)  # type: ignore[arg-type]
        schools = _four_schools(classes=policy)
        schools[3] = _school("S04", 5, "SIB", "HOME", "G", classes=ClassPolicy(2, 45, twins))  # type: ignore[arg-type]
        return _rules(schools, "deferred_acceptance"), _children(24, groups=GROUPS, tiers=TIERS)

    return build


def draw_ia_avail_across_rounds() -> tuple[DrawRules, list[Child]]:
    """§10.4 (review item 22): a reserved entry's `avail` is its seats minus the units that
    earlier rounds gave that label. S01 (4 seats, 1 for MIG): round one gives the reserved seat
    to C000 and an open one to C001; in round two `avail` is 0, so the MIG child C004 competes
    for the 2 open seats and loses to C002 and C003 (tier T1); were `avail` reset to 1, C004
    would take a seat. S02 (3 seats, 1 for MIG): C006 gets the reserved seat in round one; C007
    (MIG, better tier) comes in round two and is admitted with the label of its round, `open`
    (`Choose(S02, A(S02))` would have labelled it reserved). S03 takes C005 (tier T1) and
    rejects the others in round one."""
    schools = [
        _school("S01", 4, "T1", "T2", "G", reserved=(ReservedSeats("MIG", 1),)),
        _school("S02", 3, "T1", "G", reserved=(ReservedSeats("MIG", 1),)),
        _school("S03", 1, "T1", "G"),
    ]
    rules = _rules(schools, "immediate_acceptance", categories=("MIG",), max_preferences=2)
    children = [
        Child("C000", preferences=("S01",), category="MIG"),
        Child("C001", preferences=("S01",), sex="M"),
        Child("C002", preferences=("S03", "S01"), tiers={"S01": "T1"}),
        Child("C003", preferences=("S03", "S01"), tiers={"S01": "T1"}, sex="M"),
        Child("C004", preferences=("S03", "S01"), tiers={"S01": "T2"}, category="MIG"),
        Child("C005", preferences=("S03",), tiers={"S03": "T1"}, sex="M"),
        Child("C006", preferences=("S02",), category="MIG"),
        Child("C007", preferences=("S03", "S02"), tiers={"S02": "T1"}, category="MIG", sex="M"),
    ]
    return rules, children


def draw_da_late_displaced_group() -> tuple[DrawRules, list[Child]]:
    """§10.3 then §10.9: round one, S01 (2 seats) holds the twins TW-G (tier T2) and rejects
    X = C002 (T3), who goes to S02; round two, B = C003 (T1 at S01, rejected by S02) displaces
    the twins at S01, which keeps one seat free (the twins do not fit in it). Deferred
    acceptance ends with that seat free while C002, who listed S01 first, sits at S02. `Fill`
    moves C002 up to S01, and the seat C002 leaves at S02 goes to C005, who listed S02 first
    and sat at S03. The twins stay at S03, above S01's open cutoff but not admitted there
    (`passed_over` 2: two applicants, §10.8)."""
    schools = [
        _school("S01", 2, "T1", "T2", "T3", "G"),
        _school("S02", 2, "T1", "T2", "T3", "G"),
        _school("S03", 3),
    ]
    rules = _rules(schools, "deferred_acceptance")
    twins = ("S01", "S03")
    children = [
        Child("C000", preferences=twins, tiers={"S01": "T2"}, group="TW-G"),
        Child("C001", preferences=twins, tiers={"S01": "T2"}, group="TW-G", sex="M"),
        Child("C002", preferences=("S01", "S02", "S03"), tiers={"S01": "T3", "S02": "T2"}),
        Child("C003", preferences=("S02", "S01"), tiers={"S01": "T1"}, sex="M"),
        Child("C004", preferences=("S02",), tiers={"S02": "T1"}),
        Child("C005", preferences=("S02", "S03"), tiers={"S02": "T3"}, sex="M"),
    ]
    return rules, children


def draw_da_round_structure() -> tuple[DrawRules, list[Child]]:
    """§10.3 (review item 21): with groups, the normative rounds (every unit held nowhere
    proposes at once, then each school chooses once) give another result than one proposal at
    a time. Rounds (then §10.9, which moves nobody): C000 at S01, C005 and C006 at S03, C004
    at S04, the pair G2 at S02, the triplets G1 unplaced. One proposal at a time, units queued
    in key order, gives C000 at S02, C005 at S01 and leaves G2 unplaced too. Found by a search
    over small draws with this case's label (every value below is fixed)."""
    schools = [
        _school("S01", 1, "T1", "G"),
        _school("S02", 2, "T1", "G"),
        _school("S03", 3, "T1", "G"),
        _school("S04", 1, "T1", "G"),
    ]
    rules = _rules(schools, "deferred_acceptance", max_preferences=4)
    g1, g2 = ("S02", "S03", "S04"), ("S03", "S02")
    children = [
        Child("C000", preferences=("S01", "S02", "S03"), tiers={"S02": "T1", "S04": "T1"}),
        Child("C001", preferences=g1, tiers={"S03": "T1"}, group="G1", sex="M"),
        Child("C002", preferences=g1, group="G1"),
        Child("C003", preferences=g1, group="G1", sex="M"),
        Child("C004", preferences=("S04", "S01", "S03"), tiers={"S04": "T1"}),
        Child("C005", preferences=("S04", "S02", "S03", "S01"), sex="M"),
        Child("C006", preferences=("S02", "S03", "S04", "S01"), tiers={"S03": "T1"}),
        Child("C007", preferences=g2, tiers={"S02": "T1", "S04": "T1"}, group="G2", sex="M"),
        Child("C008", preferences=g2, group="G2"),
    ]
    return rules, children


def draw_zone_without_room() -> tuple[DrawRules, list[Child]]:
    """§10.10: two schools of 3 seats and three pairs of twins. Six seats for six children,
    but no school has room for the third pair after each holds one: it ends unplaced and is
    named in `groups_without_room`; one seat is free at each school (§6.5 warns of this at
    sealing)."""
    schools = [_school("Z01", 3, "SIB", "G"), _school("Z02", 3, "SIB", "G")]
    rules = _rules(schools, "zone_assignment", max_preferences=1)
    children = [
        Child(f"C{i:03d}", preferences=(), group=f"PAIR-{i // 2 + 1}", sex="M" if i % 2 else "F")
        for i in range(6)
    ]
    return rules, children


def draw_zone_fill_places_group() -> tuple[DrawRules, list[Child]]:
    """§10.5 then §10.9: deferred acceptance on the generated lists leaves the triplets G0
    unplaced: Z02 held them until the pair G2 (tier A there) came in round two; Z01 (one seat
    left beside two tier-A children) and Z03 (C009 and the pair G1 ahead of them) have no room
    for three. It ends with 1, 2 and 1 free seats. `Fill` moves G1 up from Z03 to Z02, its
    earlier choice, which leaves Z03 with 3 free seats, and places G0 there: nobody stays
    unplaced while a school has room for it whole. Found by a search over small zones with
    this case's label (every value below is fixed)."""
    schools = [
        _school("Z01", 3, "A", "B", "G"),
        _school("Z02", 4, "A", "B", "G"),
        _school("Z03", 4, "A", "B", "G"),
    ]
    rules = _rules(schools, "zone_assignment", max_preferences=1)
    tiers_of = [
        ({"Z02": "B"}, "G0", 3),
        ({"Z02": "B", "Z03": "B"}, "G1", 2),
        ({"Z01": "A", "Z02": "A"}, "G2", 2),
        ({"Z01": "A"}, None, 1),
        ({"Z01": "A"}, None, 1),
        ({"Z01": "A", "Z03": "A"}, None, 1),
    ]
    children: list[Child] = []
    for tiers_, group, size in tiers_of:
        for _ in range(size):
            i = len(children)
            children.append(
                Child(f"C{i:03d}", (), dict(tiers_), None, group, "M" if i % 2 else "F")
            )
    return rules, children


def draw_da_replay_batches() -> tuple[DrawRules, list[Child]]:
    """§14.2 (review item 37) with groups, in three batches (BATCHES). The draw leaves one seat
    free at S01 (the twins TW and the pair P do not fit in it); TW hold S02. Batch 1: twin
    C002 declines; `Fill` runs on S02 then S01: C005 moves up from S03 to S02, the other twin
    C003, now alone, takes the single seat at S01, S03 passes over the pair P (2 > 1) and takes
    C012, S02 takes C010. Batch 2: C000 is disqualified (S01 passes over P again); then C008 of
    P, who holds no seat, declines: C009, now alone, takes the seat at S01. Batch 3: C011, who
    holds no seat, declines (nobody moves); C004 declines at S02: C012 moves up from S03 and
    C007 takes its seat there."""
    schools = [
        _school(s, n, "T1", "T2", "T3", "T4", "G") for s, n in (("S01", 3), ("S02", 3), ("S03", 2))
    ]
    rules = _rules(schools, "deferred_acceptance")
    twins, pair = ("S01", "S02"), ("S01", "S03")
    children = [
        Child("C000", ("S01",), {"S01": "T1"}),
        Child("C001", ("S01",), {"S01": "T1"}, sex="M"),
        Child("C002", twins, {"S01": "T2", "S02": "T2"}, group="TW"),
        Child("C003", twins, {"S01": "T2", "S02": "T2"}, group="TW", sex="M"),
        Child("C004", ("S02", "S03"), {"S02": "T1"}),
        Child("C005", ("S02", "S03"), {"S02": "T3", "S03": "T2"}, sex="M"),
        Child("C006", ("S03",), {"S03": "T1"}),
        Child("C007", ("S03",), {"S03": "T4"}, sex="M"),
        Child("C008", pair, {"S01": "T3", "S03": "T2"}, group="P"),
        Child("C009", pair, {"S01": "T3", "S03": "T2"}, group="P", sex="M"),
        Child("C010", ("S02",), {"S02": "T4"}),
        Child("C011", ("S03",), {}, sex="M"),
        Child("C012", ("S02", "S03"), {"S03": "T3"}),
    ]
    return rules, children


# Post-draw actions recorded in batches (§12.7 item 3, §15.3): each inner list is one batch,
# signed and logged with its own `actions.recorded` entry, so each gives a results head.
BATCHES = {
    # Zone assignment (§14.2): nobody moves. C004 of the pair without room (unplaced) declines;
    # C000 is disqualified at Z01. Case 16 is the second round of what is left (§14.5).
    "13-zone-group-without-room": [[("decline", "C004"), ("disqualify", "C000")]],
    "15-da-replay-batches": [
        [("decline", "C002")],
        [("disqualify", "C000"), ("decline", "C008")],
        [("decline", "C011"), ("decline", "C004")],
    ],
}


def _batched_actions(
    result: DrawResult, log: AuditLog, batches: list[list[tuple[str, str]]]
) -> dict[str, Any]:
    """Replay every action (§14.2), then record them batch by batch: for each batch the
    actions document of every action so far, holding the audit head when it is signed, and an
    `actions.recorded` entry naming its digest and count (§14.3, §15.3). Returns the last
    document (the bundle's `actions.json`)."""
    problem = result.problem
    ids = list(problem.applicant_ids)
    school_ids = [s.id for s in problem.schools]
    chosen = [action for batch in batches for action in batch]
    actions = tuple(PostDrawAction(kind, ids.index(a)) for kind, a in chosen)  # type: ignore[arg-type]
    _, moves = replay_actions(problem, result.allocation, actions)
    entries = [
        ActionEntry(
            seq=seq,
            type=action.kind,
            application=ids[action.applicant],
            at=f"2026-07-{2 + seq:02d}T01:00:00Z",
            moves=tuple(
                (
                    ids[m.applicant],
                    None if m.from_school is None else school_ids[m.from_school],
                    school_ids[m.to_school],
                )
                for m in action_moves
            ),
        )
        for seq, (action, action_moves) in enumerate(zip(actions, moves, strict=True), start=1)
    ]
    count = 0
    document: dict[str, Any] = {}
    for batch in batches:
        count += len(batch)
        document = actions_document(
            results_digest=result.results_digest.hex(),
            entries=entries[:count],
            audit=log.head_now(),
        )
        log.append(
            at=entries[count - 1].at[:-3] + "30Z",
            actor="operator",
            action="actions.recorded",
            details={"actions": actions_digest(document).hex(), "count": count},
        )
    return document


def draw_da_actions() -> tuple[DrawRules, list[Child]]:
    return draw_da_reserved_groups()


def _actions_document(result: DrawResult, log: AuditLog) -> dict[str, Any]:
    """Post-draw actions of §14: decline the first admitted child of S01, disqualify one
    twin, decline a child holding a seat it listed second or later."""
    problem, allocation = result.problem, result.allocation
    ids = list(problem.applicant_ids)
    school_ids = [s.id for s in problem.schools]
    unit_school = allocation.unit_school[problem.applicant_unit].tolist()
    first_s01 = next(a for a, s in enumerate(unit_school) if s == 0)
    twin = ids.index("C006")
    later = next(
        a
        for a, s in enumerate(unit_school)
        if s > 0
        and a not in (first_s01, twin)
        and problem.unit_size[problem.applicant_unit[a]] == 1
    )
    chosen = [("decline", first_s01), ("disqualify", twin), ("decline", later)]
    actions = tuple(PostDrawAction(kind, a) for kind, a in chosen)  # type: ignore[arg-type]
    _, moves = replay_actions(problem, allocation, actions)
    entries = [
        ActionEntry(
            seq=seq,
            type=action.kind,
            application=ids[action.applicant],
            at=ACTIONS_AT,
            moves=tuple(
                (
                    ids[m.applicant],
                    None if m.from_school is None else school_ids[m.from_school],
                    school_ids[m.to_school],
                )
                for m in action_moves
            ),
        )
        for seq, (action, action_moves) in enumerate(zip(actions, moves, strict=True), start=1)
    ]
    document = actions_document(
        results_digest=result.results_digest.hex(), entries=entries, audit=log.head_now()
    )
    log.append(
        at=ACTIONS_AT,
        actor="operator",
        action="actions.recorded",
        details={"actions": actions_digest(document).hex(), "count": len(entries)},
    )
    return document


DRAWS: list[tuple[str, Callable[[], tuple[DrawRules, list[Child]]]]] = [
    ("01-da-single-tie-breaking", draw_da_single),
    ("02-da-multiple-tie-breaking", draw_da_multiple),
    ("03-da-reserved-groups-tiers", draw_da_reserved_groups),
    ("04-immediate-acceptance", draw_ia),
    ("05-ia-reserved-after-open-seats", draw_ia_reserved_after_open),
    ("06-zone-assignment-siblings", draw_zone_siblings),
    ("07-da-classes-apart", draw_classes("apart")),
    ("08-da-classes-together", draw_classes("together")),
    ("09-da-post-draw-actions", draw_da_actions),
    ("10-ia-reserved-avail-across-rounds", draw_ia_avail_across_rounds),
    ("11-da-groups-round-structure", draw_da_round_structure),
    ("12-da-free-seat-late-displaced-group", draw_da_late_displaced_group),
    ("13-zone-group-without-room", draw_zone_without_room),
    ("14-zone-free-seat-places-group", draw_zone_fill_places_group),
    ("15-da-replay-batches", draw_da_replay_batches),
]


# Second rounds (§14.5): (second case, first case it derives from, why).
SECOND_ROUNDS = [
    (
        "16-zone-second-round",
        "13-zone-group-without-room",
        "the seats left at Z01 (2) and Z02 (1) and the one child left without a seat, C005,"
        " whose group PAIR-3 (C004 declined) becomes null",
    ),
]


def second_round(first: Path, name: str) -> tuple[DrawResult, AuditLog]:
    """The second round of the bundle `first` (§14.5): its rules and records derived by the
    engine from the published bundle, then an ordinary test draw of its own."""
    inputs = second_round_inputs(read_bundle(first))
    rules = inputs.rules(
        draw_id="TEST-MULTI-2026-R2", title="Test second round", authority="Test bureau"
    )
    return test_draw(rules, [], label=f"vector multi {name}", records=inputs.records)


CEREMONIES = {
    "03-da-reserved-groups-tiers": Ceremonial(beacon="mainnet"),
    "04-immediate-acceptance": Ceremonial(beacon="decimal", committed_entries=False),
    "06-zone-assignment-siblings": Ceremonial(beacon="mainnet", min_reveals=2, withheld=(0,)),
    "07-da-classes-apart": Ceremonial(beacon="decimal"),
}


def generate(out: Path) -> None:
    """Write every case under `out` (each case folder fresh)."""
    for name, build in DRAWS:
        shutil.rmtree(out / name, ignore_errors=True)
        rules, children = build()
        how = CEREMONIES.get(name, Ceremonial())
        result, log = test_draw(rules, children, label=f"vector multi {name}", how=how)
        actions = None
        if name.endswith("post-draw-actions"):
            actions = _actions_document(result, log)
        elif name in BATCHES:
            actions = _batched_actions(result, log, BATCHES[name])
        write_test_bundle(out / name, result, log, actions=actions)
    for name, first, _ in SECOND_ROUNDS:
        shutil.rmtree(out / name, ignore_errors=True)
        write_test_bundle(out / name, *second_round(out / first, name))
    pairs = [
        {"first": f"draws/multi/{first}", "second": f"draws/multi/{name}", "why": why}
        for name, first, why in SECOND_ROUNDS
    ]
    (out / "second-rounds.json").write_text(json.dumps(pairs, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    generate(HERE if len(sys.argv) < 2 else Path(sys.argv[1]))
