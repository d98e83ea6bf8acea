"""Protocol issue 12 in the verifier: free seats (§10.9), results heads and their chain
(§12.7), batches in the log (§15.3), the replay through Fill (§14.2), rehearsals (§16), zip
folders (§13.2), the outcome proof (§12.7 item 4) and the family's check (§17.1).

Bundles come from the minimal bureau of `bureau.py` (its results and heads are the verifier's
own re-run); each test changes one thing and expects the check that is about it to fail."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from bureau import key_from, receipt_code, record, signature_file, simple_draw, tagged
from resign import add_actions, append, jcs, read_log, reindex, write_log

from verifier import verify_bundle
from verifier.allocation import Allocation
from verifier.cli import main
from verifier.errors import CheckFailed
from verifier.merkle import inclusion_proof, leaf_hash, verify_inclusion
from verifier.verify import run_checks

BUREAU_KEY = key_from("bureau key")
OTHER_KEY = key_from("another key")


def _failing(bundle: Path) -> dict[int, str]:
    return {c.number: c.detail for c in verify_bundle(bundle).checks if c.status == "FAIL"}


def _first_failure(bundle: Path) -> tuple[int, str]:
    report = verify_bundle(bundle)
    first = report.first_failure
    assert first is not None, "the bundle passed"
    return first.number, first.detail + " " + first.expected + " " + first.found


def _heads(bundle: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (bundle / "heads.jsonl").read_bytes().splitlines()]


def _write_heads(bundle: Path, heads: list[dict[str, Any]], key: Any = BUREAU_KEY) -> None:
    """heads.jsonl and heads.sig.jsonl as the key holder would sign them, and the index."""
    (bundle / "heads.jsonl").write_bytes(b"".join(jcs(h) + b"\n" for h in heads))
    signatures = [
        signature_file(key, "results-head", tagged("results-head", jcs(h))) for h in heads
    ]
    (bundle / "heads.sig.jsonl").write_bytes(b"".join(s + b"\n" for s in signatures))
    reindex(bundle, BUREAU_KEY)


@pytest.fixture
def draw(tmp_path: Path) -> Path:
    simple_draw(tmp_path / "bundle")
    return tmp_path / "bundle"


# §5.3: the sizes RFC 9162 leaves implicit.
def test_empty_or_short_hashes_never_verify() -> None:
    with pytest.raises(CheckFailed, match="32 bytes"):
        verify_inclusion(leaf=b"", index=0, tree_size=1, proof=[], root=b"")
    leaves = [leaf_hash(bytes([i])) for i in range(3)]
    proof = inclusion_proof(leaves, 0)
    with pytest.raises(CheckFailed, match="32 bytes"):
        verify_inclusion(leaf=leaves[0], index=0, tree_size=3, proof=[proof[0][:31], proof[1]],
                         root=leaf_hash(b"x"))  # fmt: skip


# §10.9: Fill, on hand-made candidates (rank, number, key, unit); lower is better.
def test_fill_moves_a_unit_up_and_fills_the_seat_it_left() -> None:
    # u0 lists S0 then S1 and holds S1; S0 has a free seat; u1 waits for S1 only.
    candidates = [[(0, 1, b"a", 0)], [(0, 2, b"b", 1)]]
    state = Allocation([1, None], [None, None], [[0, 1], [1]], [1, 1], [1, 0], candidates)
    assert state.fill([0, 1]) == [(0, 1, 0), (1, None, 1)]
    assert state.assigned == [0, 1] and state.free == [0, 0]


def test_fill_passes_over_a_group_that_does_not_fit_and_goes_on() -> None:
    # One free seat at S0: the better group of two is passed over, the single child gets it.
    candidates = [[(0, 1, b"g", 0), (0, 2, b"a", 1)]]
    state = Allocation([None, None], [None, None], [[0], [0]], [2, 1], [1], candidates)
    assert state.fill([0]) == [(1, None, 0)]
    assert state.waitlist(0) == [(0, 1, b"g", 0)]


# §12.7, §17 steps 1, 2 and 10: head 0.
def test_head_zero_of_the_rerun_passes(draw: Path) -> None:
    assert verify_bundle(draw).passed
    (head,) = _heads(draw)
    assert (head["seq"], head["previous"], head["actions"]) == (0, None, 0)


def test_a_head_whose_root_is_not_the_reruns_fails_check_10(draw: Path) -> None:
    heads = _heads(draw)
    heads[0]["outcomes"]["root"] = "ab" * 32
    _write_heads(draw, heads)
    number, detail = _first_failure(draw)
    assert number == 10 and "results head 0 differs" in detail and "outcomes" in detail


def test_a_head_signed_by_another_key_fails_check_2(draw: Path) -> None:
    _write_heads(draw, _heads(draw), key=OTHER_KEY)
    number, detail = _first_failure(draw)
    assert number == 2 and "heads.sig.jsonl line 1" in detail


def test_a_missing_signature_line_fails_check_2(draw: Path) -> None:
    (draw / "heads.sig.jsonl").write_bytes(b"")
    reindex(draw, BUREAU_KEY)
    assert _first_failure(draw)[0] == 2


def test_a_head_with_another_protocol_fails_check_1(draw: Path) -> None:
    heads = _heads(draw)
    heads[0]["protocol"] = "sunshine-draw/1"
    _write_heads(draw, heads)
    number, detail = _first_failure(draw)
    assert number == 1 and "heads.jsonl line 1.protocol" in detail


def test_a_second_head_without_actions_fails_check_12(draw: Path) -> None:
    heads = _heads(draw)
    _write_heads(draw, [*heads, heads[0] | {"seq": 1}])
    number, detail = _first_failure(draw)
    assert number == 12 and "number of results heads" in detail


def test_the_manifest_fingerprint_is_checked_in_step_2(draw: Path) -> None:
    manifest = json.loads((draw / "manifest.json").read_bytes())
    manifest["signing_key"]["fingerprint"] = "00" * 32
    (draw / "manifest.json").write_bytes(jcs(manifest))
    reindex(draw, BUREAU_KEY)
    number, detail = _first_failure(draw)
    assert number == 2 and "manifest.signing_key.fingerprint" in detail


# §14, §12.7, §15.3: batches of actions, each with its head.
def _act(seq: int, kind: str, application: str, at: str = "2024-10-15T08:00:00Z") -> dict[str, Any]:
    return {"seq": seq, "type": kind, "application": application, "at": at}  # moves: replay's


@pytest.fixture
def batches(draw: Path) -> Path:
    """Two batches on the draw of 6 children for 3 seats: a decline, then a disqualification."""
    admitted = next(r[0] for r in json.loads((draw / "results.json").read_bytes())["applicants"]
                    if r[2] == "admitted")  # fmt: skip
    add_actions(draw, [_act(1, "decline", admitted)], key=BUREAU_KEY)
    waiting = next(r[0] for r in json.loads((draw / "results.json").read_bytes())["applicants"]
                   if r[2] == "waitlisted")  # fmt: skip
    add_actions(draw, [_act(2, "disqualify", waiting, "2024-10-16T08:00:00Z")], key=BUREAU_KEY)
    return draw


def test_two_batches_pass(batches: Path) -> None:
    report = verify_bundle(batches)
    assert report.passed, [(c.number, c.detail) for c in report.checks if c.status == "FAIL"]
    assert [h["actions"] for h in _heads(batches)] == [0, 1, 2]
    assert "3 results heads" in report.checks[11].detail


def test_a_broken_previous_fails_check_12(batches: Path) -> None:
    heads = _heads(batches)
    heads[2]["previous"] = tagged("results-head", jcs(heads[0])).hex()
    _write_heads(batches, heads)
    number, detail = _first_failure(batches)
    assert number == 12 and "results head 2 differs" in detail and "previous" in detail


def test_a_changed_leaf_in_a_later_head_fails_check_12(batches: Path) -> None:
    heads = _heads(batches)
    heads[1]["counts"]["admitted"] += 1
    heads[1]["counts"]["removed"] -= 1
    _write_heads(batches, heads)
    number, detail = _first_failure(batches)
    assert number == 12 and "results head 1 differs" in detail and "counts" in detail


def test_a_dropped_last_head_fails_check_12(batches: Path) -> None:
    _write_heads(batches, _heads(batches)[:2])
    number, detail = _first_failure(batches)
    assert number == 12 and "does not cover every action" in detail


def test_heads_without_their_actions_recorded_entries_fail_check_13(batches: Path) -> None:
    entries = [
        e
        for e in read_log(batches)
        if e["action"] != "actions.recorded" or e["details"]["count"] == 2
    ]
    for seq, entry in enumerate(entries, start=1):  # re-chain what is left
        entry["seq"], entry["prev"] = (
            seq,
            tagged("audit", jcs(entries[seq - 2])).hex() if seq > 1 else "0" * 64,
        )
    write_log(batches, entries, BUREAU_KEY)
    failing = _failing(batches)
    assert 13 in failing


def test_an_action_recorded_elsewhere_than_after_its_heads_audit_head_fails_check_13(
    batches: Path,
) -> None:
    entries = read_log(batches)
    append(entries, "actions.recorded", {"actions": "00" * 32, "count": 2})
    write_log(batches, entries, BUREAU_KEY)
    assert 13 in _failing(batches)


def test_actions_out_of_time_order_fail_check_12(draw: Path) -> None:
    results = json.loads((draw / "results.json").read_bytes())["applicants"]
    waiting = [r[0] for r in results if r[2] == "waitlisted"]
    add_actions(draw, [_act(1, "disqualify", waiting[0], "2024-10-16T08:00:00Z"),
                       _act(2, "disqualify", waiting[1], "2024-10-15T08:00:00Z")], key=BUREAU_KEY)  # fmt: skip
    number, detail = _first_failure(draw)
    assert number == 12 and "not before the previous action" in detail


def test_a_twin_whose_brother_declined_takes_the_single_free_seat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # §14.2 step 2, second part: one seat, left free on the draw day (twins do not fit whole).
    import bureau

    one_seat = bureau.school
    monkeypatch.setattr(bureau, "school", lambda id, seats: one_seat(id, 1))
    twins = [record("A1", ["S1"]), record("A2", ["S1"])]
    for twin in twins:
        twin["group"] = "G"
    simple_draw(tmp_path / "b", records=twins)
    results = json.loads((tmp_path / "b" / "results.json").read_bytes())
    assert [r[2] for r in results["applicants"]] == ["waitlisted", "waitlisted"]
    assert results["groups_without_room"] == []  # one free seat in all: no room for two
    add_actions(tmp_path / "b", [_act(1, "decline", "A1") | {"moves": [["A2", None, "S1"]]}],
                key=BUREAU_KEY)  # fmt: skip
    assert verify_bundle(tmp_path / "b").passed
    counts = _heads(tmp_path / "b")[1]["counts"]
    assert counts == {"admitted": 1, "waitlisted": 0, "unplaced": 0, "removed": 1}


# §16: rehearsals re-run from their text.
def test_rehearsals_are_rerun_from_their_text(tmp_path: Path) -> None:
    simple_draw(tmp_path / "b", rehearsals=("practice one", "练习二"))
    report = verify_bundle(tmp_path / "b")
    assert report.passed and "2 rehearsal(s) re-run" in report.checks[12].detail


def test_a_rehearsal_with_another_digest_fails_check_13(tmp_path: Path) -> None:
    simple_draw(tmp_path / "b", rehearsals=(("practice", "ab" * 32),))  # logged, not what it gives
    number, detail = _first_failure(tmp_path / "b")
    assert number == 13 and "rehearsal 'practice' re-run gives another results digest" in detail


def test_a_rehearsal_after_the_draw_fails_check_13(draw: Path) -> None:
    entries = read_log(draw)
    append(entries, "rehearsal.run", {"text": "late", "results": "00" * 32})
    write_log(draw, entries, BUREAU_KEY)
    number, detail = _first_failure(draw)
    assert number == 13 and "rehearsal.run" in detail


# §13.2: folder entries in a zip.
def _zip(bundle: Path, target: Path, extra: list[str], folder: str = "bundle/") -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        if folder:
            archive.writestr(folder, b"")
        for name in extra:
            archive.writestr(name, b"" if name.endswith("/") else b"x")
        for path in sorted(bundle.iterdir()):
            archive.writestr(folder + path.name, path.read_bytes())
    return target


def test_a_zip_with_its_top_folder_entry_passes(draw: Path, tmp_path: Path) -> None:
    assert verify_bundle(_zip(draw, tmp_path / "b.zip", [])).passed


@pytest.mark.parametrize("extra", [["__MACOSX/", "__MACOSX/bundle/._manifest.json"],
                                   ["bundle/sub/"], ["__MACOSX/._x"]])  # fmt: skip
def test_zip_folders_other_than_the_top_one_are_refused_by_name(
    draw: Path, tmp_path: Path, extra: list[str]
) -> None:
    number, detail = _first_failure(_zip(draw, tmp_path / "b.zip", extra))
    assert number == 1 and extra[-1] in detail


def test_a_folder_entry_in_a_root_zip_is_refused(draw: Path, tmp_path: Path) -> None:
    number, detail = _first_failure(_zip(draw, tmp_path / "b.zip", ["__MACOSX/"], folder=""))
    assert number == 1 and "__MACOSX/" in detail


# §12.7 item 4: the outcome proof, without the bundle.
def _proof(bundle: Path, application: str) -> dict[str, Any]:
    state = run_checks(bundle)[1]
    index = [leaf["application"] for leaf in state.leaves].index(application)
    from verifier.actions import outcome_entry

    hashes = [leaf_hash(outcome_entry(leaf)) for leaf in state.leaves]
    lines = (bundle / "heads.jsonl").read_bytes().splitlines()
    signatures = (bundle / "heads.sig.jsonl").read_bytes().splitlines()
    return {"protocol": "sunshine-draw/2", "kind": "outcome-proof", "head": json.loads(lines[-1]),
            "signature": json.loads(signatures[-1]), "outcome": state.leaves[index], "index": index,
            "proof": [h.hex() for h in inclusion_proof(hashes, index)]}  # fmt: skip


def _run_outcome(tmp_path: Path, proof: dict[str, Any], *args: str) -> int:
    (tmp_path / "proof.json").write_bytes(jcs(proof))
    return main(["outcome", str(tmp_path / "proof.json"), "--lang", "en", *args])


def test_an_outcome_proof_pinned_unpinned_and_with_the_receipt(
    batches: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = verify_bundle(batches)
    proof = _proof(batches, "A001")
    assert _run_outcome(tmp_path, proof) == 3
    assert "NOT PINNED" in capsys.readouterr().out
    assert (
        _run_outcome(tmp_path, proof, "--pin", report.pin or "", "--receipt", receipt_code("A001"))
        == 0
    )
    out = capsys.readouterr().out
    assert "results head 2" in out.lower() or "Results head 2" in out
    assert "bureau signed" in out
    assert _run_outcome(tmp_path, proof, "--manifest", report.manifest_digest or "",
                        "--fingerprint", report.fingerprint or "") == 0  # fmt: skip
    assert _run_outcome(tmp_path, proof, "--pin", "0" * 20) == 1
    assert _run_outcome(tmp_path, proof, "--receipt", receipt_code("A002")) == 1
    assert _run_outcome(tmp_path, proof, "--applicant", "A002") == 1
    with pytest.raises(SystemExit) as usage:
        _run_outcome(tmp_path, proof, "--pin", report.pin or "", "--manifest", "00")
    assert usage.value.code == 2
    # §12.7 item 4 step 2: a proof carries no manifest, so the digest alone binds no key: a
    # head signed by anyone could name the real digest. It is refused as wrong usage.
    with pytest.raises(SystemExit) as usage:
        _run_outcome(tmp_path, proof, "--manifest", report.manifest_digest or "")
    assert usage.value.code == 2


@pytest.mark.parametrize("change", ["leaf", "index", "proof", "signature", "head", "fingerprint"])
def test_a_changed_outcome_proof_fails(batches: Path, tmp_path: Path, change: str) -> None:
    proof = _proof(batches, "A001")
    if change == "leaf":
        proof["outcome"]["status"] = (
            "admitted" if proof["outcome"]["status"] != "admitted" else "unplaced"
        )
    elif change == "index":
        proof["index"] = (proof["index"] + 1) % 6
    elif change == "proof":
        proof["proof"] = proof["proof"][:-1]
    elif change == "signature":
        head = proof["head"]
        proof["signature"] = json.loads(
            signature_file(OTHER_KEY, "results-head", tagged("results-head", jcs(head)))
        )
        assert _run_outcome(tmp_path, proof) == 3  # valid, under someone's key: not pinned
        proof["signature"]["fingerprint"] = "00" * 32
    elif change == "head":
        proof["head"]["counts"]["admitted"] += 1
    else:
        proof["signature"]["fingerprint"] = tagged("key-fingerprint", b"\x00" * 32).hex()
    assert _run_outcome(tmp_path, proof) == 1


# §17.1: the family's check reads the last head.
def test_the_familys_check_proves_the_outcome_against_the_last_head(
    batches: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = receipt_code("A001")
    assert main([str(batches), "--applicant", "A001", "--receipt", code, "--lang", "en"]) == 3
    out = capsys.readouterr().out
    assert "Outcome proven against the signed results head (leaf 2 of 6, results head 2" in out
    assert "draw-day cutoff open" in out


def test_the_familys_check_fails_when_the_last_head_is_not_its_state(batches: Path) -> None:
    from verifier.parent import check_applicant

    heads = _heads(batches)
    heads[-1]["outcomes"]["root"] = "cd" * 32
    _write_heads(batches, heads)
    report = check_applicant(batches, application="A001", receipt=receipt_code("A001"))
    assert report.status is None and not report.bundle.passed


# §10.9 after the mode: deferred acceptance with groups leaves a seat free at S3 (a group S3
# held was displaced late) while A09, who listed S3 first, sits at S2; Fill moves A09 up.
# (Found by a random search over small draws; seed SHA-256("24").)
def test_fill_after_deferred_acceptance_gives_a_late_free_seat_to_a_child_who_listed_it() -> None:
    import hashlib

    from bureau import school

    from verifier.allocation import Priorities, allocate
    from verifier.manifest import parse_manifest
    from verifier.records import build_units, parse_records

    lists = {"G0": ["S3", "S4", "S1", "S2"], "G2": ["S2", "S1", "S3"], "G3": ["S4", "S3", "S2"]}
    groups = ["G0", "G0", "G0", None, "G2", "G2", "G2", "G3", "G3", None]
    records = []
    for i, group in enumerate(groups):
        alone = {3: ["S1", "S2", "S4"], 9: ["S3", "S2", "S1", "S4"]}
        records.append(record(f"A{i:02d}", lists[group] if group else alone[i]) | {"group": group})
    seats = {"S1": 4, "S2": 2, "S3": 3, "S4": 1}
    document = _manifest("deferred_acceptance", [school(s, n) for s, n in seats.items()])
    document["max_preferences"], document["applicants"]["count"] = 4, len(records)
    manifest = parse_manifest(document)
    units = build_units(parse_records([jcs(r) for r in records], manifest))
    state = allocate(manifest, Priorities(manifest, units, hashlib.sha256(b"24").digest()))
    held = {m.application: state.assigned[u] for u, unit in enumerate(units) for m in unit.members}
    assert held["A09"] == 2  # S3, its first choice (without Fill: S2)
    for s in range(4):  # when Fill ends, no candidate fits a free seat whole
        assert all(state.sizes[c[3]] > state.free[s] for c in state.waitlist(s))


def _manifest(mode: str, schools: list[dict[str, Any]]) -> dict[str, Any]:
    """A manifest read only by `parse_manifest` (no signatures, no ceremony)."""
    from bureau import QUICKNET, ROUND, ROUND_AT, SEALED_AT, public_hex

    key = key_from("bureau key")
    public = bytes.fromhex(public_hex(key))
    return {"protocol": "sunshine-draw/2", "kind": "manifest", "mode": mode,
            "draw": {"id": "D", "title": "t", "authority": "a", "sealed_at": SEALED_AT},
            "tie_breaking": "single", "max_preferences": 3, "group_policy": "together",
            "schools": schools, "categories": [], "applicants": {"count": 14, "root": "00" * 32},
            "witnesses": [{"id": "W0", "name": "w", "commitment": "00" * 32,
                           "public_key": public_hex(key_from("witness key 0"))}],
            "reveal_policy": {"min_reveals": 1},
            "beacon": {"source": "drand:" + QUICKNET, "round": str(ROUND), "format": "hex64",
                       "at": ROUND_AT, "fallback": None},
            "signing_key": {"algorithm": "ed25519", "public_key": public.hex(),
                            "fingerprint": tagged("key-fingerprint", public).hex()},
            "audit": None, "replaces": None}  # fmt: skip


def test_the_fast_leaf_encoding_is_jcs(batches: Path) -> None:
    """`built_entry` (json.dumps, §2.4) gives exactly `outcome_entry` (the verifier's own JCS,
    §2.3) for every leaf the verifier builds, in every state of a bundle with actions."""
    from verifier.actions import built_entry, outcome_entry

    state = run_checks(batches)[1]  # the last state: removed children, moves, waitlists
    assert {leaf["status"] for leaf in state.leaves} >= {"admitted", "decline"}
    for leaf in state.leaves:
        assert built_entry(leaf) == outcome_entry(leaf)
