"""Outcome leaves, the outcome tree, results heads and outcome proofs (§12.7), the heads files
of a bundle (§13.1), and the validation of post-draw actions (§14.1)."""

from __future__ import annotations

import copy
import itertools
from pathlib import Path
from typing import Any

import pytest
from sample_draws import Child, plain_school, record_for, rules_for, signing_test_key, test_draw

from lottery import (
    ActionEntry,
    AuditLog,
    BundleError,
    DrawResult,
    OutcomeProofError,
    actions_digest,
    actions_document,
    check_outcome_proof,
    outcome_proof,
    outcome_root,
    pin,
    read_bundle,
    results_heads,
    write_bundle,
)
from lottery.actions import check_actions
from lottery.allocation import PostDrawAction, replay_actions
from lottery.allocation.pairs import build_pairs
from lottery.allocation.replay import replay_states
from lottery.outcomes import _choices, _leaf_documents, _status_codes, head_digest

LABEL = "outcomes"
CHILDREN = [
    Child("A001", preferences=("S01", "S02")),
    Child("A002", preferences=("S02", "S01")),
    Child("A003", preferences=("S02",)),
    Child("G001", preferences=("S01",), group="T1"),
    Child("G002", preferences=("S01",), group="T1"),
    Child("A004", preferences=("S01", "S02")),
]
BATCHES = [["A003"], ["G001", "A004"]]


def _draw() -> tuple[DrawResult, AuditLog]:
    rules = rules_for(
        (plain_school(2, "S01"), plain_school(1, "S02")),
        mode="deferred_acceptance",
        max_preferences=2,
    )
    return test_draw(rules, CHILDREN, label=LABEL)


def _with_batches(
    result: DrawResult, log: AuditLog, batches: list[list[str]]
) -> tuple[dict[str, Any], AuditLog]:
    """The actions document after every batch, each batch recorded in the log (§15.3)."""
    ids = result.problem.applicant_ids
    schools = [s.id for s in result.sealed.manifest.rules.schools]
    log = AuditLog(log.draw, log.entries)
    done: list[str] = []
    document: dict[str, Any] = {}
    for n, batch in enumerate(batches, start=1):
        done += batch
        actions = tuple(PostDrawAction("decline", ids.index(a)) for a in done)
        _, moves = replay_actions(result.problem, result.allocation, actions)
        entries = [
            ActionEntry(
                seq=seq,
                type="decline",
                application=application,
                at=f"2026-07-1{n}T01:00:00Z",
                moves=tuple(
                    (
                        ids[m.applicant],
                        None if m.from_school is None else schools[m.from_school],
                        schools[m.to_school],
                    )
                    for m in action_moves
                ),
            )
            for seq, (application, action_moves) in enumerate(zip(done, moves, strict=True), 1)
        ]
        document = actions_document(
            results_digest=result.results_digest.hex(), entries=entries, audit=log.head_now()
        )
        log.append(
            at=f"2026-07-1{n}T01:00:01Z",
            actor="operator",
            action="actions.recorded",
            details={"actions": actions_digest(document).hex(), "count": len(entries)},
        )
    return document, log


@pytest.fixture(scope="module")
def drawn() -> tuple[DrawResult, dict[str, Any], AuditLog]:
    result, log = _draw()
    document, log = _with_batches(result, log, BATCHES)
    return result, document, log


def _heads(drawn: tuple[DrawResult, dict[str, Any], AuditLog]) -> Any:
    result, document, log = drawn
    return results_heads(result, actions=document, log=log, signing_key=signing_test_key())


def test_one_head_per_batch_chained(drawn: Any) -> None:
    result, _, log = drawn
    heads = _heads(drawn)
    assert [h.head["seq"] for h in heads] == [0, 1, 2]
    assert [h.head["actions"] for h in heads] == [0, 1, 3]
    assert heads[0].head["previous"] is None
    for before, after in itertools.pairwise(heads):
        assert after.head["previous"] == head_digest(before.head).hex()
    assert heads[0].head["audit"] == result.audit.document()
    recorded = [e for e in log.entries if e["action"] == "actions.recorded"]
    for head, entry in zip(heads[1:], recorded, strict=True):
        assert head.head["audit"]["seq"] == entry["seq"] - 1
    for head in heads:
        assert head.head["outcomes"] == {"count": 6, "root": outcome_root(head.leaves)}
        assert sum(head.head["counts"].values()) == 6
        assert head.signature["kind"] == "results-head"
    assert heads[2].head["counts"]["removed"] == 3


def test_draw_day_leaves_agree_with_the_results(drawn: Any) -> None:
    result = drawn[0]
    import json

    leaves = [json.loads(leaf) for leaf in _heads(drawn)[0].leaves]
    rows = result.results["applicants"]
    assert [[x["application"], x["lottery_number"], x["status"], x["school"], x["label"]]
            for x in leaves] == [list(r) for r in rows]  # fmt: skip
    for school in result.results["schools"]:
        for position, application in enumerate(school["waitlist"], start=1):
            leaf = next(x for x in leaves if x["application"] == application)
            assert [school["id"], position] in [[c[0], c[2]] for c in leaf["choices"]]


def test_byte_row_leaves_equal_encoded_documents(drawn: Any) -> None:
    result = drawn[0]
    problem = result.problem
    ids = problem.applicant_ids
    actions = [PostDrawAction("decline", ids.index(a)) for batch in BATCHES for a in batch]
    placements, _ = replay_states(problem, result.allocation, actions, [0, 1, 3])
    checks = [r.receipt_check for r in result.sealed.records]
    pairs = build_pairs(problem)
    for head, placement in zip(_heads(drawn), placements, strict=True):
        expected = _leaf_documents(
            problem,
            placement,
            checks,
            _choices(problem, pairs, placement),
            _status_codes(placement),
        )
        assert head.leaves == expected


def test_declined_seats_go_down_the_waitlist(drawn: Any) -> None:
    """§14.2: the twins held S01 together; G001 declines and A004 after it: G002 keeps its
    seat, and the seat G001 left goes to the best candidate that fits."""
    import json

    last = [json.loads(leaf) for leaf in _heads(drawn)[2].leaves]
    by_id = {x["application"]: x for x in last}
    assert by_id["G001"]["status"] == "decline"
    assert by_id["A003"]["status"] == "decline"
    assert by_id["G002"]["status"] == "admitted"


def _receipt(application: str) -> str:
    child = next(c for c in CHILDREN if c.application == application)
    return record_for(child, LABEL)[0].receipt


def test_a_proof_checks_and_every_change_fails(drawn: Any) -> None:
    result = drawn[0]
    head = _heads(drawn)[-1]
    the_pin = pin(result.sealed.manifest_digest, result.sealed.manifest.signing_key.fingerprint)
    for application in ("A001", "G002", "A004"):
        proof = outcome_proof(head, application)
        leaf = check_outcome_proof(
            proof, pin=the_pin, receipt=_receipt(application), application=application
        )
        assert leaf["application"] == application
    proof = outcome_proof(head, "A001")
    digest = result.sealed.manifest_digest.hex()
    fingerprint = result.sealed.manifest.signing_key.fingerprint
    assert check_outcome_proof(proof, manifest=digest, fingerprint=fingerprint)
    # A digest alone pins nothing: a proof carries no manifest, so a head signed by any key
    # could name the real digest (§12.7 item 4 step 2).
    with pytest.raises(OutcomeProofError, match="alone does not pin"):
        check_outcome_proof(proof, manifest=digest)
    with pytest.raises(OutcomeProofError, match="key fingerprint given"):
        check_outcome_proof(proof, manifest=digest, fingerprint="00" * 32)
    changed_leaf = copy.deepcopy(proof)
    changed_leaf["outcome"]["status"] = "disqualify"
    with pytest.raises(OutcomeProofError, match="not the one the head signed"):
        check_outcome_proof(changed_leaf)
    changed_head = copy.deepcopy(proof)
    changed_head["head"]["counts"]["admitted"] += 1
    with pytest.raises(OutcomeProofError, match="signature fails"):
        check_outcome_proof(changed_head)
    with pytest.raises(OutcomeProofError, match="pin given is not"):
        check_outcome_proof(proof, pin="0000-0000-0000-0000-0000")
    with pytest.raises(OutcomeProofError, match="manifest digest given"):
        check_outcome_proof(proof, manifest="00" * 32, fingerprint=fingerprint)
    with pytest.raises(OutcomeProofError, match="receipt code does not match"):
        check_outcome_proof(proof, receipt=_receipt("A002"))
    with pytest.raises(OutcomeProofError, match="not of A002"):
        check_outcome_proof(proof, application="A002")
    wrong_index = copy.deepcopy(proof)
    wrong_index["index"] = 6
    with pytest.raises(OutcomeProofError, match="index 6"):
        check_outcome_proof(wrong_index)
    with pytest.raises(OutcomeProofError, match="not in this draw"):
        outcome_proof(head, "Z999")


def test_bundle_holds_the_heads_and_reads_them_back(drawn: Any, tmp_path: Path) -> None:
    result, document, log = drawn
    write_bundle(tmp_path / "b", result, log=log, signing_key=signing_test_key(), actions=document)
    bundle = read_bundle(tmp_path / "b")
    assert [h.head for h in _heads(drawn)] == list(bundle.heads)
    heads_file = tmp_path / "b" / "heads.jsonl"
    lines = heads_file.read_bytes().split(b"\n")
    heads_file.write_bytes(b"\n".join([lines[0], lines[2], b""]))
    with pytest.raises(BundleError):
        read_bundle(tmp_path / "b")


def test_invalid_actions_are_refused_naming_the_action() -> None:
    ids = ["A001", "A002"]

    def entry(seq: int, application: str, at: str) -> ActionEntry:
        return ActionEntry(seq, "decline", application, at, ())

    check_actions([entry(1, "A001", "2026-07-10T01:00:00Z")], ids)
    with pytest.raises(BundleError, match="action 1: application 'Z9' is not an applicant"):
        check_actions([entry(1, "Z9", "2026-07-10T01:00:00Z")], ids)
    twice = [entry(1, "A001", "2026-07-10T01:00:00Z"), entry(2, "A001", "2026-07-10T02:00:00Z")]
    with pytest.raises(BundleError, match="action 2: application A001 was already removed"):
        check_actions(twice, ids)
    back = [entry(1, "A001", "2026-07-10T02:00:00Z"), entry(2, "A002", "2026-07-10T01:00:00Z")]
    with pytest.raises(BundleError, match=r"action 2: at .* is earlier"):
        check_actions(back, ids)


@pytest.mark.parametrize("mode", ["deferred_acceptance", "zone_assignment"])
def test_byte_row_leaves_with_a_number_per_school(mode: str) -> None:
    """§8.3 multiple tie-breaking (a number per school in `choices`), and a zone draw's
    generated lists (§10.5) without waitlist positions."""
    rules = rules_for(
        (plain_school(3, "S01"), plain_school(4, "S02")),
        mode=mode,
        tie_breaking="multiple",
        max_preferences=2,
    )
    children = (
        CHILDREN
        if mode != "zone_assignment"
        else [Child(c.application, preferences=(), group=c.group) for c in CHILDREN]
    )
    result, log = test_draw(rules, children, label=LABEL)
    (head,) = results_heads(result, actions=None, log=log, signing_key=signing_test_key())
    problem = result.problem
    placements, _ = replay_states(problem, result.allocation, [], [0])
    checks = [r.receipt_check for r in result.sealed.records]
    pairs = build_pairs(problem)
    expected = _leaf_documents(
        problem,
        placements[0],
        checks,
        _choices(problem, pairs, placements[0]),
        _status_codes(placements[0]),
    )
    assert head.leaves == expected
