"""The family's check (§17.1): receipt check, private digest, outcome and explanation (§4.3,
§4.8, §10), pins, and the outcome after post-draw actions (§14)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from engine_draws import (
    ApplicantSpec,
    DrawSpec,
    SchoolSpec,
    build_draw,
    key_from_label,
    private_record,
    write_draw,
)
from resign import add_actions

from lottery.allocation import PostDrawAction, replay_actions
from lottery.allocation.outcome import members_of_units, waitlists
from lottery.allocation.pairs import build_pairs
from verifier.cli import main
from verifier.errors import VerificationError
from verifier.parent import ApplicantNotFound, ParentReport, check_applicant, normalise_receipt

SPEC = DrawSpec(
    mode="deferred_acceptance",
    tie_breaking="single",
    max_preferences=2,
    schools=(
        SchoolSpec("S0", seats=1, tiers=2, reserved=(), classes=None),
        SchoolSpec("S1", seats=2, tiers=1, reserved=(), classes=(None, 40, "apart")),
    ),
    applicants=(
        ApplicantSpec(
            "A0", category=None, group=None, preferences=("S0", "S1"), tiers=(("S0", 0),), sex="F"
        ),
        ApplicantSpec("A1", category=None, group=None, preferences=("S0", "S1"), tiers=(), sex="M"),
        ApplicantSpec("A2", category=None, group=None, preferences=("S0", "S1"), tiers=(), sex="M"),
        ApplicantSpec("A3", category=None, group=None, preferences=("S0", "S1"), tiers=(), sex="F"),
    ),
    witnesses=1,
    reveals=(True,),
    min_reveals=1,
    beacon=None,
)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_draw(SPEC, tmp_path_factory.mktemp("parent") / "bundle")


def _printed(receipt: str) -> str:
    """The receipt as a family reads it: lower case, groups of four with hyphens."""
    return "-".join(receipt[i : i + 4] for i in range(0, 16, 4)).lower()


def test_receipt_normalisation() -> None:
    assert normalise_receipt("abcd-efgh-jkmn-pqrs") == "ABCDEFGHJKMNPQRS"
    assert normalise_receipt(" 0o1i-L234-5678-9abc ") == "0011123456789ABC"
    with pytest.raises(VerificationError, match="receipt code"):
        normalise_receipt("ABCD-EFGH")
    with pytest.raises(VerificationError):
        normalise_receipt("UUUU-UUUU-UUUU-UUUU")


def test_tier_one_child_is_admitted_to_first_choice_and_explained(bundle: Path) -> None:
    private = private_record("A0")
    report = check_applicant(
        bundle,
        application="A0",
        receipt=_printed(private.receipt),
        name=private.name,
        id_number=private.id_number.lower(),
    )
    assert report.bundle.passed
    assert report.in_sealed_list
    assert report.private_check == "match"
    assert (report.status, report.school, report.label) == ("admitted", "S0", "open")
    assert len(report.schools) == 1  # nothing after the school it got
    line = report.schools[0]
    assert (line.school, line.tier, line.admitted) == ("S0", "t0", True)
    cutoff = {
        "label": "open",
        "tier": "t0",
        "lottery_number": line.lottery_number,
        "passed_over": 0,
    }
    assert line.cutoffs == (cutoff,)  # (10.8): the school's own, one per seat label
    assert line.waitlist_position is None
    assert "leaf 1 of 4, results head 0" in report.outcome_detail  # (17.1): proven on the head


def test_other_children_see_first_choice_waitlist_positions(bundle: Path) -> None:
    positions = []
    for application in ("A1", "A2", "A3"):
        report = check_applicant(
            bundle, application=application, receipt=private_record(application).receipt
        )
        assert report.private_check == "not checked"
        first = report.schools[0]
        assert (first.school, first.tier, first.admitted, first.cutoffs[0]["tier"]) == (
            "S0",
            "t1",
            False,
            "t0",
        )
        positions.append(first.waitlist_position)
        assert report.status in ("admitted", "waitlisted")
    assert sorted(positions) == [1, 2, 3]


def test_wrong_name_is_a_mismatch(bundle: Path) -> None:
    private = private_record("A1")
    report = check_applicant(
        bundle, application="A1", receipt=private.receipt, name="王五", id_number=private.id_number
    )
    assert report.private_check == "mismatch"


def test_a_wrong_receipt_code_does_not_match_and_shows_no_outcome(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """§17.1: the receipt check (§4.8) first; a code that does not match shows nothing."""
    private = private_record("A1")
    other = private_record("A2").receipt
    report = check_applicant(
        bundle, application="A1", receipt=other, name=private.name, id_number=private.id_number
    )
    assert not report.receipt_matches and not report.proven
    assert (report.lottery_number, report.status, report.schools) == (None, None, ())
    for lang, words in (("en", "does NOT match"), ("zh", "不符")):
        code = main([str(bundle), "--lang", lang, "--applicant", "A1", "--receipt", other])
        out = capsys.readouterr().out
        assert code == 1 and words in out
        assert "S0" not in out.split("A1")[-1] and "admitted" not in out.split("A1")[-1]
    assert main([str(bundle), "--json", "--applicant", "A1", "--receipt", other]) == 1
    assert json.loads(capsys.readouterr().out)["verdict"] == "failed"


def test_the_record_is_the_bureaus_only_with_the_pin(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """§17.1: without pins, the record is in *this bundle's* list; whose bundle is unchecked."""
    receipt = private_record("A2").receipt
    pin = check_applicant(bundle, application="A2", receipt=receipt).bundle.pin
    assert pin is not None
    assert main([str(bundle), "--lang", "en", "--applicant", "A2", "--receipt", receipt]) == 3
    out = capsys.readouterr().out
    assert "whose bundle it is was not checked" in out and "authentic" not in out
    argv = [str(bundle), "--lang", "en", "--applicant", "A2", "--receipt", receipt, "--pin", pin]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "sealed applicant list of the bureau's draw" in out and "authentic and correct" in out
    wrong = ("2" if pin[0] != "2" else "3") + pin[1:]
    assert main([*argv[:-1], wrong]) == 1
    capsys.readouterr()


def test_unknown_application(bundle: Path) -> None:
    with pytest.raises(ApplicantNotFound, match="A9"):
        check_applicant(bundle, application="A9", receipt=private_record("A1").receipt)


def test_cli_parent_check_in_chinese(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    private = private_record("A0")
    code = main(
        [
            str(bundle),
            "--lang",
            "zh",
            "--applicant",
            "A0",
            "--receipt",
            _printed(private.receipt),
            "--name",
            private.name,
            "--id-number",
            private.id_number,
        ]
    )
    out = capsys.readouterr().out
    assert code == 3  # not pinned
    assert "在本数据包封存的报名名单中" in out and "录取学校 S0" in out and "一致" in out
    assert "未核对" in out and "可信" not in out


def test_cli_parent_check_json_and_mismatch_exit_code(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    private = private_record("A0")
    code = main(
        [
            str(bundle),
            "--json",
            "--applicant",
            "A0",
            "--receipt",
            private.receipt,
            "--name",
            "Someone Else",
            "--id-number",
            private.id_number,
        ]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 1
    assert document["passed"] is False  # agrees with the exit code (issue 10)
    assert document["applicant"]["private_check"] == "mismatch"


def test_cli_without_private_fields_says_how_to_check(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            str(bundle),
            "--lang",
            "en",
            "--applicant",
            "A2",
            "--receipt",
            private_record("A2").receipt,
        ]
    )
    out = capsys.readouterr().out
    assert code == 3  # correct, not pinned
    assert "were not checked" in out and "--name NAME --id-number ID" in out


def test_private_digest_agrees_with_the_engine_record() -> None:
    import lottery
    from verifier import private_digest

    private = private_record("A7")
    record = lottery.public_record(
        private, category=None, group=None, preferences=["S0"], tiers={}, sex="F"
    )
    assert record.private_digest == private_digest(
        application="A7", id_number=private.id_number, name=private.name, receipt=private.receipt
    )
    # Decomposed Unicode is normalised to NFC (§4.3) before hashing.
    decomposed = "e\u0301"
    assert private_digest(
        application="A7", id_number="x", name=decomposed, receipt="R"
    ) == private_digest(application="A7", id_number="x", name="\u00e9", receipt="R")


# Post-draw actions (§14). Tiers fix every order, so the expected moves are read off by hand.
# Draw day: S0 (1 seat) admits A0; A1 is held at S1 (1 seat, its second choice). S0's waitlist is
# A1, A2, A5, A4; S1's is A3, A4. Action 1: A0 declines, A1 moves up to S0 and A3 off the
# waitlist into the seat A1 left at S1. Action 2: A5 (waitlisted) is disqualified: no move.
ACTIONS_SPEC = DrawSpec(
    mode="deferred_acceptance",
    tie_breaking="single",
    max_preferences=2,
    schools=(SchoolSpec("S0", 1, 5, (), None), SchoolSpec("S1", 1, 3, (), None)),
    applicants=(
        ApplicantSpec("A0", None, None, ("S0",), (("S0", 0),), "F"),
        ApplicantSpec("A1", None, None, ("S0", "S1"), (("S0", 1), ("S1", 0)), "M"),
        ApplicantSpec("A2", None, None, ("S0",), (("S0", 2),), "F"),
        ApplicantSpec("A3", None, None, ("S1",), (("S1", 1),), "M"),
        ApplicantSpec("A4", None, None, ("S0", "S1"), (), "F"),
        ApplicantSpec("A5", None, None, ("S0",), (("S0", 3),), "M"),
    ),
    witnesses=1,
    reveals=(True,),
    min_reveals=1,
    beacon=None,
)
ACTIONS = (("decline", "A0"), ("disqualify", "A5"))
MOVES: list[list[list[str | None]]] = [[["A1", "S1", "S0"], ["A3", None, "S1"]], []]
# application: (status, school, label, {school: waitlist position}) after both actions
AFTER = {
    "A0": ("decline", None, None, {}),
    "A1": ("admitted", "S0", "open", {}),
    "A2": ("waitlisted", None, None, {"S0": 1}),
    "A3": ("admitted", "S1", "open", {}),
    "A4": ("waitlisted", None, None, {"S0": 2, "S1": 1}),
    "A5": ("disqualify", None, None, {}),
}
DRAW_DAY_POSITIONS = {
    "A1": {"S0": 1},
    "A2": {"S0": 2},
    "A3": {"S1": 1},
    "A4": {"S0": 4, "S1": 2},
    "A5": {"S0": 3},
}


@dataclass(frozen=True)
class _EngineAfter:
    """What the service's look-up shows after the actions, computed with the engine."""

    moves: list[list[list[str | None]]]
    lines: dict[str, tuple[str, str | None, str | None, dict[str, int]]]


def _engine_after(spec: DrawSpec, actions: tuple[tuple[str, str], ...]) -> _EngineAfter:
    """The engine's replay (§14.2) and §10.6 on its final assignment (`outcome.waitlists`),
    without removed applicants (§14.1): the service's look-up (api/services/actions.py)."""
    draw = build_draw(spec)[0]
    problem, allocation = draw.problem, draw.allocation
    index = {application: i for i, application in enumerate(problem.applicant_ids)}
    engine_actions = tuple(PostDrawAction(kind, index[a]) for kind, a in actions)  # type: ignore[arg-type]
    placement, moves = replay_actions(problem, allocation, engine_actions)
    schools = [s.id for s in problem.schools]
    pairs, members = build_pairs(problem), members_of_units(problem)
    removed = placement.removed.tolist()
    assigned = np.full(len(problem.unit_keys), -1, dtype=np.int64)
    for applicant, school in enumerate(placement.applicant_school.tolist()):
        if school >= 0:  # a unit's members that remain share its school
            u = int(problem.applicant_unit[applicant])
            entries = pairs.list_pair[pairs.list_start[u] : pairs.list_start[u + 1]]
            assigned[u] = next(g for g in entries.tolist() if pairs.pair_school[g] == school)
    places: dict[int, dict[str, int]] = {}
    for s, listed in enumerate(waitlists(pairs, members, assigned)):
        kept = [a for a in listed.tolist() if not removed[a]]
        for position, applicant in enumerate(kept, start=1):
            places.setdefault(applicant, {})[schools[s]] = position
    kinds = {application: kind for kind, application in actions}
    labels = [None, "open", *("reserved:" + c for c in problem.category_ids)]
    lines = {}
    for applicant, application in enumerate(problem.applicant_ids):
        school = int(placement.applicant_school[applicant])
        if application in kinds:  # (12.7 item 1): the action's type
            status = kinds[application]
        elif school >= 0:
            status = "admitted"
        else:
            status = "waitlisted" if applicant in places else "unplaced"
        lines[application] = (
            status,
            None if school < 0 else schools[school],
            labels[int(placement.applicant_label[applicant]) + 1],
            places.get(applicant, {}),
        )
    as_rows = [
        [
            [
                problem.applicant_ids[m.applicant],
                None if m.from_school is None else schools[m.from_school],
                schools[m.to_school],
            ]
            for m in action_moves
        ]
        for action_moves in moves
    ]
    return _EngineAfter(moves=as_rows, lines=lines)


def _with_actions(directory: Path, moves: list[list[list[str | None]]]) -> Path:
    bundle = write_draw(ACTIONS_SPEC, directory)
    documents = [
        {
            "seq": seq,
            "type": kind,
            "application": application,
            "at": "2026-07-10T01:00:00Z",
            "moves": action_moves,
        }
        for seq, ((kind, application), action_moves) in enumerate(
            zip(ACTIONS, moves, strict=True), start=1
        )
    ]
    add_actions(bundle, documents, key=key_from_label())
    return bundle


@pytest.fixture(scope="module")
def acted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _with_actions(tmp_path_factory.mktemp("acted") / "bundle", MOVES)


def _positions(report: ParentReport, *, draw_day: bool = False) -> dict[str, int]:
    return {
        line.school: position
        for line in report.schools
        if (position := line.draw_day_waitlist_position if draw_day else line.waitlist_position)
        is not None
    }


def test_the_engine_agrees_with_the_expected_moves_and_outcomes() -> None:
    engine_after = _engine_after(ACTIONS_SPEC, ACTIONS)
    assert engine_after.moves == MOVES
    assert engine_after.lines == AFTER


@pytest.mark.parametrize("application", sorted(AFTER))
def test_outcome_and_positions_are_those_after_the_actions(acted: Path, application: str) -> None:
    report = check_applicant(
        acted, application=application, receipt=private_record(application).receipt
    )
    assert report.bundle.passed
    assert report.post_draw_actions == 2 and report.head == 1  # the last head (17.1)
    status, school, label, positions = AFTER[application]
    assert (report.status, report.school, report.label) == (status, school, label)
    assert _positions(report) == positions
    shown = {line.school for line in report.schools}  # held or waited for, in the last head
    wanted = {s: p for s, p in DRAW_DAY_POSITIONS.get(application, {}).items() if s in shown}
    assert _positions(report, draw_day=True) == wanted


def test_positions_equal_the_engine_on_the_final_assignment(acted: Path) -> None:
    engine_after = _engine_after(ACTIONS_SPEC, ACTIONS).lines
    for application, (status, school, label, positions) in engine_after.items():
        report = check_applicant(
            acted, application=application, receipt=private_record(application).receipt
        )
        assert (report.status, report.school, report.label) == (status, school, label)
        assert _positions(report) == positions


def test_draw_day_facts_are_kept(acted: Path) -> None:
    moved = check_applicant(acted, application="A1", receipt=private_record("A1").receipt)
    assert (moved.draw_day_status, moved.draw_day_school, moved.draw_day_label) == (
        "admitted",
        "S1",
        "open",
    )
    (line,) = moved.schools  # S0, where it is now; S1 played no part any more
    assert (line.school, line.tier, line.admitted) == ("S0", "t1", True)
    assert line.cutoffs[0]["tier"] == "t0"  # A0's, who declined: the draw day's (§10.8)
    declined = check_applicant(acted, application="A0", receipt=private_record("A0").receipt)
    assert declined.draw_day_status == "admitted" and declined.lottery_number is not None
    assert declined.status == "decline" and declined.schools == ()  # holds and waits for none


def _cli(
    bundle: Path, application: str, capsys: pytest.CaptureFixture[str], *options: str
) -> tuple[int, str]:
    """The parent check on the command line: exit code and what it printed."""
    receipt = private_record(application).receipt
    code = main([str(bundle), *options, "--applicant", application, "--receipt", receipt])
    return code, capsys.readouterr().out


def test_cli_text_after_actions(acted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def run(application: str, lang: str) -> str:
        code, out = _cli(acted, application, capsys, "--lang", lang)
        assert code == 3  # not pinned
        return out

    out = run("A4", "en")
    assert "Outcome: not admitted; on the waitlist" in out
    assert "waitlist position 2 (on the draw day: 4)" in out
    assert "waitlist position 1 (on the draw day: 2)" in out
    assert "This outcome is results head 1: it includes the bundle's 2 post-draw action(s)" in out
    assert "draw-day cutoff open: tier t0" in out
    assert "Outcome proven against the signed results head (leaf 5 of 6, results head 1" in out
    out = run("A1", "en")
    assert "Outcome: admitted to S0 (open)" in out
    assert "On the draw day: admitted to S1 (open)" in out
    out = run("A0", "en")
    assert "Outcome: declined the place" in out and "At school" not in out
    out = run("A5", "zh")
    assert "结果: 资格复核未通过" in out
    assert "以上结果为第 1 个结果头：已包含数据包中的 2 项发布后递补操作" in out
    out = run("A2", "zh")
    assert "候补第 1 位（摇号当天第 2 位）" in out and "摇号当天 open 录取线" in out


def test_cli_json_after_actions(acted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for application, (status, school, label, positions) in AFTER.items():
        code, out = _cli(acted, application, capsys, "--json")
        assert code == 3  # not pinned
        child = json.loads(out)["applicant"]
        assert (child["status"], child["school"], child["label"]) == (status, school, label)
        assert child["post_draw_actions"] == 2 and child["head"] == 1
        places = {line["school"]: line["waitlist_position"] for line in child["schools"]}
        assert {s: p for s, p in places.items() if p is not None} == positions
        drawn = {line["school"]: line["draw_day_waitlist_position"] for line in child["schools"]}
        wanted = DRAW_DAY_POSITIONS.get(application, {})
        assert {s: p for s, p in drawn.items() if p is not None} == {
            s: p for s, p in wanted.items() if s in drawn
        }
    child = json.loads(_cli(acted, "A1", capsys, "--json")[1])["applicant"]
    drawn = (child["draw_day_status"], child["draw_day_school"], child["draw_day_label"])
    assert drawn == ("admitted", "S1", "open")


def test_unverified_actions_show_no_outcome(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = _with_actions(tmp_path / "bundle", [MOVES[0][:1], []])  # A3's move left out
    report = check_applicant(bundle, application="A4", receipt=private_record("A4").receipt)
    assert not report.bundle.passed  # (17.1): the last head is not proven, so no outcome
    assert (report.status, report.schools, report.lottery_number) == (None, (), None)
    code, out = _cli(bundle, "A4", capsys, "--lang", "en")
    assert code == 1 and "Outcome:" not in out


def test_a_bundle_without_actions_says_nothing_about_them(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = check_applicant(bundle, application="A1", receipt=private_record("A1").receipt)
    assert report.post_draw_actions == 0 and report.head == 0
    assert (report.draw_day_status, report.draw_day_school) == (report.status, report.school)
    code, out = _cli(bundle, "A1", capsys, "--lang", "en")
    assert code == 3  # not pinned
    assert "post-draw" not in out and "On the draw day" not in out
