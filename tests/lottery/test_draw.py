"""The draw pipeline end to end: seal, seed, allocate, results (issue 2 acceptance properties)."""

from __future__ import annotations

import dataclasses
import random as _shuffle_only  # tests may shuffle inputs; the engine never sees this module

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_draws import (
    Ceremonial,
    Child,
    record_for,
    rules_for,
    run_test_draw,
    signing_test_key,
    test_draw,
    tiers,
)

from lottery import (
    CeremonyError,
    InvalidRules,
    ReservedSeats,
    School,
    applicant_entry,
    bundle_files,
    merkle_root,
    run_draw,
)


@st.composite
def single_school_draws(draw: st.DrawFn) -> tuple[object, list[Child]]:
    n_schools = draw(st.integers(1, 2))
    schools = []
    for s in range(n_schools):
        seats = draw(st.integers(1, 12))
        reserved = draw(st.integers(0, min(3, seats)))
        schools.append(
            School(
                id=f"S0{s + 1}",
                name=f"School {s + 1}",
                seats=seats,
                tiers=tiers("T1", "T2", "T3"),
                reserved=(ReservedSeats("MIG", reserved),) if reserved else (),
            )
        )
    children: list[Child] = []
    for unit in range(draw(st.integers(0, 14))):
        size = draw(st.sampled_from([1, 1, 1, 2, 3]))
        school = f"S0{draw(st.integers(1, n_schools))}"
        category = draw(st.sampled_from([None, None, "MIG"]))
        for _ in range(size):
            tier = draw(st.sampled_from([None, "T1", "T2"]))
            children.append(
                Child(
                    f"A{len(children):03d}",
                    preferences=(school,),
                    tiers={} if tier is None else {school: tier},
                    category=category,
                    group=f"G{unit}" if size > 1 else None,
                    sex=draw(st.sampled_from(["F", "M"])),
                )
            )
    tie_breaking = draw(st.sampled_from(["single", "multiple"]))
    return rules_for(schools, categories=["MIG"], tie_breaking=tie_breaking), children


def _priority(result, unit: int, school: int) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """(rank, number, key index) at a school, §8.4 (recomputed from the problem)."""
    from lottery.tickets import school_ticket

    problem = result.problem
    start, end = problem.rank_start[unit], problem.rank_start[unit + 1]
    rank = problem.schools[school].tier_count - 1
    for k in range(start, end):
        if problem.rank_school[k] == school:
            rank = int(problem.rank_value[k])
    number = int(problem.ticket[unit])
    if problem.tie_breaking == "multiple":
        number = school_ticket(problem.seed, problem.unit_keys[unit], problem.schools[school].id)
    return rank, number, unit


@settings(max_examples=60, deadline=None)
@given(single_school_draws())
def test_single_school_properties(case: tuple[object, list[Child]]) -> None:
    rules, children = case
    result = run_test_draw(rules, children)  # type: ignore[arg-type]
    problem, allocation = result.problem, result.allocation
    rows = result.results["applicants"]
    # Every applicant appears exactly once, admitted or waitlisted (single-school).
    assert [row[0] for row in rows] == sorted(c.application for c in children)
    assert all(row[2] in ("admitted", "waitlisted") for row in rows)
    for s, school in enumerate(result.results["schools"]):
        # Admitted never exceeds seats; the waitlist holds exactly the others who listed s.
        assert school["admitted"] <= school["seats"]
        listed = {c.application for c in children if c.preferences == (school["id"],)}
        admitted = {row[0] for row in rows if row[3] == school["id"]}
        assert admitted | set(school["waitlist"]) == listed
        assert not admitted & set(school["waitlist"])
        assert sum(n for _, n in school["by_tier"]) == school["admitted"] == len(admitted)
        reserved_used = sum(n for _, n in school["reserved"])
        assert reserved_used <= sum(r.seats for r in rules.schools[s].reserved)  # type: ignore[attr-defined]
    # Groups are never split.
    unit_of = problem.applicant_unit.tolist()
    for u in range(len(problem.unit_keys)):
        statuses = {tuple(rows[i][2:4]) for i in range(len(rows)) if unit_of[i] == u}
        assert len(statuses) == 1
    # Nobody is admitted ahead of a better-ranked competitor, except as §9 allows: a passed-over
    # unit is larger than the one admitted after it, or the later one took a reserved seat
    # of a category the passed-over unit does not belong to.
    for u in range(len(problem.unit_keys)):
        s = int(allocation.unit_school[u])
        if s < 0:
            continue
        for v in range(len(problem.unit_keys)):
            if allocation.unit_school[v] >= 0 or problem.pref_school[problem.pref_start[v]] != s:
                continue
            if _priority(result, v, s) < _priority(result, u, s):
                label = int(allocation.unit_label[u])
                same_category = label > 0 and problem.unit_category[v] == label - 1
                if label == 0 or same_category:
                    assert problem.unit_size[v] > problem.unit_size[u]


@settings(max_examples=25, deadline=None)
@given(single_school_draws(), st.randoms(use_true_random=False))
def test_shuffled_input_gives_identical_bundle(
    case: tuple[object, list[Child]], shuffler: _shuffle_only.Random
) -> None:
    rules, children = case
    shuffled = list(children)
    shuffler.shuffle(shuffled)
    key = signing_test_key()
    one, one_log = test_draw(rules, children)  # type: ignore[arg-type]
    two, two_log = test_draw(rules, shuffled)  # type: ignore[arg-type]
    assert bundle_files(one, log=one_log, signing_key=key) == bundle_files(
        two, log=two_log, signing_key=key
    )


def test_any_changed_record_byte_changes_the_root() -> None:
    lines = [record_for(Child(f"A{i}"))[1].encoded() for i in range(9)]
    root = merkle_root(applicant_entry(line) for line in lines)
    for i, line in enumerate(lines):
        for position in range(len(line)):
            changed = bytearray(line)
            changed[position] ^= 0x01
            altered = [*lines[:i], bytes(changed), *lines[i + 1 :]]
            assert merkle_root(applicant_entry(x) for x in altered) != root


def test_ceremony_for_another_manifest_is_refused() -> None:
    rules = rules_for([School("S01", "S", 2, tiers("G"))])
    how = Ceremonial(beacon="decimal")
    one = run_test_draw(rules, [Child("A1")], label="one", how=how)
    two = run_test_draw(rules, [Child("A1"), Child("A2")], label="one", how=how)
    with pytest.raises(CeremonyError, match="not this draw's"):
        run_draw(two.sealed, one.ceremony, signing_test_key(), audit=one.audit)


def test_wrong_signing_key_is_refused() -> None:
    rules = rules_for([School("S01", "S", 2, tiers("G"))])
    drawn = run_test_draw(rules, [Child("A1")])
    with pytest.raises(InvalidRules, match="signing key"):
        run_draw(drawn.sealed, drawn.ceremony, signing_test_key("another key"), audit=drawn.audit)
    assert drawn.results["audit"] == drawn.ceremony.audit.document()


def test_results_document_shape() -> None:
    rules = rules_for([School("S01", "S", 2, tiers("T1", "G"))])
    children = [Child("A1", tiers={"S01": "T1"}), Child("A2"), Child("A3")]
    result = run_test_draw(rules, children)
    school = result.results["schools"][0]
    assert school["by_tier"] == [["T1", 1], ["G", 1]]
    assert school["cutoffs"] == [
        {
            "label": "open",
            "tier": "G",
            "lottery_number": school["cutoffs"][0]["lottery_number"],
            "passed_over": 0,
        }
    ]
    assert result.results["groups_without_room"] == []
    assert len(school["waitlist"]) == 1
    assert dataclasses.asdict(result.sealed.manifest.applicants)["count"] == 3


def test_rehearsal_cannot_pass_for_official_results() -> None:
    from lottery import (
        SignatureError,
        canonical_json,
        rehearse,
        signing_key_info,
        tagged_hash,
        verify_signature,
    )

    rules = rules_for([School("S01", "S", 2, tiers("G"))])
    children = [Child(f"A{i}") for i in range(5)]
    official = run_test_draw(rules, children)
    results, signature = rehearse(official.sealed, "rehearsal 1", signing_test_key())
    assert results["kind"] == "rehearsal" and results["ceremony"] == "0" * 64
    assert results["audit"] is None  # §16
    assert results["seed"] == tagged_hash("rehearsal-seed", b"rehearsal 1").hex()
    assert results["seed"] != official.results["seed"]
    digest = tagged_hash("results", canonical_json(results))
    key = signing_key_info(signing_test_key())
    verify_signature(signature, kind="rehearsal", digest=digest, signing_key=key)
    with pytest.raises(SignatureError, match="signs kind 'rehearsal'"):
        verify_signature(signature, kind="results", digest=digest, signing_key=key)
    again, _ = rehearse(official.sealed, "rehearsal 1", signing_test_key())
    assert canonical_json(again) == canonical_json(results)
