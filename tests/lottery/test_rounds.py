"""The second round (补录), protocol §14.5: derived from a first draw with a post-draw decline."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sample_draws import (
    Ceremonial,
    Child,
    plain_school,
    rules_for,
    test_draw,
    write_test_bundle,
)

from lottery import (
    ActionEntry,
    AuditLog,
    DrawResult,
    SecondRoundInputs,
    SecondRoundRefused,
    actions_digest,
    actions_document,
    read_bundle,
    second_round_inputs,
)
from lottery.allocation import PostDrawAction, replay_actions

SCHOOLS = (plain_school(2, "S01"), plain_school(2, "S02"), plain_school(2, "S03"))
# A zone draw (§10.5): the triplets T2 never fit a school of 2 seats, so they end unplaced (a
# group without room, §10.10). In zone_assignment the replay moves nobody (§14.2): after A001
# declines and one triplet declines, the seats A001 left and the two remaining triplets, still
# a group, go to the second round.
DECLINES = ("A001", "T002")


def _children() -> list[Child]:
    children = [Child(f"A{n:03d}", preferences=()) for n in (1, 2)]
    children += [Child(f"T{n:03d}", preferences=(), group="T2") for n in (1, 2, 3)]
    return children


def first_draw() -> tuple[DrawResult, AuditLog]:
    rules = rules_for(SCHOOLS, mode="zone_assignment", max_preferences=1, draw_id="R1-2026")
    return test_draw(rules, _children(), label="round1")


def add_actions(
    bundle: Path, drawn: tuple[DrawResult, AuditLog], documents: list[dict[str, Any]]
) -> None:
    """Write `bundle` with the actions signed (§14.3) and recorded in the log (§15.3)."""
    result, log = drawn
    entries = [
        ActionEntry(
            seq=a["seq"],
            type=a["type"],
            application=a["application"],
            at=a["at"],
            moves=tuple((m[0], m[1], m[2]) for m in a["moves"]),
        )
        for a in documents
    ]
    log = AuditLog(log.draw, log.entries)
    document = actions_document(
        results_digest=result.results_digest.hex(), entries=entries, audit=log.head_now()
    )
    log.append(
        at="2026-07-10T01:00:00Z",
        actor="operator",
        action="actions.recorded",
        details={"actions": actions_digest(document).hex(), "count": len(entries)},
    )
    write_test_bundle(bundle, result, log, actions=document)


def write_with_declines(
    drawn: tuple[DrawResult, AuditLog], bundle: Path, declines: tuple[str, ...] = DECLINES
) -> list[dict[str, Any]]:
    """Write `bundle` with the declines as signed actions (§14.3) and return the actions."""
    result = drawn[0]
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
    add_actions(bundle, drawn, documents)
    return documents


def final_assignment(result: DrawResult, actions: list[dict[str, Any]]) -> dict[str, str | None]:
    """Assignment after the actions, read off the published results and moves."""
    final: dict[str, str | None] = {row[0]: row[3] for row in result.results["applicants"]}
    for action in actions:
        del final[action["application"]]
        for application, _, to in action["moves"]:
            final[application] = to
    return final


def run_second(inputs: SecondRoundInputs) -> tuple[DrawResult, AuditLog]:
    return test_draw(
        inputs.rules(draw_id="R2-2026", title="Second round", authority="Test bureau"),
        [],
        label="round2",
        how=Ceremonial(witnesses=2, min_reveals=2),
        records=inputs.records,
    )


@pytest.fixture(scope="module")
def rounds(tmp_path_factory: pytest.TempPathFactory) -> tuple[DrawResult, list[Any], Path]:
    drawn = first_draw()
    bundle = tmp_path_factory.mktemp("round1") / "bundle"
    actions = write_with_declines(drawn, bundle)
    return drawn[0], actions, bundle


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
    expected = sorted(a for a, s in final.items() if s is None)
    assert [r.application for r in inputs.records] == expected
    assert actions[0]["application"] not in expected
    assert first.results["groups_without_room"] == ["T2"]
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
    second, log = run_second(inputs)
    write_test_bundle(tmp_path / "round2", second, log)
    assert read_bundle(tmp_path / "round2").manifest.rules.draw_id == "R2-2026"
    admitted = Counter(s for s in final_assignment(first, actions).values() if s is not None)
    admitted.update(row[3] for row in second.results["applicants"] if row[3] is not None)
    assert sum(1 for row in second.results["applicants"] if row[3] is not None) > 0
    for school in SCHOOLS:
        assert admitted[school.id] <= school.seats
    first_seated = {a for a, s in final_assignment(first, actions).items() if s is not None}
    assert first_seated.isdisjoint(row[0] for row in second.results["applicants"])


def _one_decline(drawn: tuple[DrawResult, AuditLog], bundle: Path, application: str) -> None:
    result = drawn[0]
    ids = result.problem.applicant_ids
    _, moves = replay_actions(
        result.problem, result.allocation, (PostDrawAction("decline", ids.index(application)),)
    )
    schools = [school.id for school in result.sealed.manifest.rules.schools]
    move_rows = [
        [
            ids[m.applicant],
            None if m.from_school is None else schools[m.from_school],
            schools[m.to_school],
        ]
        for m in moves[0]
    ]
    add_actions(
        bundle,
        drawn,
        [
            {
                "seq": 1,
                "type": "decline",
                "application": application,
                "at": "2026-07-10T01:00:00Z",
                "moves": move_rows,
            }
        ],
    )


def test_group_reduced_to_one_member_loses_its_group(tmp_path: Path) -> None:
    children = [
        Child("A001", preferences=()),
        Child("G001", preferences=(), group="T1"),
        Child("G002", preferences=(), group="T1"),
    ]
    schools = (plain_school(1, "S01"), plain_school(1, "S02"), plain_school(1, "S03"))
    rules = rules_for(schools, mode="zone_assignment", draw_id="R1-2026")
    drawn = test_draw(rules, children, label="groups", how=Ceremonial())
    # The pair never fits a single seat; one twin declines, the other stays unseated (§14.2).
    _one_decline(drawn, tmp_path / "b", "G001")
    inputs = second_round_inputs(read_bundle(tmp_path / "b"))
    assert [s.seats for s in inputs.schools] == [1, 1]
    assert [(r.application, r.group) for r in inputs.records] == [("G002", None)]


def test_a_twin_who_declines_lets_the_other_take_a_single_seat(tmp_path: Path) -> None:
    """§14.2: in deferred acceptance the remaining twin takes the single seat the pair could
    not share; nothing is left for a second round, which is refused (§14.5)."""
    children = [
        Child("A001", preferences=("S02",)),
        Child("G001", preferences=("S01",), group="T1"),
        Child("G002", preferences=("S01",), group="T1"),
    ]
    rules = rules_for(
        (plain_school(1, "S01"), plain_school(1, "S02")),
        mode="deferred_acceptance",
        draw_id="R1-2026",
    )
    drawn = test_draw(rules, children, label="groups", how=Ceremonial())
    _one_decline(drawn, tmp_path / "b", "G001")
    with pytest.raises(SecondRoundRefused, match="no school has a free seat"):
        second_round_inputs(read_bundle(tmp_path / "b"))


def test_no_second_round_without_a_child_left(tmp_path: Path) -> None:
    rules = rules_for((plain_school(2, "S01"),), draw_id="R1-2026")
    drawn = test_draw(rules, [Child("A001")], label="alone", how=Ceremonial())
    write_test_bundle(tmp_path / "b", *drawn)
    with pytest.raises(SecondRoundRefused, match="no child is left"):
        second_round_inputs(read_bundle(tmp_path / "b"))
