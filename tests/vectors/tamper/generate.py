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
import io
import json
import shutil
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

from verifier.canonical import encode, parse  # noqa: E402
from verifier.hashing import domain_hash  # noqa: E402
from verifier.allocation import Priorities, allocate  # noqa: E402
from verifier.manifest import parse_manifest  # noqa: E402
from verifier.readme import readme_text  # noqa: E402
from verifier.records import build_units, parse_records  # noqa: E402
from verifier.results import expected_results  # noqa: E402
from verifier.ceremony import derive_seed  # noqa: E402
from verifier.records import ENTRY_PREFIX  # noqa: E402
from verifier.merkle import leaf_hash, tree_root  # noqa: E402
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
    edit_lines(files, set_record(4, "tiers", {"S01": "T1"}))
    lines = files["applicants.jsonl"].splitlines()
    root = tree_root([leaf_hash(ENTRY_PREFIX + line) for line in lines]).hex()
    edit(files, "manifest.json", lambda m: m["applicants"].__setitem__("root", root), resign="manifest")


def remake(files: Files, change: Callable[[list[dict]], list[dict]]) -> None:
    """A whole draw re-made and re-signed by the key holder around changed records: new root,
    manifest, ceremony (the witnesses' secrets are public once revealed), seed and results.
    Only a pin of the manifest digest, or a rule the records break, can catch it."""
    allocation_lines = files["applicants.jsonl"].splitlines()  # masks play no part in the draw
    edit_lines(files, change)
    root = tree_root([leaf_hash(ENTRY_PREFIX + line) for line in files["applicants.jsonl"].splitlines()]).hex()
    edit(files, "manifest.json", lambda m: m["applicants"].__setitem__("root", root), resign="manifest")
    manifest = parse_manifest(parse(files["manifest.json"]))
    ceremony = parse(files["ceremony.json"])
    ceremony["manifest"] = manifest.digest.hex()
    seed = derive_seed(manifest_digest=manifest.digest, reveals=ceremony["reveals"], beacon=ceremony["beacon"])
    ceremony["seed"] = seed.hex()
    files["ceremony.json"] = encode(ceremony)
    sign(files, "ceremony", "ceremony")
    priorities = Priorities(manifest, build_units(parse_records(allocation_lines, manifest)), seed)
    results = expected_results(priorities, allocate(manifest, priorities), domain_hash("ceremony", files["ceremony.json"]))
    files["results.json"] = encode(results)
    sign(files, "results", "results")


def small_order_key(files: Files) -> None:
    """§12.5: the identity point as the bureau's key, and R = identity, S = 0 as every
    signature: an equation that holds for any message, which some libraries accept."""
    identity = bytes.fromhex("01" + "00" * 31)
    fingerprint = domain_hash("key-fingerprint", identity).hex()
    key = {"algorithm": "ed25519", "fingerprint": fingerprint, "public_key": identity.hex()}
    edit(files, "manifest.json", lambda m: m.__setitem__("signing_key", key))
    for name in ("manifest", "ceremony", "results"):
        digest = domain_hash(name, files[f"{name}.json"]).hex()
        files[f"{name}.sig.json"] = encode({**key, "digest": digest, "kind": name, "signature": identity.hex() + "00" * 32})


def s_not_reduced(files: Files) -> None:
    """§12.5 item 3: S + L in place of S (the same point equation, another encoding)."""
    signature = parse(files["results.sig.json"])
    raw = bytes.fromhex(signature["signature"])
    s = int.from_bytes(raw[32:], "little") + 2**252 + 27742317777372353535851937790883648493
    signature["signature"] = (raw[:32] + s.to_bytes(32, "little")).hex()
    files["results.sig.json"] = encode(signature)


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
    # Issue 10, finding 2: nothing unchecked rides along.
    "readme_with_personal_data": ("09-several-schools", 1, "README.txt carrying a name, an ID number and a receipt code (§13.4)", lambda f: f.__setitem__("README.txt", f["README.txt"] + PERSONAL)),
    "symlink_out_of_bundle": ("09-several-schools", 1, "README.txt a symbolic link pointing out of the bundle (§13.2)", with_link),
    "full_name_resealed": ("09-several-schools", 4, "a full name in masked_name, the whole draw re-made and re-signed (§4.1.1)", lambda f: remake(f, FULL_NAME)),
    "full_id_resealed": ("09-several-schools", 4, "a full ID number in masked_id, the whole draw re-made and re-signed (§4.1.1)", lambda f: remake(f, FULL_ID)),
    # Finding 3: bundle parsing.
    "zip_duplicate_entry": ("09-several-schools", 1, "a zip with two results.json entries, the first one tampered (§13.2)", zipped(lambda f: [("results.json", f["results.json"].replace(b"admitted", b"unplaced", 1)), *sorted(f.items())])),
    "zip_path_escape": ("09-several-schools", 1, "a zip entry under ../ (§13.2)", zipped(lambda f: [*sorted(f.items()), ("../results.json", f["results.json"])])),
    "zip_absolute_path": ("09-several-schools", 1, "a zip entry with an absolute path (§13.2)", zipped(lambda f: [*sorted(f.items()), ("/tmp/README.txt", b"x")])),
    "uppercase_signature_hex": ("09-several-schools", 2, "the results signature in upper-case hex (§1.2)", lambda f: edit(f, "results.sig.json", lambda d: d.__setitem__("signature", d["signature"].upper()))),
    # Finding 4: a second round that does not derive from its first draw (check 14, --previous).
    "second_round_not_derived": ("01-plain", 14, "a valid draw presented as the second round of another (§14.5)", lambda f: None),
    # Finding 5: signatures (§12.5).
    "small_order_key": ("09-several-schools", 2, "the identity point as the key, R = identity and S = 0 as every signature (§12.5)", small_order_key),
    "signature_s_not_reduced": ("09-several-schools", 2, "S + L in place of S in the results signature (§12.5)", s_not_reduced),
}


KEEP_README = {"truncated_file", "malformed_json", "non_canonical_json", "duplicate_key", "readme_with_personal_data", "symlink_out_of_bundle"}


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
            if data == LINK:
                (target / file_name).symlink_to(data.decode().removeprefix("symlink:"))
            else:
                (target / file_name).write_bytes(data)
        expected[name] = {"base": f"draws/single/{base}", "check": check, "attack": attack}
        expected[name] |= PATHS.get(name, {}) | ({"path": f"{name}/bundle.zip"} if "bundle.zip" in files else {})
        if name == "inflated_counts":
            expected[name]["also_fails"] = [11]
    (out / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
