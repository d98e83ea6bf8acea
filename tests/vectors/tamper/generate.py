"""Deterministic generator of the tamper suite: one tampered bundle per attack.

Each attack starts from a valid engine bundle under `tests/vectors/draws/` and changes it the way a
dishonest operator, a careless clerk or a forger might. The operator holds the bureau's signing
key, so most attacks re-sign what they change with it (the TEST key of tests/vectors/README.md:
Ed25519 private key SHA-256("sunshine-draw test signing key 1")); what they cannot forge is the
witnesses' commitments, the public beacon and the manifest digest published before the draw.

`expected.json` maps each bundle to the check of protocol §17 that must fail first.
Run: `.venv/bin/python tests/vectors/tamper/generate.py [OUT]` (default: rewrites the folders
beside it).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

from verifier.canonical import encode, parse  # noqa: E402
from verifier.hashing import domain_hash  # noqa: E402
from verifier.readme import readme_text  # noqa: E402
from verifier.records import ENTRY_PREFIX  # noqa: E402
from verifier.signatures import signed_message  # noqa: E402

DRAWS = ROOT / "tests" / "vectors" / "draws" / "single"
TEST_KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"sunshine-draw test signing key 1").digest())
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"someone else's key").digest())
DIGEST_USE = {"manifest": "manifest", "ceremony": "ceremony", "results": "results", "rehearsal": "results"}

Files = dict[str, bytes]


def sign(files: Files, kind: str, name: str, key: Ed25519PrivateKey = TEST_KEY) -> None:
    """Re-sign `name` (manifest/ceremony/results) as `kind`, as the key holder can (§12.4)."""
    document = parse(files[f"{name}.json"])
    digest = domain_hash(DIGEST_USE[kind], encode(document))
    public = key.public_key().public_bytes_raw()
    signature = key.sign(signed_message(kind, digest))
    files[f"{name}.sig.json"] = encode(
        {
            "algorithm": "ed25519",
            "digest": digest.hex(),
            "fingerprint": domain_hash("key-fingerprint", public).hex(),
            "kind": kind,
            "public_key": public.hex(),
            "signature": signature.hex(),
        }
    )


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


def swap_outcomes(results: dict) -> None:
    rows = results["applicants"]
    admitted = next(r for r in rows if r[2] == "admitted")
    waiting = next(r for r in rows if r[2] == "waitlisted" and r[0] > admitted[0])
    admitted[2:], waiting[2:] = waiting[2:], admitted[2:]


def rehearsal(results: dict, *, relabel: bool) -> None:
    results["seed"] = domain_hash("rehearsal-seed", "rehearsal 1".encode()).hex()
    if not relabel:
        results["kind"] = "rehearsal"
        results["ceremony"] = "0" * 64


def reseal_with_tier(files: Files) -> None:
    """Change a tier, then recompute the root and re-sign the manifest (the ceremony still
    commits to the manifest the witnesses saw)."""
    from verifier.merkle import leaf_hash, tree_root

    edit_lines(files, set_record(4, "tiers", {"S01": "T1"}))
    lines = files["applicants.jsonl"].splitlines()
    root = tree_root([leaf_hash(ENTRY_PREFIX + line) for line in lines]).hex()
    edit(files, "manifest.json", lambda m: m["applicants"].__setitem__("root", root), resign="manifest")


ATTACKS: dict[str, tuple[str, int, str, Callable[[Files], None]]] = {
    # name: (base bundle, check that must fail first, what the attack is, how)
    "changed_tier": ("02-tiers", 4, "a child's tier raised after sealing", lambda f: edit_lines(f, set_record(4, "tiers", {"S01": "T1"}))),
    "changed_tier_resealed": ("02-tiers", 3, "tier raised and the manifest re-sealed and re-signed after the witnesses committed", reseal_with_tier),
    "dropped_applicant": ("09-several-schools", 4, "one record removed from the list", lambda f: edit_lines(f, lambda r: r[:3] + r[4:])),
    "added_applicant": ("09-several-schools", 4, "a record added to the list", lambda f: edit_lines(f, lambda r: [*r, {**r[-1], "application": "A999"}])),
    "changed_preference": ("09-several-schools", 4, "a child's school changed", lambda f: edit_lines(f, set_record(0, "preferences", ["S03"]))),
    "reordered_records": ("09-several-schools", 4, "two records swapped in the list", lambda f: edit_lines(f, lambda r: [r[1], r[0], *r[2:]])),
    "reveal_mismatch": ("09-several-schools", 5, "a witness secret that does not match its commitment, ceremony re-signed", lambda f: edit(f, "ceremony.json", lambda c: c["reveals"][0].__setitem__("secret", "ab" * 32), resign="ceremony")),
    "withheld_reveals": ("11-missing-reveal", 5, "reveals withheld below min_reveals, ceremony re-signed", lambda f: edit(f, "ceremony.json", lambda c: [r.__setitem__("secret", None) for r in c["reveals"]], resign="ceremony")),
    "changed_beacon_value": ("09-several-schools", 7, "another beacon value in the ceremony (seed left as drawn), re-signed", lambda f: edit(f, "ceremony.json", lambda c: c["beacon"].__setitem__("value", "cd" * 32), resign="ceremony")),
    "beacon_wrong_format": ("09-several-schools", 6, "a beacon value that is not hex64, re-signed", lambda f: edit(f, "ceremony.json", lambda c: c["beacon"].__setitem__("value", "12345"), resign="ceremony")),
    "undeclared_fallback": ("09-several-schools", 6, "a fallback beacon claimed when none was declared, re-signed", lambda f: edit(f, "ceremony.json", lambda c: c["beacon"].__setitem__("used", "fallback"), resign="ceremony")),
    "changed_seed": ("09-several-schools", 7, "the seed replaced in ceremony and results, both re-signed", lambda f: (edit(f, "ceremony.json", lambda c: c.__setitem__("seed", "ee" * 32), resign="ceremony"), edit(f, "results.json", lambda r: r.__setitem__("seed", "ee" * 32), resign="results"))),
    "changed_lottery_number": ("09-several-schools", 8, "one published lottery number changed, results re-signed", lambda f: edit(f, "results.json", lambda r: r["applicants"][0].__setitem__(1, "0000000000000001"), resign="results")),
    "swapped_outcomes": ("09-several-schools", 10, "an admitted and a waitlisted child swapped, results re-signed", lambda f: edit(f, "results.json", swap_outcomes, resign="results")),
    "dropped_waitlist_entry": ("09-several-schools", 10, "a child removed from a waitlist, results re-signed", lambda f: edit(f, "results.json", lambda r: next(s for s in r["schools"] if s["waitlist"])["waitlist"].pop(0), resign="results")),
    "inflated_counts": ("02-tiers", 10, "published school count above the seats (rows unchanged), re-signed; check 11 fails too", lambda f: edit(f, "results.json", lambda r: r["schools"][0].__setitem__("admitted", 99), resign="results")),
    "results_signed_by_other_key": ("09-several-schools", 2, "results re-signed with a key that is not the manifest's", lambda f: sign(f, "results", "results", OTHER_KEY)),
    "results_changed_not_resigned": ("09-several-schools", 2, "an outcome changed without access to the key", lambda f: edit(f, "results.json", swap_outcomes)),
    "manifest_changed_after_sealing": ("09-several-schools", 3, "manifest title edited and re-signed: its digest is no longer the one the ceremony used", lambda f: edit(f, "manifest.json", lambda m: m["draw"].__setitem__("title", "Edited"), resign="manifest")),
    "rehearsal_as_official": ("09-several-schools", 1, "a rehearsal (模拟) presented as the official results", lambda f: (edit(f, "results.json", lambda r: rehearsal(r, relabel=False)), sign(f, "rehearsal", "results"))),
    "rehearsal_relabelled": ("09-several-schools", 7, "a rehearsal relabelled as official results and re-signed", lambda f: edit(f, "results.json", lambda r: rehearsal(r, relabel=True), resign="results")),
    "truncated_file": ("09-several-schools", 1, "results.json cut short", lambda f: f.__setitem__("results.json", f["results.json"][: len(f["results.json"]) // 2])),
    "malformed_json": ("09-several-schools", 1, "manifest.json is not JSON", lambda f: f.__setitem__("manifest.json", b"{" + f["manifest.json"])),
    "non_canonical_json": ("09-several-schools", 1, "manifest.json pretty-printed (same content, other bytes)", lambda f: f.__setitem__("manifest.json", json.dumps(parse(f["manifest.json"]), indent=2).encode())),
    "duplicate_key": ("09-several-schools", 1, "a duplicate key in ceremony.json", lambda f: f.__setitem__("ceremony.json", f["ceremony.json"][:-1] + b',"seed":"' + b"0" * 64 + b'"}')),
    "protocol_version": ("09-several-schools", 1, "results claim protocol sunshine-draw/2, re-signed", lambda f: edit(f, "results.json", lambda r: r.__setitem__("protocol", "sunshine-draw/2"), resign="results")),
    "missing_signature": ("09-several-schools", 1, "results.sig.json removed", lambda f: f.pop("results.sig.json")),
    "personal_data_file": ("09-several-schools", 1, "an extra file (names list) slipped into the bundle", lambda f: f.__setitem__("names.csv", "A000,张三\n".encode())),
}


KEEP_README = {"truncated_file", "malformed_json", "non_canonical_json", "duplicate_key"}


def derive_readme(files: Files) -> None:
    """README.txt as §13.4 derives it from the (tampered) signed files."""
    files["README.txt"] = readme_text(
        manifest=parse(files["manifest.json"]),
        manifest_digest=domain_hash("manifest", files["manifest.json"]).hex(),
        seed=parse(files["ceremony.json"])["seed"],
        results_digest=domain_hash("results", files["results.json"]).hex(),
    )


def main(out: Path = HERE) -> None:
    expected = {}
    for name, (base, check, attack, apply) in ATTACKS.items():
        files = {p.name: p.read_bytes() for p in sorted((DRAWS / base).iterdir())}
        apply(files)
        if "README.txt" in files and name not in KEEP_README:  # derivable: the attacker re-derives it
            derive_readme(files)
        target = out / name
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir()
        for file_name, data in sorted(files.items()):
            (target / file_name).write_bytes(data)
        expected[name] = {"base": f"draws/single/{base}", "check": check, "attack": attack}
        if name == "inflated_counts":
            expected[name]["also_fails"] = [11]
    (out / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
