"""The second round (补录), protocol §14.5: derived from a first draw with a post-draw decline."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from resign import add_actions
from sample_draws import (
    Ceremonial,
    Child,
    plain_school,
    rules_for,
    run_test_draw,
    signing_test_key,
    witnesses_for,
)

from lottery import (
    DrawResult,
    SecondRoundInputs,
    form_seed,
    read_bundle,
    run_draw,
    seal,
    second_round_inputs,
    write_bundle,
)
from lottery.allocation import PostDrawAction, replay_actions

SCHOOLS = (plain_school(4, "S01"), plain_school(3, "S02"), plain_school(2, "S03"))
# S03 goes to C001 and C002; the triplets T2 never fit its 2 seats. After C001 and C002 decline
# (S03 refilled from a waitlist where nothing fits) and one triplet declines, the two remaining
# triplets are a group of 2 and S03 has 2 free seats: the second round has something to do.
DECLINES = ("C001", "C002", "T002")


def _children() -> list[Child]:
    children = [
        Child(f"A{n:03d}", preferences=("S01", "S02") if n % 3 else ("S02", "S01"))
        for n in range(12)
    ]
    children += [Child(f"C{n:03d}", preferences=("S03",)) for n in (1, 2)]
    children += [Child(f"T{n:03d}", preferences=("S03",), group="T2") for n in (1, 2, 3)]
    return children


def first_draw() -> DrawResult:
    rules = rules_for(SCHOOLS, mode="deferred_acceptance", max_preferences=2, draw_id="R1-2026")
    return run_test_draw(rules, _children(), label="round1")


def write_with_declines(
    result: DrawResult, bundle: Path, declines: tuple[str, ...] = DECLINES
) -> list[dict[str, Any]]:
    """Write `bundle` with the declines as signed actions (§14.3) and return the actions."""
    write_bundle(bundle, result)
    ids = result.problem.applicant_ids
    actions = tuple(PostDrawAction("decline", ids.index(a)) for a in declines)
    _, moves = replay_actions(result.problem, result.allocation, actions)
    schools = [school.id for school in result.sealed.manifest.rules.schools]
    documents = [
        {
            "seq": seq,
            "type": "decline",
            "application": application,
            "at": "2026-07-10T01:00:00Z",
            "moves": [
                [
                    ids[m.applicant],
                    None if m.from_school is None else schools[m.from_school],
                    schools[m.to_school],
                ]
                for m in action_moves
            ],
        }
        for seq, (application, action_moves) in enumerate(zip(declines, moves, strict=True), 1)
    ]
    add_actions(bundle, documents)
    return documents


def final_assignment(result: DrawResult, actions: list[dict[str, Any]]) -> dict[str, str | None]:
    """Assignment after the actions, read off the published results and moves."""
    final: dict[str, str | None] = {row[0]: row[3] for row in result.results["applicants"]}
    for action in actions:
        del final[action["application"]]
        for application, _, to in action["moves"]:
            final[application] = to
    return final


def run_second(inputs: SecondRoundInputs) -> DrawResult:
    witnesses, secrets = witnesses_for("round2", 2)
    key = signing_test_key()
    sealed = seal(
        rules=inputs.rules(draw_id="R2-2026", title="Second round", authority="Test bureau"),
        records=inputs.records,
        witnesses=witnesses,
        min_reveals=2,
        beacon=None,
        signing_key=key,
        sealed_at="2026-07-20T02:00:00Z",
    )
    ceremony = form_seed(sealed.manifest, dict(secrets), None)
    return run_draw(sealed, ceremony, key)


@pytest.fixture(scope="module")
def rounds(tmp_path_factory: pytest.TempPathFactory) -> tuple[DrawResult, list[Any], Path]:
    first = first_draw()
    bundle = tmp_path_factory.mktemp("round1") / "bundle"
    actions = write_with_declines(first, bundle)
    return first, actions, bundle


def test_schools_get_exactly_the_free_seats(rounds: tuple[DrawResult, list[Any], Path]) -> None:
    first, actions, bundle = rounds
    inputs = second_round_inputs(read_bundle(bundle))
    taken = Counter(s for s in final_assignment(first, actions).values() if s is not None)
    expected = [(s.id, s.seats - taken[s.id]) for s in SCHOOLS if s.seats > taken[s.id]]
    assert [(s.id, s.seats) for s in inputs.schools] == expected
    assert expected, "the test draw must leave seats free"
    assert all(s.reserved == () for s in inputs.schools)


def test_records_are_the_children_without_a_seat(
    rounds: tuple[DrawResult, list[Any], Path],
) -> None:
    first, actions, bundle = rounds
    inputs = second_round_inputs(read_bundle(bundle))
    kept = {s.id for s in inputs.schools}
    final = final_assignment(first, actions)
    by_id = {r.application: r for r in first.sealed.records}
    expected = sorted(a for a, s in final.items() if s is None and set(by_id[a].preferences) & kept)
    assert [r.application for r in inputs.records] == expected
    assert actions[0]["application"] not in expected
    # T2 lost T002 but keeps 2 members: still a group (§14.5).
    assert [(r.application, r.group) for r in inputs.records] == [("T001", "T2"), ("T003", "T2")]
    for record in inputs.records:
        original = by_id[record.application]
        assert record.preferences == tuple(p for p in original.preferences if p in kept)
        assert record.private_digest == original.private_digest
        assert record.masked_name == original.masked_name


def test_second_round_never_exceeds_the_plan(
    rounds: tuple[DrawResult, list[Any], Path], tmp_path: Path
) -> None:
    first, actions, bundle = rounds
    inputs = second_round_inputs(read_bundle(bundle))
    second = run_second(inputs)
    write_bundle(tmp_path / "round2", second)
    assert read_bundle(tmp_path / "round2").manifest.rules.draw_id == "R2-2026"
    admitted = Counter(s for s in final_assignment(first, actions).values() if s is not None)
    admitted.update(row[3] for row in second.results["applicants"] if row[3] is not None)
    assert sum(1 for row in second.results["applicants"] if row[3] is not None) > 0
    for school in SCHOOLS:
        assert admitted[school.id] <= school.seats
    first_seated = {a for a, s in final_assignment(first, actions).items() if s is not None}
    assert first_seated.isdisjoint(row[0] for row in second.results["applicants"])


def test_group_reduced_to_one_member_loses_its_group(tmp_path: Path) -> None:
    children = [
        Child("A001", preferences=("S02",)),
        Child("G001", preferences=("S01",), group="T1"),
        Child("G002", preferences=("S01",), group="T1"),
    ]
    rules = rules_for((plain_school(1, "S01"), plain_school(1, "S02")), draw_id="R1-2026")
    first = run_test_draw(rules, children, label="groups", how=Ceremonial())
    write_bundle(tmp_path / "b", first)
    # The pair cannot fit in S01's single seat; one twin declines, the other stays unseated.
    add_actions(
        tmp_path / "b",
        [
            {
                "seq": 1,
                "type": "decline",
                "application": "G001",
                "at": "2026-07-10T01:00:00Z",
                "moves": [],
            }
        ],
    )
    inputs = second_round_inputs(read_bundle(tmp_path / "b"))
    assert [(s.id, s.seats) for s in inputs.schools] == [("S01", 1)]
    assert [(r.application, r.group) for r in inputs.records] == [("G002", None)]
