"""`verify-draw BUNDLE`: the verifier's command line (protocol §17), in Chinese or English.

Exit codes (§17.2): 0 authentic and correct (pins given and equal, every check passed); 3 every
check passed but the draw is NOT pinned (whose draw it is was not checked); 1 a check failed
(or the child's record is not proven); 2 the command was used wrongly. The verdict is always
the last line; `--json` carries it as "authentic", "not_pinned" or "failed".
`verify-draw witness ...` is the witness tool (§7.9-§7.10, `verifier.witness`);
`verify-draw outcome PROOF.json` checks an outcome proof without the bundle (`verifier.outcome`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from itertools import pairwise
from typing import Any

from verifier.errors import VerificationError
from verifier.hashing import PROTOCOL, normalise_typed
from verifier.messages import Message, language_from_environment
from verifier.parent import ParentReport, check_applicant
from verifier.report import PASS, Report
from verifier.verify import run_checks

VERSION = "3.0"
PROTOCOLS = (PROTOCOL,)
EXIT_CODES = {"authentic": 0, "not_pinned": 3, "failed": 1}


LANGUAGES = ("zh", "en")
# fmt: off
OPTIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("--previous", {"metavar": "FIRST", "help": "second round (§14.5): the first draw's bundle / 补录：上一轮的数据包"}),
    ("--json", {"action": "store_true", "help": "machine-readable report / 输出 JSON"}),
    ("--pin", {"metavar": "CODE", "help": "the 20-character pin of the sealing announcement / 封存公告中的 20 位核对码"}),
    ("--expect-manifest", {"metavar": "HEX", "help": "manifest digest from the sealing announcement / 封存公告中的清单摘要"}),
    ("--expect-key", {"metavar": "FINGERPRINT", "help": "key fingerprint from the sealing announcement / 封存公告中的密钥指纹"}),
    ("--lang", {"choices": LANGUAGES, "help": "zh or en (default: the system's language) / 输出语言"}),
    ("--applicant", {"metavar": "NUMBER", "help": "family's check: application number / 家长核查：报名号"}),
    ("--receipt", {"metavar": "CODE", "help": "family's check: receipt code / 家长核查：回执码"}),
    ("--name", {"help": "family's check: the child's name / 儿童姓名"}),
    ("--id-number", {"help": "family's check: the child's ID number / 儿童身份证号"}),
)
# fmt: on


def entry_point() -> None:
    """`verify-draw` and `python -m verifier`."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader stopped reading (`verify-draw B | head`): the report was cut short, so
        # this is no verdict. Point stdout at nothing so that the exit's flush cannot fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    raise SystemExit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the checks and print them; the exit code is the verdict."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    lang = language_from_environment()
    for given, following in pairwise(arguments):
        lang = following if given == "--lang" and following in LANGUAGES else lang
    if arguments[:1] == ["witness"]:
        from verifier.witness import witness_main

        return witness_main(arguments[1:], lang=lang)
    if arguments[:1] == ["outcome"]:
        from verifier.outcome import outcome_main

        return outcome_main(arguments[1:], lang=lang)
    about = Message("cli_about").text(lang)
    parser = argparse.ArgumentParser(prog="verify-draw", description=about)
    parser.add_argument("bundle", help="the bundle: a folder or a .zip / 数据包：文件夹或 .zip")
    version = Message("cli_version", version=VERSION, protocols=", ".join(PROTOCOLS)).text(lang)
    parser.add_argument("--version", action="version", version=version)
    for flag, options in OPTIONS:
        parser.add_argument(flag, **options)
    args = parser.parse_args(arguments)
    if (args.applicant is None) != (args.receipt is None):
        parser.error("--applicant --receipt")
    if (args.name is None) != (args.id_number is None) or (args.name and not args.applicant):
        parser.error("--name --id-number --applicant --receipt")
    pins = {"expect_manifest": args.expect_manifest, "expect_key": args.expect_key}
    pins = {name: None if pin is None else pin.strip().lower() for name, pin in pins.items()}
    pins["expect_pin"] = None if args.pin is None else normalise_typed(args.pin)
    parent: ParentReport | None = None
    try:
        if args.applicant is not None:
            parent = check_applicant(args.bundle, application=args.applicant, receipt=args.receipt,
                                     name=args.name, id_number=args.id_number, **pins)  # fmt: skip
            report = parent.bundle
        else:
            report = run_checks(args.bundle, previous=args.previous, **pins)[0]
    except VerificationError as error:
        print(Message("cli_error", error=error.message).text(lang), file=sys.stderr)
        return 1
    proven = parent is None or parent.proven  # (17.1): the child's record, if asked
    verdict = report.verdict if proven else "failed"
    if args.json:
        document = report.as_dict(lang) | {"verdict": verdict, "passed": verdict != "failed"}
        if parent is not None:
            document["applicant"] = {k: v for k, v in asdict(parent).items() if k != "bundle"}
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return EXIT_CODES[verdict]
    _print_report(report, lang)
    if parent is not None:
        _print_parent(parent, lang, pinned=report.pinned)
    if verdict == "not_pinned":
        print(Message("cli_unpinned").text(lang))
    number = report.first_failure.number if report.first_failure else "?"
    key = "fail" if not report.passed else "child" if verdict == "failed" else verdict
    print(Message(f"cli_verdict_{key}", number=number).text(lang))  # the last line: the verdict
    return EXIT_CODES[verdict]


def _print_report(report: Report, lang: str) -> None:
    print(Message("cli_bundle", {"path": report.bundle}).text(lang))
    for check in report.checks:
        status = Message(check.status).text(lang)
        print(f"({check.number:2d}) {status:<7} {Message(f'check_{check.number}').text(lang)}")
        print(f"      {check.message.text(lang)}")
        if check.status != PASS and (check.expected or check.found):
            print("      " + Message("cli_expected", {"value": check.expected}).text(lang))
            print("      " + Message("cli_found", {"value": check.found}).text(lang))
    if report.manifest_digest:
        pins = {"digest": report.manifest_digest, "fingerprint": report.fingerprint}
        print(Message("cli_pins", pins | {"pin": report.pin}).text(lang))


def _outcome(lang: str, status: str | None, school: str | None, label: str | None) -> str:
    if status == "admitted":
        return Message("admitted", {"school": school, "label": label}).text(lang)
    removed = {"decline": "declined", "disqualify": "disqualified"}  # (14.1)
    return Message(removed.get(status or "", status or "unplaced")).text(lang)


def _print_parent(parent: ParentReport, lang: str, *, pinned: bool) -> None:
    def say(key: str, **params: object) -> None:
        print(Message(key, params).text(lang))

    print()
    say("cli_child", application=parent.application)
    if not parent.receipt_matches:  # (17.1): no outcome for a code that does not match
        say("cli_receipt_mismatch")
        return
    say("cli_receipt_match")
    in_list = "cli_in_list" + ("_pinned" if pinned else "")
    say(in_list if parent.in_sealed_list else "cli_not_in_list", detail=parent.proof_detail)
    private = {"match": "cli_private_match", "mismatch": "cli_private_mismatch"}
    say(private.get(parent.private_check, "cli_private_unchecked"))
    if parent.lottery_number is None:
        return
    say("cli_number", number=parent.lottery_number)
    say("cli_outcome_proven", detail=parent.outcome_detail)
    say("cli_status", outcome=_outcome(lang, parent.status, parent.school, parent.label))
    after = parent.post_draw_actions > 0
    if after:
        day_outcome = parent.draw_day_status, parent.draw_day_school, parent.draw_day_label
        say("cli_draw_day", outcome=_outcome(lang, *day_outcome))
    for line in parent.schools:  # the school it holds and each school it waits for (17.1)
        verdict = Message("admitted_here" if line.admitted else "not_admitted_here")
        say("cli_school", school=line.school, name=line.school_name, tier=line.tier,
            label=line.tier_label, number=line.lottery_number, verdict=verdict)  # fmt: skip
        position, before = line.waitlist_position, line.draw_day_waitlist_position
        if position is not None and after and before not in (None, position):
            say("cli_position_was", position=position, before=before)
        elif position is not None:
            say("cli_position", position=position)
        for cutoff in line.cutoffs:  # (10.8): the draw day's, one per seat label
            key = "cli_cutoff" if cutoff["tier"] is not None else "cli_no_cutoff"
            say(key, label=cutoff["label"], tier=cutoff["tier"], number=cutoff["lottery_number"],
                passed=cutoff["passed_over"])  # fmt: skip
    if after:
        say("cli_after_actions", count=parent.post_draw_actions, head=parent.head)
    say("cli_explain")


if __name__ == "__main__":
    entry_point()
