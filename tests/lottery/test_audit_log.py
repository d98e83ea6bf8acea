"""The audit log bound to its draw (§15), pins (§12.6), the receipt check (§4.8), the index
(§13.5)."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest
from sample_draws import (
    Ceremonial,
    Child,
    plain_school,
    record_for,
    rules_for,
    signing_test_key,
    test_draw,
)

from lottery import (
    AuditHead,
    AuditLog,
    BundleError,
    InvalidRecord,
    audit_entry_hash,
    canonical_json,
    ceremony_document,
    check_audit_log,
    check_index,
    format_pin,
    index_document,
    manifest_digest,
    normalise_code,
    normalise_receipt,
    pin,
    receipt_check,
    rehearse,
)

DRAWN = test_draw(rules_for([plain_school(3)]), [Child(f"A{i}") for i in range(6)], label="log")
RESULT, LOG = DRAWN


def _rechain(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chain re-made after entries were changed or deleted, as the key holder can."""
    out: list[dict[str, Any]] = []
    for n, entry in enumerate(entries, start=1):
        prev = audit_entry_hash(out[-1]).hex() if out else "0" * 64
        out.append({**entry, "seq": n, "prev": prev})
    return out


def _check(entries: list[dict[str, Any]], **changes: Any) -> None:
    arguments: dict[str, Any] = {
        "manifest_digest": RESULT.sealed.manifest_digest,
        "manifest": RESULT.sealed.manifest,
        "ceremony_doc": ceremony_document(RESULT.ceremony),
        "results_digest": RESULT.results_digest,
        "actions_doc": None,
        "index_head": {"seq": len(entries), "hash": audit_entry_hash(entries[-1]).hex()},
        "results_head": RESULT.audit,
    }
    check_audit_log(entries, **{**arguments, **changes})


def test_the_log_of_a_draw_binds_to_it() -> None:
    entries = list(LOG.entries)
    assert [e["action"] for e in entries][-6:] == [
        "witness.revealed",
        "witness.revealed",
        "witness.revealed",
        "ceremony.checkpoint",
        "ceremony.beacon",
        "draw.run",
    ]
    _check(entries)
    assert LOG.jsonl().count(b"\n") == len(entries)
    assert AuditLog(LOG.draw, entries).head_now() == LOG.head_now()


def test_a_cut_log_does_not_match() -> None:
    entries = list(LOG.entries)[:-1]
    with pytest.raises(BundleError, match=r"0 draw.run entries"):
        _check(entries)
    with pytest.raises(BundleError, match=r"index.json: its audit head is entry 5"):
        _check(list(LOG.entries), index_head={"seq": 5, "hash": audit_entry_hash(entries[4]).hex()})


def test_the_log_of_another_draw() -> None:
    other_rules = rules_for([plain_school(3)], draw_id="OTHER-2026")
    _, other = test_draw(other_rules, [Child(f"A{i}") for i in range(6)], label="log")
    with pytest.raises(BundleError, match="entry 1: names draw 'OTHER-2026', not this draw"):
        _check(list(other.entries))


def test_a_deleted_reveal_event() -> None:
    entries = [
        e
        for e in LOG.entries
        if e["details"].get("witness") != "W2" or e["action"] != "witness.revealed"
    ]
    with pytest.raises(BundleError, match=r"no witness.revealed entry for W2"):
        _check(_rechain(entries))


def test_a_log_naming_another_seed() -> None:
    entries = [copy.deepcopy(e) for e in LOG.entries]
    entries[-1]["details"]["seed"] = "ee" * 32
    with pytest.raises(BundleError, match="names another seed or results"):
        _check(_rechain(entries))


def test_a_broken_chain_and_heads() -> None:
    entries = [copy.deepcopy(e) for e in LOG.entries]
    entries[3]["at"] = "2026-07-01T01:30:00Z"
    with pytest.raises(BundleError, match=r"entry 5: prev .* the chain is broken"):
        _check(entries)
    rechained = _rechain(entries)  # the manifest's head (before sealing) no longer matches
    with pytest.raises(BundleError, match=r"draw.sealed is entry"):
        _check(rechained)


def test_committed_events_name_the_manifest_values() -> None:
    entries = [copy.deepcopy(e) for e in LOG.entries]
    committed = next(e for e in entries if e["action"] == "witness.committed")
    committed["details"]["public_key"] = "ab" * 32
    sealed = next(e["seq"] for e in entries if e["action"] == "draw.sealed")
    before = _rechain(entries[: sealed - 1])
    head = AuditHead(seq=len(before), hash=audit_entry_hash(before[-1]).hex())
    manifest = dataclasses.replace(RESULT.sealed.manifest, audit=head)
    entries[sealed - 1]["details"]["manifest"] = manifest_digest(manifest).hex()
    with pytest.raises(BundleError, match=r"last witness.committed of 'W1' does not name"):
        _check(_rechain(entries), manifest=manifest, manifest_digest=manifest_digest(manifest))


def test_without_committed_entries_sealing_is_entry_one() -> None:
    how = Ceremonial(committed_entries=False, beacon="decimal")
    result, log = test_draw(rules_for([plain_school(2)]), [Child("A1")], label="bare", how=how)
    assert result.sealed.manifest.audit is None
    assert log.entries[0]["action"] == "draw.sealed" and log.entries[0]["prev"] == "0" * 64


def test_receipt_check_of_section_4_8() -> None:
    private, public = record_for(Child("A7"), "receipt")
    assert public.receipt_check == receipt_check("A7", private.receipt)
    expected = __import__("hashlib").sha256(
        b"sunshine-draw/2/receipt\x00"
        + canonical_json({"application": "A7", "receipt": private.receipt})
    )
    assert public.receipt_check == expected.hexdigest()
    assert receipt_check("A8", private.receipt) != public.receipt_check
    assert public.document()["receipt_check"] == public.receipt_check


def test_pins_of_section_12_6() -> None:
    digest, fingerprint = (
        RESULT.sealed.manifest_digest,
        RESULT.sealed.manifest.signing_key.fingerprint,
    )
    code = pin(digest, fingerprint)
    assert len(code) == 20 and set(code) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    raw = __import__("hashlib").sha256(
        b"sunshine-draw/2/pin\x00" + digest + bytes.fromhex(fingerprint)
    )
    value = int.from_bytes(raw.digest()[:13], "big") >> 4
    assert (
        int(code.translate(str.maketrans("ABCDEFGHJKMNPQRSTVWXYZ", "abcdefghijklmnopqrstuv")), 32)
        == value
    )
    printed = format_pin(code)
    assert printed.count("-") == 4 and printed.replace("-", "") == code
    typed = printed.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert normalise_code(typed) == code
    assert pin(bytes(32), fingerprint) != code


def test_receipt_codes_use_the_same_normalisation() -> None:
    assert normalise_receipt("abcd-efgh-jkmn-pqio") == "ABCDEFGHJKMNPQ10"
    with pytest.raises(InvalidRecord):
        normalise_receipt("ABCD")


def test_index_lists_every_file() -> None:
    files = {"a.json": b"{}", "b.jsonl": b"x\n"}
    head = LOG.head_now()
    index = index_document(bytes(32), files, [("公示.pdf", "公示", b"%PDF")], head)
    assert [f["name"] for f in index["files"]] == ["a.json", "b.jsonl"]
    assert index["documents"][0]["title"] == "公示" and index["documents"][0]["bytes"] == 4
    check_index(index, {**files, "index.json": b"", "index.sig.json": b""}, bytes(32))
    with pytest.raises(BundleError, match=r"c.txt: a file of the bundle that index.json"):
        check_index(index, {**files, "c.txt": b""}, bytes(32))
    with pytest.raises(BundleError, match=r"b.jsonl: listed in index.json but missing"):
        check_index(index, {"a.json": b"{}"}, bytes(32))
    with pytest.raises(BundleError, match=r"a.json: 3 bytes"):
        check_index(index, {**files, "a.json": b"{ }"}, bytes(32))
    with pytest.raises(BundleError, match="names another manifest"):
        check_index(index, files, b"\x01" * 32)


def _with_rehearsal(details: dict[str, Any], *, after_run: bool = False) -> list[dict[str, Any]]:
    """The log with a `rehearsal.run` entry just before `draw.run` (or after it)."""
    entries = list(LOG.entries)
    entry = {**entries[-1], "action": "rehearsal.run", "actor": "operator", "details": details}
    at = len(entries) if after_run else len(entries) - 1
    return _rechain([*entries[:at], entry, *entries[at:]])


def test_a_rehearsal_is_re_run_from_its_text() -> None:
    """§15.3, §16: the entry names the text and the digest that a re-run gives."""
    text = "公证员彩排 notary rehearsal 1"
    _, signature = rehearse(RESULT.sealed, text, signing_test_key())
    good = _with_rehearsal({"text": text, "results": signature["digest"]})
    _check(good, records=RESULT.sealed.records)
    wrong = _with_rehearsal({"text": text + "!", "results": signature["digest"]})
    _check(wrong)  # without the records only the place and form are checked
    with pytest.raises(BundleError, match="a re-run of the rehearsal"):
        _check(wrong, records=RESULT.sealed.records)
    with pytest.raises(BundleError, match=r"rehearsal.run details \['digest', 'seq', 'text'\]"):
        _check(_with_rehearsal({"seq": 1, "text": text, "digest": signature["digest"]}))
    late = _with_rehearsal({"text": text, "results": signature["digest"]}, after_run=True)
    with pytest.raises(BundleError, match=r"not between draw\.sealed and draw\.run"):
        _check(late, records=RESULT.sealed.records)


def test_actions_recorded_counts_must_increase() -> None:
    entries = list(LOG.entries)
    recorded = {**entries[-1], "action": "actions.recorded", "actor": "operator"}
    twice = _rechain(
        [
            *entries,
            {**recorded, "details": {"actions": "00" * 32, "count": 2}},
            {**recorded, "details": {"actions": "11" * 32, "count": 2}},
        ]
    )
    with pytest.raises(BundleError, match="count 2 does not increase"):
        _check(twice, actions_doc={"actions": [], "audit": None})
