"""`verify-draw outcome PROOF.json`: an outcome proof checked without the bundle, protocol
§12.7 item 4 and §17.1. Exit codes as for a bundle (§17.2): 0 signed by the pinned draw's key,
3 valid but not pinned, 1 failed, 2 wrong usage."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from verifier.actions import outcome_entry
from verifier.canonical import encode, parse_canonical
from verifier.errors import CheckFailed, VerificationError
from verifier.fields import HEX64, Fields, fail
from verifier.hashing import PROTOCOL, domain_hash, draw_pin, grouped, normalise_typed
from verifier.merkle import leaf_hash, verify_inclusion
from verifier.messages import Message
from verifier.parent import normalise_receipt, receipt_check
from verifier.signatures import check_signature

PROOF_KEYS = ("protocol", "kind", "head", "signature", "outcome", "index", "proof")
LEAF_KEYS = ("application", "receipt_check", "lottery_number", "status", "school", "label")


def check_outcome_proof(document: object, *, application: str | None = None,
                        receipt: str | None = None, **pins: str | None) -> dict[str, Any]:  # fmt: skip
    """§12.7 item 4, steps 1-4; raises `VerificationError` on a failure. Returns what it
    proved: the head, the leaf, its index, the key's fingerprint and the pin."""
    proof = Fields(document, "outcome proof")
    proof.exact_keys(PROOF_KEYS)
    proof.choice("protocol", [PROTOCOL])
    proof.choice("kind", ["outcome-proof"])
    head, signature, leaf = proof.sub("head"), proof.sub("signature"), proof.sub("outcome")
    head.choice("protocol", [PROTOCOL])
    head.choice("kind", ["results-head"])
    # (1): kind results-head, the head's digest, the fingerprint of the key it holds, valid
    check_signature(signature.value, file_name="outcome proof.signature", kind="results-head",
                    digest=domain_hash("results-head", encode(head.value)),
                    public_key=signature.hex64("public_key"))  # fmt: skip
    # (2): the pins the family holds (§12.6)
    manifest, fingerprint = head.hex64("manifest"), signature.hex64("fingerprint")
    pin = draw_pin(bytes.fromhex(manifest), bytes.fromhex(fingerprint))
    found = {"manifest": manifest, "fingerprint": fingerprint, "pin": pin}
    for key, given in pins.items():
        if given is not None and given != found[key]:
            raise CheckFailed(f"pin_{'key' if key == 'fingerprint' else key}", expected=given,
                              found=found[key])  # fmt: skip
    # (3): the index in the tree, the application asked for, the proof to the head's root
    outcomes, index = head.sub("outcomes"), proof.integer("index")
    count = outcomes.integer("count")
    leaf.exact_keys((*LEAF_KEYS, "choices"))
    leaf.choice("status", ("admitted", "waitlisted", "unplaced", "decline", "disqualify"))
    if not all(isinstance(c, list) and len(c) == 3 for c in leaf.array("choices")):
        raise fail("outcome proof.outcome.choices", "term_array", leaf.raw("choices"))
    if application is not None and leaf.raw("application") != application:
        raise VerificationError("o_not_asked", asked=application, found=leaf.raw("application"))
    path = proof.array("proof")
    if not all(isinstance(p, str) and HEX64.fullmatch(p) for p in path):
        raise fail("outcome proof.proof", "term_hex64", path)
    verify_inclusion(leaf=leaf_hash(outcome_entry(leaf.value)), index=index, tree_size=count,
                     proof=[bytes.fromhex(p) for p in path],
                     root=bytes.fromhex(outcomes.hex64("root")))  # fmt: skip
    # (4): the family's receipt code (§4.8)
    if receipt is not None:
        code = normalise_receipt(receipt)
        if receipt_check(application=leaf.raw("application"), receipt=code) != leaf.raw(
            "receipt_check"
        ):
            raise VerificationError("o_receipt")
    return {"head": head.value, "leaf": leaf.value, "index": index, "count": count} | found


def outcome_main(arguments: list[str], *, lang: str) -> int:
    """The command line of `verify-draw outcome`."""
    parser = argparse.ArgumentParser(
        prog="verify-draw outcome", description=Message("o_about").text(lang)
    )
    parser.add_argument("proof", help="the outcome proof (JSON) / 结果证明（JSON）")
    parser.add_argument(
        "--pin", metavar="CODE", help="the pin of the sealing announcement / 封存公告中的核对码"
    )
    parser.add_argument(
        "--manifest", metavar="HEX", help="manifest digest (sealing announcement) / 清单摘要"
    )
    parser.add_argument(
        "--fingerprint", metavar="HEX", help="key fingerprint (sealing announcement) / 密钥指纹"
    )
    parser.add_argument("--receipt", metavar="CODE", help="the family's receipt code / 回执码")
    parser.add_argument(
        "--applicant", metavar="NUMBER", help="the application number asked for / 报名号"
    )
    parser.add_argument("--lang", choices=("zh", "en"))
    args = parser.parse_args(arguments)
    if args.pin is not None and args.manifest is not None:
        parser.error("--pin | --manifest")
    if args.pin is None and (args.manifest is None) != (args.fingerprint is None):
        # (12.7 item 4, step 2): a proof holds no manifest, so a digest alone binds no key
        parser.error("--manifest and --fingerprint go together / 清单摘要须与密钥指纹一起给出")
    pins = {"manifest": args.manifest, "fingerprint": args.fingerprint}
    pins = {k: None if v is None else v.strip().lower() for k, v in pins.items()}
    pins["pin"] = None if args.pin is None else normalise_typed(args.pin)

    def say(key: str, **params: object) -> None:
        print(Message(key, params).text(lang))

    try:
        document = parse_canonical(Path(args.proof).read_bytes()[: 2**24])
        found = check_outcome_proof(
            document, application=args.applicant, receipt=args.receipt, **pins
        )
    except (OSError, VerificationError) as error:
        fault = error.message if isinstance(error, VerificationError) else str(error)
        say("o_verdict_fail", error=fault)
        return 1
    head, leaf = found["head"], found["leaf"]
    say("o_head", seq=head["seq"], manifest=found["manifest"], actions=head["actions"],
        fingerprint=found["fingerprint"], pin=grouped(found["pin"]))  # fmt: skip
    say("cli_child", application=leaf["application"])
    if args.receipt is not None:
        say("cli_receipt_match")
    say("o_leaf", index=found["index"] + 1, count=found["count"])
    outcome = Message("admitted", school=leaf["school"], label=leaf["label"])
    removed = {"decline": "declined", "disqualify": "disqualified"}
    if leaf["status"] != "admitted":
        outcome = Message(removed.get(leaf["status"], leaf["status"]))
    say("cli_status", outcome=outcome)
    for school, number, position in leaf["choices"]:
        say("o_choice", school=school, number=number, position=position or "-")
    pinned = args.pin is not None or args.manifest is not None  # with its fingerprint, above
    say("o_verdict_authentic" if pinned else "o_verdict_not_pinned")
    return 0 if pinned else 3
