"""Post-draw actions (protocol §14) and the audit log bound to its draw (§15), with expected
moves read off the published waitlists by hand."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from engine_draws import ApplicantSpec, DrawSpec, SchoolSpec, key_from_label, write_draw
from resign import add_actions, append, read_log, write_log

from verifier import verify_bundle

PLAIN = Path(__file__).resolve().parents[1] / "vectors" / "draws" / "single" / "01-plain"
# 01-plain: S01 has 5 seats; A000, A004, A005, A008, A011 admitted; waitlist A006, A003, A009, A002, ...


def _action(seq: int, kind: str, application: str, moves: list[list[Any]]) -> dict[str, Any]:
    return {
        "seq": seq,
        "type": kind,
        "application": application,
        "at": "2026-07-10T01:00:00Z",
        "moves": moves,
    }


PLAIN_ACTIONS = [
    _action(1, "decline", "A000", [["A006", None, "S01"]]),
    _action(2, "disqualify", "A003", []),
    _action(3, "decline", "A004", [["A009", None, "S01"]]),
    _action(4, "disqualify", "A006", [["A002", None, "S01"]]),
]


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    target = tmp_path / "bundle"
    shutil.copytree(PLAIN, target)
    return target


def _statuses(bundle: Path) -> dict[int, str]:
    return {c.number: c.status for c in verify_bundle(bundle).checks}


def test_waitlist_moves_replayed(plain: Path) -> None:
    add_actions(plain, PLAIN_ACTIONS)
    statuses = _statuses(plain)
    assert statuses[12] == "PASS" and all(s in ("PASS", "ABSENT") for s in statuses.values())


@pytest.mark.parametrize(
    "actions",
    [
        [_action(1, "decline", "A000", [["A003", None, "S01"]])],  # skips the head of the waitlist
        [_action(1, "decline", "A000", [])],  # seat left empty
        [_action(1, "disqualify", "A001", [["A011", None, "S01"]])],  # invented move
        [_action(2, "decline", "A000", [["A011", None, "S01"]])],  # wrong seq
        [_action(1, "decline", "A999", [])],  # not an applicant
        [
            _action(1, "decline", "A000", [["A011", None, "S01"]]),
            _action(2, "decline", "A000", []),
        ],  # twice
        [_action(1, "withdraw", "A000", [["A011", None, "S01"]])],  # unknown type
    ],
)
def test_wrong_actions_fail_check_12(plain: Path, actions: list[dict[str, Any]]) -> None:
    add_actions(plain, actions)
    assert _statuses(plain)[12] == "FAIL"


def test_actions_signed_by_another_key_fail_check_2(plain: Path) -> None:
    add_actions(plain, PLAIN_ACTIONS, key=key_from_label("another key"))
    statuses = _statuses(plain)
    assert statuses[2] == "FAIL" and statuses[12] == "PASS"


def test_a_move_frees_the_school_it_leaves(tmp_path: Path) -> None:
    spec = DrawSpec(
        mode="deferred_acceptance",
        tie_breaking="single",
        max_preferences=2,
        schools=(SchoolSpec("S0", 1, 2, (), None), SchoolSpec("S1", 1, 2, (), None)),
        applicants=(
            ApplicantSpec("A0", None, None, ("S0", "S1"), (("S0", 0),), "F"),
            ApplicantSpec("A1", None, None, ("S0", "S1"), (("S1", 0),), "M"),
            ApplicantSpec("A2", None, None, ("S1",), (), "F"),
        ),
        witnesses=1,
        reveals=(True,),
        min_reveals=1,
        beacon=None,
    )
    key = key_from_label()
    bundle = write_draw(spec, tmp_path / "bundle", key=key)
    # A0 declines S0; A1 (held at S1, its second choice) is first on S0's waitlist and moves up;
    # the seat it leaves at S1 goes to A2, first on S1's waitlist.
    moves = [["A1", "S1", "S0"], ["A2", None, "S1"]]
    add_actions(bundle, [_action(1, "decline", "A0", moves)], key=key)
    assert verify_bundle(bundle).passed
    add_actions(bundle, [_action(1, "decline", "A0", moves[:1])], key=key)
    assert _statuses(bundle)[12] == "FAIL"


def test_the_bundled_audit_log_passes(plain: Path) -> None:
    statuses = _statuses(plain)
    assert statuses[13] == "PASS" and statuses[2] == "PASS"


def test_an_edited_entry_breaks_the_chain(plain: Path) -> None:
    entries = read_log(plain)
    entries[1]["actor"] = "someone else"  # edited after the fact: entry 3's prev no longer matches
    write_log(plain, entries)
    report = verify_bundle(plain)
    assert report.checks[12].status == "FAIL" and report.checks[1].status == "PASS"
    assert "prev is not the hash" in report.checks[12].detail


def test_a_dropped_entry_fails_check_13(plain: Path) -> None:
    entries = read_log(plain)
    write_log(plain, entries[:2] + entries[3:])
    assert _statuses(plain)[13] == "FAIL"


def test_a_log_cut_and_resigned_no_longer_holds_the_documents_heads(plain: Path) -> None:
    """(15.2): the bureau cuts the tail of its own log and signs it again; the results and
    the ceremony still name the entries it cut."""
    write_log(plain, read_log(plain)[:-2])
    report = verify_bundle(plain)
    assert report.checks[12].status == "FAIL" and "audit head" in report.checks[12].detail


def test_a_log_of_another_draw_fails(plain: Path) -> None:
    entries = read_log(plain)
    rebuilt: list[dict[str, Any]] = [entries[0] | {"draw": "OTHER"}]
    for entry in entries[1:]:
        append(rebuilt, entry["action"], entry["details"])
    write_log(plain, rebuilt)
    report = verify_bundle(plain)
    assert report.checks[12].status == "FAIL" and "OTHER" in report.checks[12].detail


def test_a_second_reveal_event_is_refused(plain: Path) -> None:
    entries = read_log(plain)
    revealed = next(e for e in entries if e["action"] == "witness.revealed")
    append(entries, "witness.revealed", revealed["details"])
    write_log(plain, entries)
    assert "witness.revealed" in verify_bundle(plain).checks[12].detail


def test_a_truncated_log_fails_the_index(plain: Path) -> None:
    lines = (plain / "audit.jsonl").read_bytes().splitlines(keepends=True)
    (plain / "audit.jsonl").write_bytes(b"".join(lines[:3]))
    statuses = _statuses(plain)
    assert statuses[1] == "FAIL" and statuses[13] == "NOT RUN"


def test_a_document_without_its_signature_fails_layout(plain: Path) -> None:
    (plain / "audit.sig.json").unlink()
    assert _statuses(plain)[1] == "FAIL"
