"""Deterministic generator of the tamper suite: one tampered bundle per attack (sunshine-draw/2).

Each attack starts from a valid engine bundle under `tests/vectors/draws/` and changes it the way a
dishonest operator, a careless clerk or a forger might. The operator holds the bureau's signing
key, so most attacks re-sign what they change with it (the TEST key of tests/vectors/README.md:
Ed25519 private key SHA-256("sunshine-draw test signing key 1")); what they cannot forge is the
witnesses' signatures (reveals, co-signed checkpoint and beacon statement), the public beacon and
the pins published at sealing.

After each attack the generator re-derives what anyone can derive (README.txt, §13.4, and
index.json, §13.5) and signs the index with the attacker's key, so that every vector is caught by
the check it is about; the layout and index attacks (`KEEP_INDEX`) keep theirs as made.

`expected.json` maps each bundle to the check of protocol §17 that must fail first.
Run: `.venv/bin/python tests/vectors/tamper/generate.py [OUT]` (default: rewrites the folders
beside it). It uses the engine (`lottery/`) only to hash, encode, sign and re-run draws.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib.util
import io
import json
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "lottery")]

from lottery import (  # noqa: E402
    AuditHead,
    PublicRecord,
    audit_entry_hash,
    canonical_json,
    format_pin,
    index_document,
    manifest_from_document,
    pin,
    rerun_results,
    seed_of,
    sign_document,
    tagged_hash,
)
from lottery.allocation.replay import PostDrawAction, replay_states  # noqa: E402
from lottery.applicants import applicant_root  # noqa: E402
from lottery.outcomes import head_digest, outcome_leaves, outcome_root, state_counts  # noqa: E402

DRAWS = ROOT / "tests" / "vectors" / "draws"
TEST_KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"sunshine-draw test signing key 1").digest())
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"someone else's key").digest())
DIGEST_USE = {"manifest": "manifest", "ceremony": "ceremony", "results": "results", "rehearsal": "results", "index": "index"}

Files = dict[str, bytes]


def parse(data: bytes) -> Any:
    return json.loads(data)


def encode(value: Any) -> bytes:
    return canonical_json(value)


def sign(files: Files, kind: str, name: str, key: Ed25519PrivateKey = TEST_KEY) -> None:
    """Re-sign `name` (manifest/ceremony/results/index) as `kind`, as the key holder can (§12.4)."""
    digest = tagged_hash(DIGEST_USE[kind], files[f"{name}.json"])
    files[f"{name}.sig.json"] = encode(sign_document(kind, digest, key))


def edit(files: Files, name: str, change: Callable[[dict], None], resign: str | None = None) -> None:
    document = parse(files[name])
    change(document)
    files[name] = encode(document)
    if resign:
        sign(files, resign, name.removesuffix(".json"))


def edit_lines(files: Files, change: Callable[[list[dict]], list[dict]]) -> None:
    records = [parse(line) for line in files["applicants.jsonl"].splitlines()]
    files["applicants.jsonl"] = b"".join(encode(r) + b"\n" for r in change(records))


def set_record(index: int, key: str, value: object) -> Callable[[list[dict]], list[dict]]:
    def change(records: list[dict]) -> list[dict]:
        records[index][key] = value
        return records

    return change


# --- the audit log (§15) --------------------------------------------------------------------


def log_entries(files: Files) -> list[dict]:
    return [parse(line) for line in files["audit.jsonl"].splitlines()]


def write_log(files: Files, entries: list[dict], key: Ed25519PrivateKey = TEST_KEY) -> None:
    """Re-chain the entries (seq and prev, §15.1), write them and sign the last one's hash."""
    chained: list[dict] = []
    for n, entry in enumerate(entries, start=1):
        prev = audit_entry_hash(chained[-1]).hex() if chained else "0" * 64
        chained.append({**entry, "seq": n, "prev": prev})
    files["audit.jsonl"] = b"".join(encode(e) + b"\n" for e in chained)
    files["audit.sig.json"] = encode(sign_document("audit", audit_entry_hash(chained[-1]), key))


def head_before_run(entries: list[dict]) -> dict:
    """The head of the entry just before `draw.run`: what the ceremony and results hold."""
    run = next(e["seq"] for e in entries if e["action"] == "draw.run")
    return {"seq": run - 1, "hash": audit_entry_hash(entries[run - 2]).hex()}


# --- results heads (§12.7) ------------------------------------------------------------------


def heads_of(files: Files) -> list[dict]:
    return [parse(line) for line in files["heads.jsonl"].splitlines()]


def write_heads(files: Files, heads: list[dict], key: Ed25519PrivateKey = TEST_KEY, *, chain: bool = True) -> None:
    """heads.jsonl and heads.sig.jsonl, each head signed (§12.4); with `chain`, every
    `previous` re-made from the head before (§12.7 item 3), as the key holder can."""
    for k in range(1, len(heads)):
        if chain:
            heads[k]["previous"] = head_digest(heads[k - 1]).hex()
    files["heads.jsonl"] = b"".join(encode(h) + b"\n" for h in heads)
    files["heads.sig.jsonl"] = b"".join(encode(sign_document("results-head", head_digest(h), key)) + b"\n" for h in heads)


def rebind_heads(files: Files) -> None:
    """After results.json was re-signed: every head names its new digest, re-chained, re-signed."""
    digest = tagged_hash("results", files["results.json"]).hex()
    write_heads(files, [h | {"results": digest} for h in heads_of(files)])


def head_k_leaf_changed(files: Files) -> None:
    """The last head's state with one child's leaf changed (a waitlisted child shown
    admitted), its outcome root re-computed, the head re-signed: only the replay catches it."""
    manifest, results = manifest_from_document(parse(files["manifest.json"])), parse(files["results.json"])
    records = [PublicRecord.from_document(parse(line)) for line in files["applicants.jsonl"].splitlines()]
    problem, allocation, _ = rerun_results(manifest, records, seed=bytes.fromhex(results["seed"]), ceremony_hex=results["ceremony"])
    index = {application: i for i, application in enumerate(problem.applicant_ids)}
    actions = [PostDrawAction(a["type"], index[a["application"]]) for a in parse(files["actions.json"])["actions"]]
    heads = heads_of(files)
    (placement,), _ = replay_states(problem, allocation, actions, [heads[-1]["actions"]])
    leaves = [parse(leaf) for leaf in outcome_leaves(problem, placement, [r.receipt_check for r in records])]
    waiting = next(leaf for leaf in leaves if leaf["status"] == "waitlisted")
    waiting.update(status="admitted", school=waiting["choices"][0][0], label="open")
    heads[-1]["outcomes"]["root"] = outcome_root([encode(leaf) for leaf in leaves])
    write_heads(files, heads)


def cutoff_moved(results: dict) -> None:
    """The reserved cutoff's tier and number published under the open label, and back."""
    school = next(s for s in results["schools"] if len(s["cutoffs"]) > 1 and s["cutoffs"][1]["tier"])
    open_, reserved = school["cutoffs"][0], school["cutoffs"][1]
    for key in ("tier", "lottery_number"):
        open_[key], reserved[key] = reserved[key], open_[key]


def by_tier_shifted(results: dict) -> None:
    """One child counted under the next tier (the sum, so the admitted count, unchanged)."""
    school = next(s for s in results["schools"] if len(s["by_tier"]) > 1 and s["by_tier"][0][1])
    school["by_tier"][0][1] -= 1
    school["by_tier"][1][1] += 1


def without_recorded(files: Files) -> None:
    """The log's actions.recorded entries deleted, the chain re-made and re-signed."""
    write_log(files, [e for e in log_entries(files) if e["action"] != "actions.recorded"])


# --- re-making a draw after a change (the key holder can) -----------------------------------


def rerun(files: Files) -> None:
    """Re-form the seed from ceremony.json, re-run the allocation, re-sign ceremony and results,
    and re-bind the log's `draw.run` entry and the heads: everything the key holder can re-make."""
    manifest_doc, ceremony = parse(files["manifest.json"]), parse(files["ceremony.json"])
    manifest = manifest_from_document(manifest_doc)
    digest = tagged_hash("manifest", files["manifest.json"])
    reveals = tuple((r["witness"], None if r["secret"] is None else bytes.fromhex(r["secret"])) for r in ceremony["reveals"])
    seed = seed_of(digest, reveals, ceremony["beacon"]["used"], ceremony["beacon"]["value"])
    entries = log_entries(files)
    entries = [e for e in entries if e["action"] != "draw.run"]
    write_log(files, entries)
    entries = log_entries(files)
    head = {"seq": len(entries), "hash": audit_entry_hash(entries[-1]).hex()}
    ceremony["seed"], ceremony["audit"] = seed.hex(), head
    files["ceremony.json"] = encode(ceremony)
    sign(files, "ceremony", "ceremony")
    records = [PublicRecord.from_document(parse(line)) for line in files["applicants.jsonl"].splitlines()]
    problem, allocation, results = rerun_results(
        manifest, records, seed=seed, ceremony_hex=tagged_hash("ceremony", files["ceremony.json"]).hex(), audit=AuditHead(**head)
    )
    files["results.json"] = encode(results)
    sign(files, "results", "results")
    (placement,), _ = replay_states(problem, allocation, (), [0])  # head 0, the draw day (§12.7)
    leaves = outcome_leaves(problem, placement, [r.receipt_check for r in records])
    head0 = parse(files["heads.jsonl"].splitlines()[0]) | {"results": tagged_hash("results", files["results.json"]).hex(), "audit": head}
    head0 |= {"outcomes": {"count": len(leaves), "root": outcome_root(leaves)}, **state_counts(problem, placement)}
    write_heads(files, [head0])
    run = {"seq": 0, "prev": "", "at": entries[-1]["at"], "actor": "operator", "action": "draw.run", "draw": entries[-1]["draw"],
           "details": {"seed": seed.hex(), "results": tagged_hash("results", files["results.json"]).hex()}}  # fmt: skip
    write_log(files, [*entries, run])


def reseal(files: Files) -> None:
    """Recompute the applicant root after the records changed and re-sign the manifest."""
    root = applicant_root(files["applicants.jsonl"].splitlines())
    edit(files, "manifest.json", lambda m: m["applicants"].__setitem__("root", root), resign="manifest")


# --- the attacks ------------------------------------------------------------------------------


def swap_outcomes(results: dict) -> None:
    rows = results["applicants"]
    admitted = next(r for r in rows if r[2] == "admitted")
    waiting = next(r for r in rows if r[2] == "waitlisted" and r[0] > admitted[0])
    admitted[2:], waiting[2:] = waiting[2:], admitted[2:]


def rehearsal(results: dict, *, relabel: bool) -> None:
    results["seed"] = tagged_hash("rehearsal-seed", b"rehearsal 1").hex()
    if not relabel:
        results["kind"] = "rehearsal"
        results["ceremony"] = "0" * 64
        results["audit"] = None


def reseal_with_tier(files: Files) -> None:
    """Change a tier, then recompute the root and re-sign the manifest (the ceremony still
    commits to the manifest the witnesses signed their reveals for)."""
    edit_lines(files, set_record(4, "tiers", {"S01": "T1"}))
    reseal(files)


def remade_records(change: Callable[[list[dict]], list[dict]]) -> Callable[[Files], None]:
    """Records changed, root recomputed, manifest re-signed: only a rule the records break
    (or the witnesses' signatures, later) can catch it."""

    def apply(files: Files) -> None:
        edit_lines(files, change)
        reseal(files)

    return apply


def small_order_key(files: Files) -> None:
    """§12.5: the identity point as the bureau's key, and R = identity, S = 0 as every
    signature: an equation that holds for any message, which some libraries accept."""
    identity = bytes.fromhex("01" + "00" * 31)
    fingerprint = tagged_hash("key-fingerprint", identity).hex()
    key = {"algorithm": "ed25519", "fingerprint": fingerprint, "public_key": identity.hex()}
    edit(files, "manifest.json", lambda m: m.__setitem__("signing_key", key))
    for name in ("manifest", "ceremony", "results"):
        digest = tagged_hash(name, files[f"{name}.json"]).hex()
        files[f"{name}.sig.json"] = encode({**key, "digest": digest, "kind": name, "signature": identity.hex() + "00" * 32})


def s_not_reduced(files: Files) -> None:
    """§12.5 item 3: S + L in place of S (the same point equation, another encoding)."""
    signature = parse(files["results.sig.json"])
    raw = bytes.fromhex(signature["signature"])
    s = int.from_bytes(raw[32:], "little") + 2**252 + 27742317777372353535851937790883648493
    signature["signature"] = (raw[:32] + s.to_bytes(32, "little")).hex()
    files["results.sig.json"] = encode(signature)


def dropped_reveal(files: Files) -> None:
    """§19: the bureau drops W2's reveal and re-forms the seed; W2's co-signatures go, W1's
    and W3's stay as they signed the real checkpoint. Draw re-run, everything re-signed."""

    def drop(ceremony: dict) -> None:
        ceremony["reveals"][1].update(secret=None, signature=None)
        for part in ("checkpoint", "beacon"):
            ceremony[part]["signatures"] = [s for s in ceremony[part]["signatures"] if s["witness"] != "W2"]

    edit(files, "ceremony.json", drop)
    rerun(files)


def other_beacon(used: str, value: str) -> Callable[[Files], None]:
    """§19: another beacon value (or the fallback) entered by the bureau; the seed re-formed,
    the draw re-run and everything re-signed. The witnesses' beacon co-signatures fail."""

    def apply(files: Files) -> None:
        edit(files, "ceremony.json", lambda c: c["beacon"].update(used=used, value=value))
        entries = log_entries(files)
        for entry in entries:
            if entry["action"] == "ceremony.beacon":
                entry["details"].update(used=used, value=value)
        write_log(files, entries)
        rerun(files)

    return apply


def beacon_before_sealing(files: Files) -> None:
    """§7.2 item 1: a beacon `at` no later than sealing (a value that may already exist)."""
    sealed_at = parse(files["manifest.json"])["draw"]["sealed_at"]
    edit(files, "manifest.json", lambda m: m["beacon"].__setitem__("at", sealed_at), resign="manifest")


def drand_wrong_period(files: Files) -> None:
    """§7.2 item 3: a quicknet round's time computed with a period of 30 s instead of 3 s."""

    def change(manifest: dict) -> None:
        beacon = manifest["beacon"]
        genesis, period, round_ = 1692803367, 30, int(beacon["round"])
        seconds = genesis + (round_ - 1) * period
        moment = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(seconds=seconds)
        beacon["at"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    edit(files, "manifest.json", change, resign="manifest")


def log_of_other_draw(files: Files) -> None:
    """§15.2: the audit log (and its signature, same key) of another draw."""
    other = DRAWS / "multi" / "01-da-single-tie-breaking"
    files["audit.jsonl"] = (other / "audit.jsonl").read_bytes()
    files["audit.sig.json"] = (other / "audit.sig.json").read_bytes()


def log_tail_cut(files: Files) -> None:
    """§15.2: the log cut before `draw.run`, re-signed; the index holds the new last entry."""
    write_log(files, log_entries(files)[:-1])


def log_names_other_seed(files: Files) -> None:
    """§15.3: `draw.run` names another seed; the chain re-made and re-signed."""
    entries = log_entries(files)
    entries[-1]["details"]["seed"] = "ee" * 32
    write_log(files, entries)


def reveal_event_missing(files: Files) -> None:
    """§15.3: W2's `witness.revealed` entry deleted and the chain re-made; the ceremony and the
    results re-bound to the new heads and re-signed, `draw.run` re-made."""
    entries = [e for e in log_entries(files) if not (e["action"] == "witness.revealed" and e["details"]["witness"] == "W2")]
    write_log(files, entries)
    rerun(files)


def unlisted_file(files: Files) -> None:
    """§13.5: README.txt left out of the index, the index re-signed."""
    index = parse(files["index.json"])
    index["files"] = [f for f in index["files"] if f["name"] != "README.txt"]
    files["index.json"] = encode(index)
    sign(files, "index", "index")


def index_wrong_digest(files: Files) -> None:
    """§13.5: the index gives results.json another SHA-256, re-signed."""
    index = parse(files["index.json"])
    next(f for f in index["files"] if f["name"] == "results.json")["sha256"] = "00" * 32
    files["index.json"] = encode(index)
    sign(files, "index", "index")


def resigned_other_key(files: Files) -> None:
    """§19: the whole draw re-made by someone with another key (and their own witnesses):
    valid in itself; only the pins of the real draw's sealing announcement catch it."""
    from sample_draws import test_draw, write_test_bundle

    spec = importlib.util.spec_from_file_location("single_vectors", ROOT / "tests" / "vectors" / "generate.py")
    assert spec is not None and spec.loader is not None
    single = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(single)
    rules, children, how = single.draw_several_schools()
    result, log = test_draw(rules, children, label="forged 09-several-schools", how=how, signing_key=OTHER_KEY)
    with tempfile.TemporaryDirectory() as temporary:
        target = Path(temporary) / "bundle"
        write_test_bundle(target, result, log, signing_key=OTHER_KEY)
        files.clear()
        files.update({p.name: p.read_bytes() for p in sorted(target.iterdir())})


def zipped(entries: Callable[[Files], list[tuple[str, bytes]]]) -> Callable[[Files], None]:
    """The bundle as `bundle.zip` whose entries `entries` gives (the attack is in the zip)."""

    def apply(files: Files) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in entries(files):
                archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
        files.clear()
        files["bundle.zip"] = buffer.getvalue()

    return apply


def with_link(files: Files) -> None:
    files["README.txt"] = LINK  # written as a symbolic link out of the bundle


LINK = b"symlink:../expected.json"
PERSONAL = "\n张小明 110101201501010012 receipt 7K3M-QX9A-0B2C-ND4F\n".encode()
FULL_NAME = lambda r: [{**x, "masked_name": "王小明"} if i == 2 else x for i, x in enumerate(r)]  # noqa: E731
FULL_ID = lambda r: [{**x, "masked_id": "110101201501010012"} if i == 2 else x for i, x in enumerate(r)]  # noqa: E731
PATHS = {"second_round_not_derived": {"previous": "draws/single/09-several-schools"}}
S09, S02, M09 = "single/09-several-schools", "single/02-tiers", "multi/09-da-post-draw-actions"


ATTACKS: dict[str, tuple[str, int, str, Callable[[Files], None]]] = {
    # name: (base bundle, check of §17 that must fail first, what the attack is, how)
    "changed_tier": (S02, 5, "a child's tier raised after sealing", lambda f: edit_lines(f, set_record(4, "tiers", {"S01": "T1"}))),
    "changed_tier_resealed": (S02, 6, "tier raised and the manifest re-sealed and re-signed after the witnesses revealed for the real one", reseal_with_tier),
    "dropped_applicant": (S09, 5, "one record removed from the list", lambda f: edit_lines(f, lambda r: r[:3] + r[4:])),
    "added_applicant": (S09, 5, "a record added to the list", lambda f: edit_lines(f, lambda r: [*r, {**r[-1], "application": "A999"}])),
    "changed_preference": (S09, 5, "a child's school changed", lambda f: edit_lines(f, set_record(0, "preferences", ["S03"]))),
    "reordered_records": (S09, 5, "two records swapped in the list", lambda f: edit_lines(f, lambda r: [r[1], r[0], *r[2:]])),
    "reveal_mismatch": (S09, 6, "a witness secret that does not match its commitment, ceremony re-signed", lambda f: edit(f, "ceremony.json", lambda c: c["reveals"][0].__setitem__("secret", "ab" * 32), resign="ceremony")),
    "withheld_reveals": ("single/11-missing-reveal", 6, "reveals withheld below min_reveals, ceremony re-signed", lambda f: edit(f, "ceremony.json", lambda c: [r.update(secret=None, signature=None) for r in c["reveals"]], resign="ceremony")),
    "changed_beacon_value": (S09, 6, "another beacon value in the ceremony (seed left as drawn), re-signed", lambda f: edit(f, "ceremony.json", lambda c: c["beacon"].__setitem__("value", "cd" * 32), resign="ceremony")),
    "beacon_wrong_format": (S09, 6, "a beacon value that is not hex64, re-signed", lambda f: edit(f, "ceremony.json", lambda c: c["beacon"].__setitem__("value", "12345"), resign="ceremony")),
    "undeclared_fallback": (S09, 6, "a fallback beacon claimed when none was declared, re-signed", lambda f: edit(f, "ceremony.json", lambda c: c["beacon"].__setitem__("used", "fallback"), resign="ceremony")),
    "changed_seed": (S09, 7, "the seed replaced in ceremony and results, both re-signed", lambda f: (edit(f, "ceremony.json", lambda c: c.__setitem__("seed", "ee" * 32), resign="ceremony"), edit(f, "results.json", lambda r: r.__setitem__("seed", "ee" * 32), resign="results"))),
    "changed_lottery_number": (S09, 8, "one published lottery number changed, results re-signed", lambda f: edit(f, "results.json", lambda r: r["applicants"][0].__setitem__(1, "0000000000000001"), resign="results")),
    "swapped_outcomes": (S09, 10, "an admitted and a waitlisted child swapped, results re-signed", lambda f: edit(f, "results.json", swap_outcomes, resign="results")),
    "dropped_waitlist_entry": (S09, 10, "a child removed from a waitlist, results re-signed", lambda f: edit(f, "results.json", lambda r: next(s for s in r["schools"] if s["waitlist"])["waitlist"].pop(0), resign="results")),
    "inflated_counts": (S02, 10, "published school count above the seats (rows unchanged), re-signed; check 11 fails too", lambda f: edit(f, "results.json", lambda r: r["schools"][0].__setitem__("admitted", 99), resign="results")),
    "results_signed_by_other_key": (S09, 2, "results re-signed with a key that is not the manifest's", lambda f: sign(f, "results", "results", OTHER_KEY)),
    "results_changed_not_resigned": (S09, 2, "an outcome changed without access to the key (index re-derived, not signed)", lambda f: edit(f, "results.json", swap_outcomes)),
    "manifest_changed_after_sealing": (S09, 6, "manifest title edited and re-signed: its digest is no longer the one the witnesses signed their reveals for", lambda f: edit(f, "manifest.json", lambda m: m["draw"].__setitem__("title", "Edited"), resign="manifest")),
    "rehearsal_as_official": (S09, 1, "a rehearsal (模拟) presented as the official results", lambda f: (edit(f, "results.json", lambda r: rehearsal(r, relabel=False)), sign(f, "rehearsal", "results"))),
    "rehearsal_relabelled": (S09, 7, "a rehearsal relabelled as official results and re-signed", lambda f: edit(f, "results.json", lambda r: rehearsal(r, relabel=True), resign="results")),
    "truncated_file": (S09, 1, "results.json cut short", lambda f: f.__setitem__("results.json", f["results.json"][: len(f["results.json"]) // 2])),
    "malformed_json": (S09, 1, "manifest.json is not JSON", lambda f: f.__setitem__("manifest.json", b"{" + f["manifest.json"])),
    "non_canonical_json": (S09, 1, "manifest.json pretty-printed (same content, other bytes)", lambda f: f.__setitem__("manifest.json", json.dumps(parse(f["manifest.json"]), indent=2).encode())),
    "duplicate_key": (S09, 1, "a duplicate key in ceremony.json", lambda f: f.__setitem__("ceremony.json", f["ceremony.json"][:-1] + b',"seed":"' + b"0" * 64 + b'"}')),
    "protocol_version": (S09, 1, "results claim protocol sunshine-draw/1, re-signed", lambda f: edit(f, "results.json", lambda r: r.__setitem__("protocol", "sunshine-draw/1"), resign="results")),
    "missing_signature": (S09, 1, "results.sig.json removed", lambda f: f.pop("results.sig.json")),
    "personal_data_file": (S09, 1, "an extra file (names list) slipped into the bundle", lambda f: f.__setitem__("names.csv", "A000,张三\n".encode())),
    "readme_with_personal_data": (S09, 1, "README.txt carrying a name, an ID number and a receipt code (§13.4)", lambda f: f.__setitem__("README.txt", f["README.txt"] + PERSONAL)),
    "symlink_out_of_bundle": (S09, 1, "README.txt a symbolic link pointing out of the bundle (§13.2)", with_link),
    "full_name_resealed": (S09, 5, "a full name in masked_name, records re-sealed and the manifest re-signed (§4.1.1)", remade_records(FULL_NAME)),
    "full_id_resealed": (S09, 5, "a full ID number in masked_id, records re-sealed and the manifest re-signed (§4.1.1)", remade_records(FULL_ID)),
    "zip_duplicate_entry": (S09, 1, "a zip with two results.json entries, the first one tampered (§13.2)", zipped(lambda f: [("results.json", f["results.json"].replace(b"admitted", b"unplaced", 1)), *sorted(f.items())])),
    "zip_path_escape": (S09, 1, "a zip entry under ../ (§13.2)", zipped(lambda f: [*sorted(f.items()), ("../results.json", f["results.json"])])),
    "zip_absolute_path": (S09, 1, "a zip entry with an absolute path (§13.2)", zipped(lambda f: [*sorted(f.items()), ("/tmp/README.txt", b"x")])),
    "uppercase_signature_hex": (S09, 2, "the results signature in upper-case hex (§1.2)", lambda f: edit(f, "results.sig.json", lambda d: d.__setitem__("signature", d["signature"].upper()))),
    "second_round_not_derived": ("single/01-plain", 14, "a valid draw presented as the second round of another (§14.5)", lambda f: None),
    "small_order_key": (S09, 2, "the identity point as the key, R = identity and S = 0 as every signature (§12.5)", small_order_key),
    "signature_s_not_reduced": (S09, 2, "S + L in place of S in the results signature (§12.5)", s_not_reduced),
    # sunshine-draw/2: the attacks of §19, each re-signed with the bureau's key.
    "dropped_reveal": (S09, 6, "W2's revealed secret set to null, the seed re-formed, the draw re-run and everything re-signed; W1's and W3's co-signatures were made on the real checkpoint (§7.4, §19)", dropped_reveal),
    "other_beacon_value": (S09, 6, "another beacon value entered, the seed re-formed, the draw re-run and everything re-signed; the witnesses' beacon co-signatures fail (§7.5, §19)", other_beacon("primary", "cd" * 32)),
    "fallback_switched": ("single/14-classes-apart", 6, "the declared fallback used instead of the published primary, seed re-formed, draw re-run, everything re-signed (§7.5, §19)", other_beacon("fallback", "3012.45")),
    "beacon_before_sealing": ("single/13-decimal-beacon", 4, "the beacon's at set to draw.sealed_at (a value that may already exist), manifest re-signed (§7.2 item 1)", beacon_before_sealing),
    "drand_wrong_period": (S09, 4, "a quicknet round's at computed with a 30 s period instead of Appendix A's 3 s, manifest re-signed (§7.2 item 3)", drand_wrong_period),
    "log_other_draw": (S09, 13, "the audit log and its signature (same key) of another draw (§15.2)", log_of_other_draw),
    "log_tail_cut": (S09, 13, "the audit log cut before draw.run, re-signed, the index holding the new last entry (§15.2)", log_tail_cut),
    "log_names_other_seed": (S09, 13, "draw.run names another seed, the chain re-made and re-signed (§15.3)", log_names_other_seed),
    "reveal_event_missing": (S09, 13, "W2's witness.revealed entry deleted and the chain re-made; ceremony and results re-bound and re-signed (§15.3)", reveal_event_missing),
    "unlisted_file": (S09, 1, "README.txt not listed in index.json, the index re-signed (§13.5)", unlisted_file),
    "index_wrong_digest": (S09, 1, "index.json gives results.json another SHA-256, re-signed (§13.5)", index_wrong_digest),
    "resigned_other_key": (S09, 3, "the whole draw re-made and signed with another key and other witnesses; the real draw's pins are given (§12.6, §19)", resigned_other_key),
    # Issue 12: results heads (§12.7), cutoffs per label (§10.8), tiers by child (§12.2), batches (§15.3).
    "head_root_not_rerun": (S09, 10, "results head 0 holds another outcome root than the re-run's, re-signed (§12.7, §17 step 10)", lambda f: write_heads(f, [h | {"outcomes": h["outcomes"] | {"root": "ab" * 32}} for h in heads_of(f)])),
    "head_k_leaf_changed": (M09, 12, "in the last head's state a waitlisted child shown admitted, the outcome root re-computed and the head re-signed (§12.7, §17 step 12)", head_k_leaf_changed),
    "head_chain_broken": (M09, 12, "the last head's previous names another head, re-signed (§12.7 item 3)", lambda f: write_heads(f, [*heads_of(f)[:-1], heads_of(f)[-1] | {"previous": "cd" * 32}], chain=False)),
    "head_signed_by_other_key": (S09, 2, "heads.sig.jsonl signed with a key that is not the manifest's (§12.4, §17 step 2)", lambda f: write_heads(f, heads_of(f), OTHER_KEY)),
    "cutoff_moved_label": ("single/04-reserved-filled", 10, "the reserved cutoff published under the open label and back, results and heads re-signed (§10.8)", lambda f: (edit(f, "results.json", cutoff_moved, resign="results"), rebind_heads(f))),
    "by_tier_shifted": (S02, 10, "one admitted child counted under another tier (the total unchanged), results and heads re-signed (§12.2)", lambda f: (edit(f, "results.json", by_tier_shifted, resign="results"), rebind_heads(f))),
    "dropped_head_line": (M09, 12, "the last results head and its signature line dropped: the heads no longer cover every action (§17 step 12)", lambda f: write_heads(f, heads_of(f)[:-1])),
    "heads_without_recorded": (M09, 13, "the log's actions.recorded entries deleted, the chain re-made and re-signed: the heads after head 0 have no batch (§15.3)", without_recorded),
}

# The layout and index attacks keep the index as they made it; the others re-derive it.
KEEP_INDEX = {
    "truncated_file", "malformed_json", "non_canonical_json", "duplicate_key", "missing_signature",
    "personal_data_file", "readme_with_personal_data", "symlink_out_of_bundle", "zip_duplicate_entry",
    "zip_path_escape", "zip_absolute_path", "unlisted_file", "index_wrong_digest",
}  # fmt: skip
KEEP_README = {"truncated_file", "malformed_json", "non_canonical_json", "duplicate_key", "readme_with_personal_data", "symlink_out_of_bundle"}
# Who signs the re-derived index: the bureau's key, unless the attacker has none or another.
INDEX_SIGNER: dict[str, Ed25519PrivateKey | None] = {"results_changed_not_resigned": None, "results_signed_by_other_key": OTHER_KEY, "resigned_other_key": OTHER_KEY}


def derive_readme(files: Files) -> None:
    """README.txt as §13.4 derives it from the (tampered) signed files."""
    manifest = parse(files["manifest.json"])
    digest = tagged_hash("manifest", files["manifest.json"])
    fingerprint = manifest["signing_key"]["fingerprint"]
    lines = [
        f"Public bundle of draw {manifest['draw']['id']}: {manifest['draw']['title']}",
        f"Authority: {manifest['draw']['authority']}",
        "Protocol: sunshine-draw/2 (docs/protocol.md). This file is derived from the signed files (§13.4).",
        "",
        f"Applicants:      {manifest['applicants']['count']}",
        f"Applicant root:  {manifest['applicants']['root']}",
        f"Manifest digest: {digest.hex()}",
        f"Key fingerprint: {fingerprint}",
        f"Pin:             {format_pin(pin(digest, fingerprint))}",
        f"Seed:            {parse(files['ceremony.json'])['seed']}",
        f"Results digest:  {tagged_hash('results', files['results.json']).hex()}",
        "",
    ]
    files["README.txt"] = "".join(line + "\n" for line in [*lines, *README_FIXED]).encode("utf-8")


README_FIXED = (  # the eight fixed lines of §13.4, as the text gives them
    "Files: manifest.json (the sealed rules and commitments), applicants.jsonl (public",
    "records: masked names and ID numbers, salted digests), ceremony.json (witness",
    "reveals and co-signatures, beacon value, seed), results.json (every applicant's",
    "lottery number and outcome, per-school counts, cutoffs, waitlists, classes),",
    "heads.jsonl (the signed results heads: the outcome root of the draw day and of",
    "each batch of later actions, signed line by line in heads.sig.jsonl),",
    "audit.jsonl (the event log), index.json (every file's size and SHA-256), and a",
    "*.sig.json Ed25519 signature for each. Anyone can re-run the draw from these files.",
)


def derive_index(files: Files, signer: Ed25519PrivateKey | None) -> None:
    """index.json as §13.5 derives it from the files and the log's last entry; signed by
    `signer`, or left with its old signature when the attacker holds no key."""
    entries = log_entries(files)
    head = AuditHead(seq=len(entries), hash=audit_entry_hash(entries[-1]).hex())
    digest = tagged_hash("manifest", files["manifest.json"])
    files["index.json"] = encode(index_document(digest, files, (), head))
    if signer is not None:
        sign(files, "index", "index", signer)


def real_pins(base: str) -> dict[str, str]:
    """The pins the real draw's sealing announcement published (§12.6)."""
    manifest = (DRAWS / base / "manifest.json").read_bytes()
    digest = tagged_hash("manifest", manifest)
    fingerprint = parse(manifest)["signing_key"]["fingerprint"]
    return {"manifest": digest.hex(), "key": fingerprint, "pin": format_pin(pin(digest, fingerprint))}


def main(out: Path = HERE) -> None:
    expected = {}
    for name, (base, check, attack, apply) in ATTACKS.items():
        files = {p.name: p.read_bytes() for p in sorted((DRAWS / base).iterdir())}
        apply(files)
        if "README.txt" in files and name not in KEEP_README:  # derivable: the attacker re-derives it
            derive_readme(files)
        if "index.json" in files and name not in KEEP_INDEX:
            derive_index(files, INDEX_SIGNER.get(name, TEST_KEY))
        target = out / name
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir()
        for file_name, data in sorted(files.items()):
            if data == LINK:
                (target / file_name).symlink_to(data.decode().removeprefix("symlink:"))
            else:
                (target / file_name).write_bytes(data)
        expected[name] = {"base": f"draws/{base}", "check": check, "attack": attack}
        expected[name] |= PATHS.get(name, {}) | ({"path": f"{name}/bundle.zip"} if "bundle.zip" in files else {})
        if name == "inflated_counts":
            expected[name]["also_fails"] = [11]
        if name == "resigned_other_key":
            expected[name]["pins"] = real_pins(base)
    (out / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
