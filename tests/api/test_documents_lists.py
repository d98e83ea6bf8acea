"""The public lists behind the announcement and the workbook, and the draws the document tests
share (built with the engine's public API, read back with `read_bundle`), with and without
post-draw actions (§14)."""

from __future__ import annotations

import dataclasses
import functools
import json
import tempfile
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sample_draws import (
    Ceremonial,
    Child,
    record_for,
    rules_for,
    signing_test_key,
    tiers,
    write_test_bundle,
)
from sample_draws import test_draw as sample_test_draw

from api.documents import UnverifiedActions, results_xlsx
from api.documents.after_actions import after_actions
from api.documents.public_lists import lists_after_actions, public_lists
from lottery import (
    ActionEntry,
    AuditHead,
    AuditLog,
    Bundle,
    DrawResult,
    DrawRules,
    PrivateRecord,
    ReservedSeats,
    School,
    actions_digest,
    actions_document,
    canonical_json,
    read_bundle,
    sign_document,
    tagged_hash,
)
from lottery.allocation import PostDrawAction, replay_actions
from lottery.errors import InvalidRecord

_LOGS: weakref.WeakKeyDictionary[DrawResult, AuditLog] = weakref.WeakKeyDictionary()


def run_test_draw(
    rules: DrawRules,
    children: Sequence[Child],
    *,
    label: str = "test",
    how: Ceremonial | None = None,
) -> DrawResult:
    """`sample_draws.test_draw`, its audit log kept for `bundle_of`."""
    result, log = sample_test_draw(rules, children, label=label, how=how or Ceremonial())
    _LOGS[result] = log
    return result


def bundle_of(result: DrawResult, actions: Sequence[tuple[str, str]] = ()) -> Bundle:
    """Write the draw's bundle and read it back, as a publishing service would; with
    `actions` (type, application), also the signed actions document of §14.3 (moves from the
    engine's replay, action n recorded on day n + 1) and its `actions.recorded` entry."""
    log = AuditLog(_LOGS[result].draw, _LOGS[result].entries)
    document = None
    if actions:
        document = _actions_document(result, actions, log.head_now())
        log.append(
            at=document["actions"][-1]["at"],
            actor="operator",
            action="actions.recorded",
            details={"actions": actions_digest(document).hex(), "count": len(actions)},
        )
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "bundle"
        write_test_bundle(path, result, log, actions=document)
        return read_bundle(path)


def _actions_document(
    result: DrawResult, actions: Sequence[tuple[str, str]], head: AuditHead
) -> dict[str, Any]:
    problem, schools = result.problem, [s.id for s in result.problem.schools]
    index = {application: i for i, application in enumerate(problem.applicant_ids)}
    replayed = tuple(PostDrawAction(kind, index[a]) for kind, a in actions)  # type: ignore[arg-type]
    _, moves = replay_actions(problem, result.allocation, replayed)
    entries = [
        ActionEntry(
            seq=seq,
            type=kind,  # type: ignore[arg-type]
            application=application,
            at=f"2026-07-{seq + 1:02d}T09:00:00Z",
            moves=tuple(
                (
                    problem.applicant_ids[m.applicant],
                    None if m.from_school is None else schools[m.from_school],
                    schools[m.to_school],
                )
                for m in action_moves
            ),
        )
        for seq, ((kind, application), action_moves) in enumerate(
            zip(actions, moves, strict=True), start=1
        )
    ]
    return actions_document(results_digest=result.results_digest.hex(), entries=entries, audit=head)


def multi_rules(tie_breaking: str = "multiple") -> DrawRules:
    schools = [
        School(
            id="S01",
            name="第一小学",
            seats=5,
            tiers=tiers("SIB", "HOME", "G"),
            reserved=(ReservedSeats("MIG", 2),),
        ),
        School(id="S02", name="第二小学", seats=6, tiers=tiers("HOME", "G")),
        School(id="S03", name="实验小学", seats=4, tiers=tiers("G")),
    ]
    return rules_for(
        schools,
        categories=["MIG"],
        mode="deferred_acceptance",
        tie_breaking=tie_breaking,  # type: ignore[arg-type]
        max_preferences=3,
    )


def multi_children() -> list[Child]:
    lists = [("S01", "S02", "S03"), ("S02", "S01"), ("S03", "S01", "S02")]
    children = []
    for i in range(30):
        home = {"S01": "HOME"} if i % 4 == 0 else {}
        home |= {"S02": "HOME"} if i % 7 == 0 else {}
        children.append(
            Child(
                application=f"A{i:04d}",
                preferences=lists[i % 3],
                tiers=home,
                category="MIG" if i % 5 == 0 else None,
                sex="M" if i % 2 else "F",
            )
        )
    # twins: only the second has the sibling tier at S01; the group takes the best (§8.4)
    children.append(Child(application="A0100", preferences=("S01", "S02"), group="G1"))
    children.append(
        Child(application="A0101", preferences=("S01", "S02"), group="G1", tiers={"S01": "SIB"})
    )
    return children


@functools.cache
def multi_draw(tie_breaking: str = "multiple") -> tuple[DrawResult, Bundle]:
    """A deferred-acceptance draw: 3 schools, tiers, reserved seats, twins, 32 children."""
    result = run_test_draw(multi_rules(tie_breaking), multi_children(), label="documents")
    return result, bundle_of(result)


def privates(children: Sequence[Child], label: str = "documents") -> list[PrivateRecord]:
    return [record_for(child, label)[0] for child in children]


@dataclass(frozen=True)
class ActionsDraw:
    """`multi_draw` after two post-draw actions: `declined`, the first lone child admitted at
    S01, declines (action 1) and `moved`, first on S01's waitlist, takes the seat; `behind`,
    second on that waitlist, moves up; `disqualified`, third on it, is disqualified (action 2)."""

    result: DrawResult
    bundle: Bundle
    declined: str
    moved: str
    behind: str
    disqualified: str


@functools.cache
def actions_draw(tie_breaking: str = "multiple") -> ActionsDraw:
    result, bundle = multi_draw(tie_breaking)
    groups = {r.application for r in bundle.records if r.group is not None}
    s01 = bundle.results["schools"][0]
    declined = next(
        row[0] for row in bundle.results["applicants"] if row[3] == "S01" and row[0] not in groups
    )
    moved, behind, disqualified = s01["waitlist"][:3]
    actions = [("decline", declined), ("disqualify", disqualified)]
    return ActionsDraw(result, bundle_of(result, actions), declined, moved, behind, disqualified)


def published_after_actions(
    bundle: Bundle,
) -> tuple[dict[str, str | None], dict[str, list[str]], dict[str, int]]:
    """Each child's school, each school's waitlist and each moved child's last action, from
    the published documents alone: the assignment after the published moves, and §10.6
    applied to it (§14.2; a unit's members share their school, so per child is enough)."""
    document = json.loads(bundle.files["actions.json"])
    school = {row[0]: row[3] for row in bundle.results["applicants"]}
    removed = {action["application"] for action in document["actions"]}
    moved_by = {}
    for action in document["actions"]:
        school[action["application"]] = None
        for application, _, to_school in action["moves"]:
            school[application], moved_by[application] = to_school, action["seq"]
    listed = {r.application: list(r.preferences) for r in bundle.records}

    def waits(application: str, at: str) -> bool:
        held = school[application]
        return held is None or listed[application].index(held) > listed[application].index(at)

    waitlists = {
        entry["id"]: [a for a in entry["waitlist"] if a not in removed and waits(a, entry["id"])]
        for entry in bundle.results["schools"]
    }
    return school, waitlists, moved_by


def test_lists_follow_the_results_document() -> None:
    _, bundle = multi_draw()
    lists = public_lists(bundle)
    results = {entry["id"]: entry for entry in bundle.results["schools"]}
    rows = {row[0]: row for row in bundle.results["applicants"]}
    records = {r.application: r for r in bundle.records}
    order = {s.id: {t.id: i for i, t in enumerate(s.tiers)} for s in bundle.manifest.rules.schools}
    for school in lists.schools:
        entry = results[school.school_id]
        assert [a.application for a in school.waitlist] == entry["waitlist"]
        assert [a.position for a in school.waitlist] == list(range(1, len(entry["waitlist"]) + 1))
        assert school.admitted_count == entry["admitted"] == len(school.admitted)
        assert [(t, n) for t, _, n in school.by_tier] == [tuple(x) for x in entry["by_tier"]]
        for listed in school.admitted:
            row = rows[listed.application]
            assert (row[2], row[3], row[4]) == ("admitted", school.school_id, listed.label)
            assert listed.lottery_number == row[1]
        # the published per-tier counts count each child under its own tier (§12.2, §4.6);
        # the tier column shows the unit's, which ranked it (a twin may rank with a better one)
        per_tier = {t: 0 for t, _, _ in school.by_tier}
        last = school.by_tier[-1][0]
        for listed in school.admitted:
            per_tier[records[listed.application].tier_map.get(school.school_id, last)] += 1
            assert (
                order[school.school_id][listed.tier_id]
                <= order[school.school_id][
                    records[listed.application].tier_map.get(school.school_id, last)
                ]
            )
        assert [(t, n) for t, _, n in school.by_tier] == list(per_tier.items())
    totals = dict(lists.status_counts)
    assert sum(totals.values()) == 32


def test_twins_take_their_best_members_tier() -> None:
    _, bundle = multi_draw()
    s01 = public_lists(bundle).schools[0]
    listed = {a.application: a for a in (*s01.admitted, *s01.waitlist)}
    assert listed["A0100"].tier_id == listed["A0101"].tier_id == "SIB"


def test_single_tie_breaking_shows_the_childs_own_number() -> None:
    _, bundle = multi_draw("single")
    for school in public_lists(bundle).schools:
        for listed in (*school.admitted, *school.waitlist):
            assert listed.school_number == listed.lottery_number


def test_multiple_tie_breaking_orders_the_waitlist_by_the_school_number() -> None:
    _, bundle = multi_draw("multiple")
    for school in public_lists(bundle).schools:
        keys = [(a.tier_id, a.school_number) for a in school.waitlist]
        tier_order = {t: i for i, (t, _, _) in enumerate(school.by_tier)}
        ranked = [(tier_order[t], n) for t, n in keys]
        # twins share a unit and a number, so ties are allowed; otherwise strictly increasing
        assert ranked == sorted(ranked)
        assert any(a.school_number != a.lottery_number for a in school.waitlist)


@pytest.mark.parametrize("tie_breaking", ["single", "multiple"])
def test_lists_after_actions_follow_the_published_moves(tie_breaking: str) -> None:
    draw = actions_draw(tie_breaking)
    later = lists_after_actions(draw.bundle)
    assert later is not None
    school, waitlists, moved_by = published_after_actions(draw.bundle)
    assert (later.action_count, later.last_action_at) == (2, "2026-07-03T09:00:00Z")
    assert later.actions_digest == tagged_hash("actions", draw.bundle.files["actions.json"]).hex()
    for listed in later.schools:
        here = [a for a in school if school[a] == listed.school_id]  # application order
        assert [a.application for a in listed.admitted] == here
        assert len(here) <= listed.seats
        assert [a.moved_by for a in listed.admitted] == [moved_by.get(a) for a in here]
        assert [a.application for a in listed.waitlist] == waitlists[listed.school_id]
        assert [a.position for a in listed.waitlist] == list(range(1, len(listed.waitlist) + 1))
        for a in listed.admitted:  # a child moved in holds an open seat (§14.2)
            assert a.moved_by is None or a.label == "open"
    assert moved_by[draw.moved] == 1 and school[draw.moved] == "S01"
    counts = dict(later.status_counts)
    assert (counts["declined"], counts["disqualified"]) == (1, 1)
    assert sum(counts.values()) == 32
    # the draw-day lists are untouched: they are the signed results
    assert public_lists(draw.bundle).schools == public_lists(multi_draw(tie_breaking)[1]).schools


def test_without_actions_there_is_nothing_after_actions() -> None:
    _, bundle = multi_draw()
    assert after_actions(bundle) is None and lists_after_actions(bundle) is None


def _with_actions(bundle: Bundle, document: dict[str, Any], *, signed: bool = True) -> Bundle:
    """The bundle with `document` as its actions.json, signed with the draw's key or not."""
    key = signing_test_key() if signed else signing_test_key("another bureau's key")
    signature = sign_document("actions", actions_digest(document), key)
    files = {
        **bundle.files,
        "actions.json": canonical_json(document),
        "actions.sig.json": canonical_json(signature),
    }
    return dataclasses.replace(bundle, files=files)


def test_actions_that_do_not_check_out_print_nothing() -> None:
    draw = actions_draw()
    document = json.loads(draw.bundle.files["actions.json"])
    checks: list[tuple[Bundle, str]] = [
        (_with_actions(draw.bundle, document, signed=False), "signature"),
        (
            _with_actions(draw.bundle, {**document, "results": "00" * 32}),
            "made for results 0000",
        ),
    ]
    forged = json.loads(json.dumps(document))
    forged["actions"][0]["moves"] = [[draw.behind, None, "S01"]]  # the wrong child moves up
    checks.append((_with_actions(draw.bundle, forged), "the engine's replay gives"))
    twice = json.loads(json.dumps(document))
    twice["actions"][1]["application"] = draw.declined
    checks.append((_with_actions(draw.bundle, twice), "already removed"))
    unsigned = dict(draw.bundle.files)
    del unsigned["actions.sig.json"]
    checks.append((dataclasses.replace(draw.bundle, files=unsigned), "no actions.sig.json"))
    for bundle, message in checks:
        for render in (results_xlsx, lists_after_actions):
            with pytest.raises(UnverifiedActions, match=message):
                render(bundle)


def test_a_record_that_is_not_masked_is_never_printed() -> None:
    from lottery import public_record

    full_name = "欧阳娜娜"
    private = PrivateRecord(
        application="A0001",
        id_number="110101201901011234",
        name=full_name,
        receipt="0123456789ABCDEF",
    )
    leaked = public_record(
        private,
        category=None,
        group=None,
        preferences=("S01",),
        tiers={},
        sex="F",
        masked_name=full_name,
    )
    # The engine refuses to seal it (protocol §4.1.1), before any document could print it.
    with pytest.raises(InvalidRecord, match="A0001: masked_name") as caught:
        _draw_with_records([leaked])
    assert full_name not in str(caught.value)


def test_an_id_number_shown_in_full_is_refused() -> None:
    from lottery import public_record

    private = PrivateRecord(
        application="A0002",
        id_number="110101201901011234",
        name="张三丰",
        receipt="0123456789ABCDEF",
    )
    leaked = public_record(
        private,
        category=None,
        group=None,
        preferences=("S01",),
        tiers={},
        sex="M",
        masked_id="1101012019****1234",  # 14 characters show, the protocol allows 8
    )
    with pytest.raises(InvalidRecord, match="A0002: masked_id"):  # the engine refuses (§4.1.1)
        _draw_with_records([leaked])


def _draw_with_records(records: list[object]) -> DrawResult:
    rules = rules_for([School(id="S01", name="第一小学", seats=1, tiers=tiers("G"))])
    return sample_test_draw(rules, [], label="unmasked", records=records)[0]  # type: ignore[arg-type]
