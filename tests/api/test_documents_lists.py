"""The public lists behind the announcement and the workbook, and the draws the document tests
share (built with the engine's public API, read back with `read_bundle`)."""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from sample_draws import Child, record_for, rules_for, run_test_draw, tiers

from api.documents import UnmaskedPersonalData, announcement_pdf, results_xlsx
from api.documents.public_lists import public_lists
from lottery import (
    Bundle,
    DrawResult,
    DrawRules,
    PrivateRecord,
    ReservedSeats,
    School,
    read_bundle,
    write_bundle,
)


def bundle_of(result: DrawResult) -> Bundle:
    """Write the draw's bundle and read it back, as a publishing service would."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "bundle"
        write_bundle(path, result)
        return read_bundle(path)


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


def test_lists_follow_the_results_document() -> None:
    _, bundle = multi_draw()
    lists = public_lists(bundle)
    results = {entry["id"]: entry for entry in bundle.results["schools"]}
    rows = {row[0]: row for row in bundle.results["applicants"]}
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
        # the tier column agrees with the published per-tier counts
        per_tier = {t: 0 for t, _, _ in school.by_tier}
        for listed in school.admitted:
            per_tier[listed.tier_id] += 1
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
    result = _draw_with_records([leaked])
    bundle = bundle_of(result)
    for render in (announcement_pdf, results_xlsx):
        with pytest.raises(UnmaskedPersonalData, match="A0001: masked_name") as caught:
            render(bundle)
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
    bundle = bundle_of(_draw_with_records([leaked]))
    with pytest.raises(UnmaskedPersonalData, match="masked_id shows 14 characters"):
        announcement_pdf(bundle)


def _draw_with_records(records: list[object]) -> DrawResult:
    from sample_draws import SEALED_AT, signing_test_key, witnesses_for

    from lottery import form_seed, run_draw, seal

    rules = rules_for([School(id="S01", name="第一小学", seats=1, tiers=tiers("G"))])
    witnesses, secrets = witnesses_for("unmasked", 1)
    sealed = seal(
        rules=rules,
        records=records,  # type: ignore[arg-type]
        witnesses=witnesses,
        min_reveals=1,
        beacon=None,
        signing_key=signing_test_key(),
        sealed_at=SEALED_AT,
    )
    ceremony = form_seed(sealed.manifest, dict(secrets), None)
    return run_draw(sealed, ceremony, signing_test_key())
