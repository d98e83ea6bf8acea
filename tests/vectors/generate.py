"""Generate the engine's test vectors: deterministic, byte for byte.

Run from the repository root: `.venv/bin/python tests/vectors/generate.py` (writes into
tests/vectors/). Every input is written in this file or derived by SHA-256 from a stated label
(see tests/lottery/sample_draws.py): no clock, no entropy. The test
`tests/lottery/test_vectors.py` re-runs this generator into a temporary directory and requires
the committed files to be identical.

Owned here: encoding/, hashing/, records/, merkle/, seed/, tickets/, draws/single/. Not touched:
rfc9162-merkle/ (external), draws/multi/ and tamper/ (other generators).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE.parent / "lottery")]

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from sample_draws import (  # noqa: E402
    Ceremonial,
    Child,
    derive,
    plain_school,
    record_for,
    rules_for,
    run_test_draw,
    signing_test_key,
    test_draw,
    tiers,
    write_test_bundle,
)

from lottery import (  # noqa: E402
    ClassPolicy,
    PrivateRecord,
    ReservedSeats,
    School,
    applicant_entry,
    canonical_json,
    format_pin,
    make_receipt_code,
    merkle_root,
    outcome_proof,
    pin,
    private_digest,
    results_heads,
    sign_document,
    tagged_hash,
    witness_commitment,
)
from lottery.hashing import USES  # noqa: E402
from lottery.merkle import ApplicantTree, leaf_hash  # noqa: E402
from lottery.outcomes import head_digest  # noqa: E402
from lottery.records import format_receipt  # noqa: E402
from lottery.tickets import class_ticket, hex16, school_ticket, ticket, zone_order  # noqa: E402

OWNED = (
    "encoding",
    "hashing",
    "records",
    "merkle",
    "seed",
    "tickets",
    "draws/single",
    "parent",
    "outcomes",
)


def _write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


# --- encoding (§2) -----------------------------------------------------------------------

ENCODING_INPUTS: list[tuple[str, str]] = [
    ("empty-object", "{}"),
    ("empty-array", "[]"),
    ("key-order", '{"b": 1, "a": 2, "aa": 3, "A": 4, "_": 5, "0": 6}'),
    ("nested", '{"z": {"y": [1, {"b": null, "a": true}], "x": false}}'),
    ("integers", "[0, -1, 1, 9007199254740991, -9007199254740991, 100]"),
    ("non-ascii", '{"name": "王小明", "school": "示范县实验小学", "emoji": "😀"}'),
    ("escapes", '["quote \\" backslash \\\\ slash /", "\\b\\t\\n\\f\\r", "\\u0000\\u001f\\u007f"]'),
    ("line-separators", '["\\u2028\\u2029", "\\u0085"]'),
    ("whitespace-in-strings", '{"a b": " x "}'),
    ("float-rejected", '{"a": 1.5}'),
    ("float-integral-rejected", "[1.0]"),
    ("exponent-rejected", "[1e2]"),
    ("negative-zero-rejected", "[-0.0]"),
    ("too-big-rejected", "[9007199254740992]"),
    ("too-small-rejected", "[-9007199254740992]"),
    ("lone-surrogate-rejected", '["\\ud800"]'),
    # RFC 8785 §3.2.3 (review item 3): keys are sorted as UTF-16 code units. U+E000 (private
    # use) is 0xE000; U+1F600 is the pair 0xD83D 0xDE00, so it comes first, the reverse of
    # code-point order (what `sort_keys=True` would give).
    ("utf16-key-order", '{"\\ue000": 1, "\\ud83d\\ude00": 2}'),
    ("utf16-key-order-mixed", '{"\\uffff": 1, "\\ud800\\udc00": 2, "z": 3, "\\u00e9": 4}'),
    ("non-ascii-key-order", '{"é": 1, "z": 2, "中": 3, "Z": 4, "a": 5}'),
]

# Canonical files (§2.5): (name, the file's bytes, why). `canonical` is what
# `lottery.parse_canonical` decides; the generator asserts it is what `why` says.
FILE_CASES: list[tuple[str, bytes, bool, str]] = [
    ("canonical", b'{"a":1,"b":[true,null]}', True, "JCS of its value"),
    ("byte-order-mark", b'\xef\xbb\xbf{"a":1}', False, "a UTF-8 byte-order mark before the JSON"),
    ("trailing-newline", b'{"a":1}\n', False, "one newline after the JSON"),
    ("whitespace", b'{"a": 1}', False, "a space between tokens"),
    ("key-order", b'{"b":1,"a":2}', False, "keys not in order"),
    (
        "utf16-key-order",
        '{"😀":2,"\ue000":1}'.encode(),
        True,
        "U+1F600 before U+E000: UTF-16 order (review item 3)",
    ),
    (
        "code-point-key-order",
        '{"\ue000":1,"😀":2}'.encode(),
        False,
        "U+E000 before U+1F600: code-point order, not JCS",
    ),
    ("duplicate-key", b'{"a":1,"a":1}', False, "a key twice (§2.3: rejected when parsing)"),
    ("negative-zero", b"[-0]", False, "the integer -0 (§2.2)"),
    ("zero", b"[0]", True, "the integer 0"),
    ("fraction-integral", b"[1.0]", False, "a number with a fraction part (§2.2)"),
    ("escaped-non-ascii", b'["\\u00e9"]', False, "é escaped instead of literal (§2.3)"),
    ("literal-non-ascii", '["é"]'.encode(), True, "é as its UTF-8 bytes"),
    ("upper-case-escape", b'["\\u001F"]', False, "a control character escaped with upper-case hex"),
    ("lower-case-escape", b'["\\u001f"]', True, "a control character as \\u001f"),
    ("escaped-slash", b'["\\/"]', False, "/ escaped (§2.3 writes it literally)"),
    ("not-utf8", b'["\xff"]', False, "a byte that is not UTF-8"),
    ("nested-32-deep", b"[" * 32 + b"]" * 32, True, "arrays nested 32 deep (§2.2)"),
]


def encoding_cases() -> list[dict[str, Any]]:
    from lottery import EncodingError

    cases = []
    for name, text in ENCODING_INPUTS:
        try:
            canonical: str | None = canonical_json(json.loads(text)).decode("utf-8")
        except EncodingError:
            canonical = None
        cases.append({"name": name, "input": text, "canonical": canonical})
    return cases


def file_cases() -> list[dict[str, Any]]:
    from lottery import EncodingError, parse_canonical

    cases = []
    for name, data, canonical, why in FILE_CASES:
        try:
            parse_canonical(data)
            accepted = True
        except EncodingError:
            accepted = False
        assert accepted == canonical, name
        cases.append({"name": name, "file": data.hex(), "canonical": accepted, "why": why})
    return cases


# --- hashing, records, merkle, seed, tickets ----------------------------------------------


def hashing_cases() -> list[dict[str, str]]:
    return [
        {"use": use, "data": data.hex(), "hash": tagged_hash(use, data).hex()}
        for use in sorted(USES)
        for data in (b"", b"sunshine")
    ]


def records_cases() -> dict[str, Any]:
    receipts = []
    for n in range(6):
        entropy = derive(f"receipt vector {n}", 10) if n > 1 else bytes([255 * n] * 10)
        code = make_receipt_code(entropy)
        receipts.append({"entropy": entropy.hex(), "code": code, "printed": format_receipt(code)})
    privates = [
        PrivateRecord("A001", "11010120190101123X", "王小明", "0123456789ABCDEF"),
        PrivateRecord("2026SY00042", "330681201905170028", "欧阳娜娜", "ZZZZZZZZZZZZZZZZ"),
        PrivateRecord("B-7.x_9", "110101201812310011", "Zoë Brontë", "00000000000000G1"),
    ]
    return {
        "receipts": receipts,
        "private": [
            {"private": p.document(), "private_digest": private_digest(p)} for p in privates
        ],
    }


def merkle_cases() -> list[dict[str, Any]]:
    children = [
        Child(f"A{i:03d}", tiers={"S01": "T1"} if i % 3 == 0 else {}, sex="M" if i % 2 else "F")
        for i in range(20)
    ]
    lines = [record_for(child, "merkle")[1].encoded() for child in children]
    cases = []
    for size in range(21):
        entries = [applicant_entry(line) for line in lines[:size]]
        tree = ApplicantTree.from_entries(entries)
        cases.append(
            {
                "size": size,
                "records": [line.hex() for line in lines[:size]],
                "root": merkle_root(entries).hex(),
                "proofs": [[p.hex() for p in tree.proof(m)] for m in range(size)],
            }
        )
    return cases


def length_cases() -> list[dict[str, Any]]:
    """§5.3: the leaf hash, the root and every proof element are exactly 32 bytes, else the
    proof fails (review item 5). Each case changes one length of a valid proof of a tree of 5."""
    from lottery import InclusionError
    from lottery.merkle import verify_inclusion

    entries = [f"length case {i}".encode() for i in range(5)]
    tree = ApplicantTree.from_entries(entries)
    leaf, root, proof = leaf_hash(entries[2]), merkle_root(entries), tree.proof(2)
    lone = merkle_root(entries[:1])
    shapes: list[tuple[str, int, int, bytes, bytes, list[bytes]]] = [
        ("valid", 2, 5, leaf, root, proof),
        ("leaf-31-bytes", 2, 5, leaf[:31], root, proof),
        ("leaf-33-bytes", 2, 5, leaf + b"\x00", root, proof),
        ("root-31-bytes", 2, 5, leaf, root[:31], proof),
        ("root-33-bytes", 2, 5, leaf, root + b"\x00", proof),
        ("proof-element-31-bytes", 2, 5, leaf, root, [proof[0][:31], *proof[1:]]),
        ("proof-element-33-bytes", 2, 5, leaf, root, [*proof[:-1], proof[-1] + b"\x00"]),
        ("single-leaf-valid", 0, 1, lone, lone, []),
        ("empty-leaf-root-and-proof", 0, 1, b"", b"", []),
        ("empty-leaf", 0, 1, b"", lone, []),
        ("empty-root", 0, 1, lone, b"", []),
    ]
    cases = []
    for name, m, n, leaf_given, root_hash, path in shapes:
        try:
            verify_inclusion(leaf=leaf_given, index=m, tree_size=n, proof=path, root=root_hash)
            valid = True
        except InclusionError:
            valid = False
        assert valid == name.endswith("valid"), name
        cases.append(
            {
                "name": name,
                "leaf_index": m,
                "tree_size": n,
                "leaf_hash": leaf_given.hex(),
                "root": root_hash.hex(),
                "proof": [p.hex() for p in path],
                "valid": valid,
            }
        )
    return cases


def seed_cases() -> dict[str, Any]:
    commitments = [
        {"witness": w, "secret": derive(f"seed vector/{w}").hex()} for w in ("W1", "W2", "notary-1")
    ]
    for c in commitments:
        c["draw"] = "TEST-2026"
        c["commitment"] = witness_commitment("TEST-2026", c["witness"], bytes.fromhex(c["secret"]))
    seeds = []
    for name, how in SEED_CEREMONIES:
        result = run_test_draw(rules_for([plain_school(2)]), [Child("A1")], label=name, how=how)
        document = {
            "beacon": {"used": result.ceremony.beacon.used, "value": result.ceremony.beacon.value},
            "manifest": result.sealed.manifest_digest.hex(),
            "reveals": [
                {"secret": None if s is None else s.hex(), "witness": w}
                for w, s in result.ceremony.reveals
            ],
        }
        seeds.append({"name": name, "seed_input": document, "seed": result.ceremony.seed.hex()})
    return {"commitments": commitments, "seeds": seeds}


SEED_CEREMONIES = [
    ("all-reveal-primary-beacon", Ceremonial()),
    ("one-withheld", Ceremonial(min_reveals=2, withheld=(1,))),
    ("fallback-beacon", Ceremonial(fallback=True, use_fallback=True)),
    ("decimal-beacon", Ceremonial(beacon="decimal", witnesses=1, min_reveals=1)),
]


def tickets_cases() -> list[dict[str, str]]:
    cases = []
    for n in range(3):
        seed = derive(f"ticket vector seed {n}")
        for key in ("a:A001", "a:2026SY00042", "g:TW00007", "a:Z"):
            for school in ("S01", "XQ-SY01"):
                cases.append(
                    {
                        "seed": seed.hex(),
                        "unit": key,
                        "school": school,
                        "ticket": hex16(ticket(seed, key)),
                        "school_ticket": hex16(school_ticket(seed, key, school)),
                        "zone_order": hex16(zone_order(seed, key, school)),
                        "class_ticket": hex16(class_ticket(seed, school, key)),
                    }
                )
    return cases


# --- complete single-school draws (§13 bundles) -------------------------------------------


def _mixed(n: int, prefix: str = "A", **kwargs: Any) -> list[Child]:
    return [Child(f"{prefix}{i:03d}", sex="M" if i % 2 else "F", **kwargs) for i in range(n)]


def _tiered(spec: list[tuple[str, int]], school: str = "S01") -> list[Child]:
    out: list[Child] = []
    for tier, count in spec:
        for _ in range(count):
            i = len(out)
            out.append(Child(f"A{i:03d}", tiers={school: tier}, sex="M" if i % 3 else "F"))
    return out


def _three_tier(seats: int, **extra: Any) -> School:
    return School(id="S01", name="School S01", seats=seats, tiers=tiers("T1", "T2", "T3"), **extra)


def draw_plain() -> tuple[Any, Any, Ceremonial]:
    return rules_for([plain_school(5)]), _mixed(12), Ceremonial()


def draw_tiers() -> tuple[Any, Any, Ceremonial]:
    children = _tiered([("T1", 3), ("T2", 5), ("T3", 7)])
    return rules_for([_three_tier(6)]), children, Ceremonial(beacon="mainnet")


def draw_empty_tier() -> tuple[Any, Any, Ceremonial]:
    children = _tiered([("T1", 2), ("T3", 9)])
    return rules_for([_three_tier(5)]), children, Ceremonial(committed_entries=False)


def _with_category(children: list[Child], members: set[int], category: str) -> list[Child]:
    return [
        Child(
            c.application,
            c.preferences,
            c.tiers,
            category if i in members else None,
            c.group,
            c.sex,
        )
        for i, c in enumerate(children)
    ]


def draw_reserved_filled() -> tuple[Any, Any, Ceremonial]:
    school = _three_tier(6, reserved=(ReservedSeats("MIG", 3),))
    children = _with_category(
        _tiered([("T1", 4), ("T2", 6), ("T3", 10)]), {12, 14, 15, 17, 19, 11}, "MIG"
    )
    return rules_for([school], categories=["MIG"]), children, Ceremonial()


def draw_reserved_released() -> tuple[Any, Any, Ceremonial]:
    school = _three_tier(6, reserved=(ReservedSeats("MIG", 4), ReservedSeats("SIB", 1)))
    children = _with_category(_tiered([("T1", 2), ("T2", 3), ("T3", 8)]), {9}, "MIG")
    return rules_for([school], categories=["MIG", "SIB"]), children, Ceremonial()


def draw_group_passed_over() -> tuple[Any, Any, Ceremonial]:
    children = _tiered([("T1", 2), ("T2", 3), ("T3", 4)])
    children = [
        Child(
            c.application, c.preferences, c.tiers, None, "TRIPLETS" if 2 <= i <= 4 else None, c.sex
        )
        for i, c in enumerate(children)
    ]
    return rules_for([_three_tier(4)]), children, Ceremonial()


def draw_twins_admitted() -> tuple[Any, Any, Ceremonial]:
    children = _tiered([("T1", 2), ("T2", 12)])
    children = [
        Child(
            c.application,
            c.preferences,
            c.tiers,
            None,
            "TWINS-1" if i < 2 else "TWINS-2" if i in (5, 6) else None,
            c.sex,
        )
        for i, c in enumerate(children)
    ]
    return rules_for([_three_tier(6)]), children, Ceremonial()


def draw_more_seats() -> tuple[Any, Any, Ceremonial]:
    how = Ceremonial(witnesses=1, min_reveals=1, committed_entries=False)
    return rules_for([plain_school(30)]), _mixed(10), how


def draw_several_schools() -> tuple[Any, Any, Ceremonial]:
    schools = [plain_school(3, "S01"), plain_school(4, "S02"), plain_school(2, "S03")]
    children = [
        Child(f"A{i:03d}", preferences=(f"S0{1 + i % 3}",), sex="M" if i % 2 else "F")
        for i in range(17)
    ]
    return rules_for(schools), children, Ceremonial(min_reveals=2)


def draw_multiple_tie_breaking() -> tuple[Any, Any, Ceremonial]:
    schools = [plain_school(3, "S01"), plain_school(3, "S02")]
    children = [Child(f"A{i:03d}", preferences=(f"S0{1 + i % 2}",), sex="F") for i in range(12)]
    return rules_for(schools, tie_breaking="multiple"), children, Ceremonial()


def draw_missing_reveal() -> tuple[Any, Any, Ceremonial]:
    return rules_for([plain_school(4)]), _mixed(9), Ceremonial(min_reveals=2, withheld=(2,))


def draw_beacon_fallback() -> tuple[Any, Any, Ceremonial]:
    return rules_for([plain_school(4)]), _mixed(9), Ceremonial(fallback=True, use_fallback=True)


def draw_decimal_beacon() -> tuple[Any, Any, Ceremonial]:
    how = Ceremonial(beacon="decimal", committed_entries=False)
    return rules_for([plain_school(4)]), _mixed(9), how


def _class_children() -> list[Child]:
    children = _mixed(40)
    groups = {0: "TW1", 1: "TW1", 10: "TW2", 11: "TW2", 12: "TW2", 20: "TW3", 21: "TW3"}
    return [
        Child(c.application, c.preferences, c.tiers, None, groups.get(i), c.sex)
        for i, c in enumerate(children)
    ]


def draw_classes_apart() -> tuple[Any, Any, Ceremonial]:
    school = plain_school(30, classes=ClassPolicy(count=3, max_size=45, twins="apart"))
    return rules_for([school]), _class_children(), Ceremonial(beacon="mainnet", fallback=True)


def draw_classes_together() -> tuple[Any, Any, Ceremonial]:
    school = plain_school(30, classes=ClassPolicy(count=None, max_size=8, twins="together"))
    return rules_for([school]), _class_children(), Ceremonial()


def draw_classes_empty_and_sparse() -> tuple[Any, Any, Ceremonial]:
    """§11.1 (review items 26-27): S01 has `count` 3 and two pupils, so class 3 is published
    as `[]`; S02 (by `max_size`) and S03 (`count` 2) admit nobody and publish `"classes": []`."""
    schools = [
        plain_school(6, "S01", classes=ClassPolicy(count=3, max_size=45, twins="apart")),
        plain_school(4, "S02", classes=ClassPolicy(count=None, max_size=30, twins="together")),
        plain_school(4, "S03", classes=ClassPolicy(count=2, max_size=45, twins="apart")),
    ]
    children = [Child("A000", sex="M"), Child("A001", sex="F")]
    return rules_for(schools), children, Ceremonial()


def draw_classes_boy_girl_twins() -> tuple[Any, Any, Ceremonial]:
    """§11.4 (review item 30): twins together, with two pairs of boy-girl twins (`b = g`)
    among single boys and girls, in two classes. The tie rule decides: placed by the boys (the
    rule), BG-2 joins class 1; placed by the girls it would join class 2."""
    school = plain_school(8, classes=ClassPolicy(count=2, max_size=45, twins="together"))
    groups = {1: "BG-1", 2: "BG-1", 5: "BG-2", 6: "BG-2"}
    children = [
        Child(f"A{i:03d}", group=groups.get(i), sex="M" if i % 2 == 0 else "F") for i in range(8)
    ]
    return rules_for([school]), children, Ceremonial()


def draw_zero_applicants() -> tuple[Any, Any, Ceremonial]:
    """§6.3 (review item 8): a draw with no applicant is valid; an empty `applicants.jsonl`,
    nobody admitted, `null` cutoffs, empty waitlists and classes."""
    school = plain_school(5, classes=ClassPolicy(count=2, max_size=45, twins="apart"))
    return rules_for([school]), [], Ceremonial()


def draw_rehearsals() -> tuple[Any, Any, Ceremonial]:
    """The draw of case 02 with two rehearsals (§16) in its log (REHEARSALS)."""
    return draw_tiers()


# Rehearsal texts (§16) read out before the ceremony, logged as `rehearsal.run` (§15.3).
REHEARSALS = {
    "19-rehearsals": ["模拟摇号：第一次（公证处提议）", "rehearsal 2, text proposed by a parent"],
}


def rehearsed_draw(rules: Any, children: Any, *, label: str, how: Ceremonial) -> tuple[Any, Any]:
    """`test_draw` with the rehearsals of REHEARSALS run after sealing and logged (§15.3,
    §16): each `rehearsal.run` names its text and the digest of its results document."""
    rehearsals = REHEARSALS[label.removeprefix("vector ")]
    return test_draw(rules, children, label=label, how=how, rehearsals=rehearsals)


DRAWS: list[tuple[str, Callable[[], tuple[Any, Any, Ceremonial]]]] = [
    ("01-plain", draw_plain),
    ("02-tiers", draw_tiers),
    ("03-empty-tier", draw_empty_tier),
    ("04-reserved-filled", draw_reserved_filled),
    ("05-reserved-released", draw_reserved_released),
    ("06-group-passed-over", draw_group_passed_over),
    ("07-twins-admitted", draw_twins_admitted),
    ("08-more-seats-than-applicants", draw_more_seats),
    ("09-several-schools", draw_several_schools),
    ("10-multiple-tie-breaking", draw_multiple_tie_breaking),
    ("11-missing-reveal", draw_missing_reveal),
    ("12-beacon-fallback", draw_beacon_fallback),
    ("13-decimal-beacon", draw_decimal_beacon),
    ("14-classes-apart", draw_classes_apart),
    ("15-classes-together", draw_classes_together),
    ("16-classes-empty-and-sparse", draw_classes_empty_and_sparse),
    ("17-classes-boy-girl-twins", draw_classes_boy_girl_twins),
    ("18-zero-applicants", draw_zero_applicants),
    ("19-rehearsals", draw_rehearsals),
]


# --- a family's check (§17.1): receipt codes against the published receipt_check -------------


def parent_cases() -> list[dict[str, Any]]:
    """Cases of §17.1 for the verifier: a bundle, an application, a receipt code as a family
    types it, and whether it "matches" or "does not match" the record's `receipt_check`."""
    cases: list[dict[str, Any]] = []
    for name, build in DRAWS:
        if name not in ("01-plain", "09-several-schools"):
            continue
        _, children, _ = build()
        bundle = f"draws/single/{name}"
        private = [record_for(child, f"vector {name}")[0] for child in children[:3]]
        first, second, third = private
        wrong = first.receipt[:-1] + ("0" if first.receipt[-1] != "0" else "1")
        typed = format_receipt(second.receipt).lower().replace("0", "o").replace("1", "l")
        cases += [
            {"bundle": bundle, "application": first.application,
             "receipt": format_receipt(first.receipt), "expected": "matches",
             "why": "the code as printed on the receipt"},
            {"bundle": bundle, "application": second.application, "receipt": typed,
             "expected": "matches",
             "why": "typed in lower case with O for 0 and L for 1 (§12.6 normalisation)"},
            {"bundle": bundle, "application": first.application, "receipt": wrong,
             "expected": "does not match", "why": "one character wrong"},
            {"bundle": bundle, "application": third.application,
             "receipt": format_receipt(first.receipt), "expected": "does not match",
             "why": "another child's code"},
            {"bundle": bundle, "application": third.application, "receipt": third.receipt,
             "name": third.name, "id_number": third.id_number, "expected": "matches",
             "why": "code, name and ID number all given (the private digest matches too)"},
        ]  # fmt: skip
    return cases


# --- outcome proofs (§12.7 item 4) ---------------------------------------------------------


def _multi_generator() -> Any:
    import importlib.util

    path = HERE / "draws" / "multi" / "generate.py"
    spec = importlib.util.spec_from_file_location("multi_vectors_generate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _heads_of(multi: Any, name: str) -> tuple[Any, Any, list[Child]]:
    """Re-run the multi-school case `name` exactly as its generator does (same labels, same
    actions and batches) and return its draw, its signed results heads and its children."""
    rules, children = dict(multi.DRAWS)[name]()
    how = multi.CEREMONIES.get(name, Ceremonial())
    result, log = test_draw(rules, children, label=f"vector multi {name}", how=how)
    actions = None
    if name in multi.BATCHES:
        actions = multi._batched_actions(result, log, multi.BATCHES[name])
    heads = results_heads(result, actions=actions, log=log, signing_key=signing_test_key())
    return result, heads, children


def _pins(result: Any) -> dict[str, str]:
    manifest = result.sealed.manifest_digest
    key = result.sealed.manifest.signing_key.fingerprint
    return {"manifest": manifest.hex(), "key": key, "pin": format_pin(pin(manifest, key))}


def outcome_cases() -> list[dict[str, Any]]:
    """Outcome proofs (§12.7 item 4) of the bundles `draws/multi/15-da-replay-batches` (three
    batches of actions, groups) and `draws/multi/13-zone-group-without-room` (an unplaced
    pair), good and each broken in one way, with the result a family's check must give."""
    multi = _multi_generator()
    batches, heads, children = _heads_of(multi, "15-da-replay-batches")
    zone, zone_heads, zone_children = _heads_of(multi, "13-zone-group-without-room")
    pins, zone_pins = _pins(batches), _pins(zone)
    label, zone_label = (
        "vector multi 15-da-replay-batches",
        "vector multi 13-zone-group-without-room",
    )
    codes = {
        "15-da-replay-batches": {
            c.application: format_receipt(record_for(c, label)[0].receipt) for c in children
        },
        "13-zone-group-without-room": {
            c.application: format_receipt(record_for(c, zone_label)[0].receipt)
            for c in zone_children
        },
    }
    code = codes["15-da-replay-batches"]
    first, last = heads[0], heads[-1]
    cases: list[dict[str, Any]] = []

    def add(name: str, proof: dict[str, Any], application: str, expected: str, why: str,
            *, given_pins: dict[str, str] | None = None, receipt: str | None = "",
            bundle: str = "15-da-replay-batches") -> None:  # fmt: skip
        cases.append(
            {
                "name": name,
                "bundle": f"draws/multi/{bundle}",
                "proof": proof,
                "application": application,
                "pins": pins if given_pins is None else given_pins or None,
                "receipt": codes[bundle][application] if receipt == "" else receipt,
                "expected": expected,
                "why": why,
            }
        )

    def changed(proof: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        copy = json.loads(json.dumps(proof))
        change(copy)
        return copy

    day = outcome_proof(first, "C001")
    add("draw-day-admitted", day, "C001", "valid", "15-da-replay-batches, head 0: admitted at S01")
    add("draw-day-group-member", outcome_proof(first, "C002"), "C002", "valid",
        "15-da-replay-batches, head 0: a twin of TW, admitted at S02 with its twin")  # fmt: skip
    add("draw-day-waitlisted", outcome_proof(first, "C010"), "C010", "valid",
        "15-da-replay-batches, head 0: waitlisted, its position at S02")  # fmt: skip
    add("after-actions-moved-twin", outcome_proof(last, "C003"), "C003", "valid",
        "15-da-replay-batches, head 3 (after 5 actions): the twin left alone moved to S01")  # fmt: skip
    add("after-actions-group-member", outcome_proof(last, "C009"), "C009", "valid",
        "15-da-replay-batches, head 3: C009 of the pair P, alone after C008 declined, at S01")  # fmt: skip
    add("after-actions-declined", outcome_proof(last, "C002"), "C002", "valid",
        "15-da-replay-batches, head 3: status decline, no school")  # fmt: skip
    add("after-actions-disqualified", outcome_proof(heads[2], "C000"), "C000", "valid",
        "15-da-replay-batches, head 2: status disqualify")  # fmt: skip
    add("draw-day-unplaced", outcome_proof(zone_heads[0], "C004"), "C004", "valid",
        "13-zone-group-without-room, head 0: unplaced (its pair fits at no school whole)",
        given_pins=zone_pins, bundle="13-zone-group-without-room")  # fmt: skip
    add("no-pins", day, "C001", "valid",
        "no pins given: the proof checks, but nothing says whose key signed it (§12.7 step 2)",
        given_pins={})  # fmt: skip
    add("no-receipt", day, "C001", "valid", "no receipt code given: steps 1-3 only",
        receipt=None)  # fmt: skip
    add("receipt-typed", day, "C001", "valid", "the receipt code typed in lower case, no hyphens",
        receipt=code["C001"].replace("-", "").lower())  # fmt: skip
    add("wrong-receipt", day, "C001", "does not match",
        "another child's receipt code: no outcome is shown (§4.8)", receipt=code["C002"])  # fmt: skip

    def status(proof: dict[str, Any]) -> None:
        proof["outcome"]["status"] = "waitlisted"

    def school(proof: dict[str, Any]) -> None:
        proof["outcome"]["school"] = "S02"

    def index(proof: dict[str, Any]) -> None:
        proof["index"] += 1

    def index_at_count(proof: dict[str, Any]) -> None:
        proof["index"] = proof["head"]["outcomes"]["count"]

    def flip(proof: dict[str, Any]) -> None:
        element = bytearray(bytes.fromhex(proof["proof"][0]))
        element[0] ^= 1
        proof["proof"][0] = element.hex()

    def short(proof: dict[str, Any]) -> None:
        proof["proof"][0] = proof["proof"][0][:62]

    def head(proof: dict[str, Any]) -> None:
        proof["head"]["counts"]["admitted"] += 1

    def other_key(proof: dict[str, Any]) -> None:
        proof["signature"] = sign_document("results-head", head_digest(proof["head"]), OTHER_KEY)

    bad: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
        ("changed-leaf-status", status, "the leaf's status changed"),
        ("changed-leaf-school", school, "the leaf's school changed"),
        ("wrong-index", index, "the index of the next leaf"),
        ("index-at-count", index_at_count, "index equal to the head's count"),
        ("proof-element-flipped", flip, "one bit of the first proof element flipped"),
        ("proof-element-31-bytes", short, "the first proof element cut to 31 bytes (§5.3)"),
        ("head-changed", head, "the head's admitted count raised: its signature fails"),
        ("other-key", other_key, "head signed by another key; the real pins are given"),
    ]
    for name, change, why in bad:
        add(name, changed(day, change), "C001", "invalid", why)
    add("other-key-no-pins", changed(day, other_key), "C001", "valid",
        "head signed by another key, no pins: it checks, and only pins could show it is not "
        "the bureau's (§12.6)", given_pins={})  # fmt: skip
    add("wrong-pins", day, "C001", "invalid", "the pins of another draw (case 13)",
        given_pins=zone_pins)  # fmt: skip
    add("other-application", day, "C002", "invalid",
        "the proof of C001 shown for C002", receipt=None)  # fmt: skip
    return cases


OTHER_KEY = Ed25519PrivateKey.from_private_bytes(derive("someone else's key"))


def generate(out: Path) -> None:
    """Write every owned vector under `out` (a fresh copy of each owned folder)."""
    for folder in OWNED:
        shutil.rmtree(out / folder, ignore_errors=True)
    _write_json(out / "encoding" / "cases.json", encoding_cases())
    _write_json(out / "hashing" / "tagged.json", hashing_cases())
    _write_json(out / "records" / "records.json", records_cases())
    _write_json(out / "encoding" / "files.json", file_cases())
    _write_json(out / "merkle" / "trees.json", merkle_cases())
    _write_json(out / "merkle" / "lengths.json", length_cases())
    _write_json(out / "seed" / "seeds.json", seed_cases())
    _write_json(out / "tickets" / "tickets.json", tickets_cases())
    _write_json(out / "parent" / "cases.json", parent_cases())
    _write_json(out / "outcomes" / "proofs.json", outcome_cases())
    for name, build in DRAWS:
        rules, children, how = build()
        draw = rehearsed_draw if name in REHEARSALS else test_draw
        result, log = draw(rules, children, label=f"vector {name}", how=how)
        write_test_bundle(out / "draws" / "single" / name, result, log)


if __name__ == "__main__":
    generate(HERE if len(sys.argv) < 2 else Path(sys.argv[1]))
