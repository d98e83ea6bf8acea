"""`verify-draw BUNDLE`: the verifier's command line (protocol §17), in English or Chinese."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from verifier.errors import VerificationError
from verifier.messages import STATUS, TEXT, TITLES, language_from_environment
from verifier.parent import ParentReport, check_applicant
from verifier.report import PASS, CheckResult, Report
from verifier.rounds import check_second_round
from verifier.verify import run_checks


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="verify-draw",
        description="Re-run and check a sunshine draw from its public bundle (protocol sunshine-draw/1, §17).",
    )
    parser.add_argument("bundle", help="the bundle: a directory or a .zip file")
    parser.add_argument(
        "--previous", metavar="FIRST", help="second round (§14.5): the first draw's bundle"
    )
    parser.add_argument("--json", action="store_true", help="print a machine-readable report")
    parser.add_argument(
        "--expect-manifest", metavar="HEX", help="manifest digest recorded on the day"
    )
    parser.add_argument(
        "--expect-key", metavar="FINGERPRINT", help="signing key fingerprint recorded on the day"
    )
    parser.add_argument(
        "--lang", choices=["zh", "en"], help="language of the output (default: from the locale)"
    )
    parser.add_argument(
        "--applicant", metavar="NUMBER", help="parent check: the application number"
    )
    parser.add_argument(
        "--receipt", metavar="CODE", help="parent check: the receipt code (hyphens allowed)"
    )
    parser.add_argument(
        "--name", help="parent check: the child's name, to check the private digest"
    )
    parser.add_argument(
        "--id-number", help="parent check: the child's ID number, to check the private digest"
    )
    return parser


def entry_point() -> NoReturn:
    """`verify-draw` and `python -m verifier`: `main`, then exit without tearing down what the
    checks built. Freeing a million-applicant re-run object by object takes seconds and checks
    nothing; the operating system takes the memory back at once."""
    retained: list[object] = []
    try:
        code = main(retain=retained)
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        # The reader stopped reading (`verify-draw B | head`): the report was cut short, so
        # this is no verdict. Exit 1 without a traceback about the pipe.
        code = 1
    os._exit(code)


def main(argv: Sequence[str] | None = None, *, retain: list[object] | None = None) -> int:
    """Run the checks and print them; exit 0 only if every check passed (2 for a usage error).

    `retain`: a list that keeps what the checks built alive after `main` returns.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    lang = args.lang or language_from_environment()
    if (args.applicant is None) != (args.receipt is None):
        parser.error("--applicant and --receipt go together")
    if (args.name is None) != (args.id_number is None) or (
        args.name is not None and args.applicant is None
    ):
        parser.error("--name and --id-number go together, with --applicant and --receipt")
    pins = {"expect_manifest": args.expect_manifest, "expect_key": args.expect_key}
    parent: ParentReport | None = None
    try:
        if args.applicant is not None:
            parent = check_applicant(
                args.bundle,
                application=args.applicant,
                receipt=args.receipt,
                name=args.name,
                id_number=args.id_number,
                **pins,
            )
            report = parent.bundle
        else:
            report, state = run_checks(args.bundle, **pins)
            if retain is not None:
                retain.append(state)
        second_round = (
            None if args.previous is None else check_second_round(args.previous, args.bundle)
        )
    except VerificationError as error:
        print(f"verify-draw: {error}", file=sys.stderr)
        return 2
    if args.json:
        document: dict[str, Any] = report.as_dict()
        if second_round is not None:
            document["second_round"] = second_round.as_dict()
        if parent is not None:
            document["applicant"] = _parent_dict(parent)
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        _print_report(report, lang)
        if second_round is not None:
            _print_second_round(second_round)
        if parent is not None:
            _print_parent(parent, lang)
    ok = report.passed and (second_round is None or second_round.status == PASS)
    ok = ok and (parent is None or (parent.in_sealed_list and parent.private_check != "mismatch"))
    return 0 if ok else 1


def _print_report(report: Report, lang: str) -> None:
    text = TEXT[lang]
    print(f"{text['bundle']}: {report.bundle}")
    for check in report.checks:
        status = STATUS[lang][check.status]
        print(f"({check.number:2d}) {status:<7} {TITLES[lang][check.number]}")
        if check.detail:
            print(f"      {check.detail}")
        if check.status != PASS and check.expected:
            print(f"      {text['expected']}: {check.expected}")
            print(f"      {text['found']}: {check.found}")
    if report.manifest_digest:
        print(f"{text['manifest']}: {report.manifest_digest}")
    print(text["all_pass"] if report.passed else text["some_fail"])


def _print_second_round(check: CheckResult) -> None:
    print(f"({check.number:2d}) {check.status:<7} {check.title}")
    if check.detail:
        print(f"      {check.detail}")
    if check.expected:
        print(f"      expected: {check.expected}")
        print(f"      found: {check.found}")


def _print_parent(parent: ParentReport, lang: str) -> None:
    text = TEXT[lang]
    after = parent.post_draw_actions > 0
    print()
    print(f"{text['child']}: {parent.application}")
    print(
        f"  {text['in_list'] if parent.in_sealed_list else text['not_in_list']} ({parent.proof_detail})"
    )
    print("  " + text[f"private_{parent.private_check.replace('not checked', 'unchecked')}"])
    if parent.lottery_number is not None:
        print(f"  {text['lottery_number']}: {parent.lottery_number}")
    if parent.actions_unverified:
        print("  " + text["actions_unverified"])
    if parent.status is not None:
        print(f"  {text['status']}: {_outcome(text, parent.status, parent.school, parent.label)}")
    if after and parent.draw_day_status is not None:
        drawn = _outcome(
            text, parent.draw_day_status, parent.draw_day_school, parent.draw_day_label
        )
        print(f"  {text['draw_day']}: {drawn}")
    if parent.removed_by is not None:
        kind = "declined" if parent.removed_by.kind == "decline" else "disqualified"
        print("  " + text["removed"].format(seq=parent.removed_by.seq, kind=text[kind]))
    for line in parent.schools:
        verdict = text["admitted_here"] if line.admitted else text["not_admitted_here"]
        if after and line.admitted != line.admitted_on_draw_day:
            drawn = (
                "admitted_on_draw_day" if line.admitted_on_draw_day else "not_admitted_on_draw_day"
            )
            verdict += f" ({text[drawn]})"
        day = "_draw_day" if after else ""  # the cutoff is a draw-day fact (§10.8)
        cutoff = (
            text["cutoff" + day].format(tier=line.cutoff_tier, number=line.cutoff_number)
            if line.cutoff_tier
            else text["no_cutoff" + day]
        )
        print(
            f"  {text['at_school']} {line.school} {line.school_name}: {text['tier']} {line.tier} ({line.tier_label}), "
            f"{text['number_here']} {line.lottery_number}; {verdict}; {cutoff}"
        )
        position, before = line.waitlist_position, line.draw_day_waitlist_position
        if position is not None and after and before is not None and before != position:
            print("    " + text["position_was"].format(position=position, before=before))
        elif position is not None:
            print("    " + text["waitlist_position"].format(position=position))
        elif after and before is not None:
            print("    " + text["position_left"].format(before=before))
    if after:
        print("  " + text["after_actions"].format(count=parent.post_draw_actions))
    print("  " + text["explain"])


def _outcome(text: dict[str, str], status: str, school: str | None, label: str | None) -> str:
    if status == "admitted":
        return f"{text['admitted']} {school} ({label})"
    return text[status]


def _parent_dict(parent: ParentReport) -> dict[str, Any]:
    removed = parent.removed_by
    return {
        "application": parent.application,
        "in_sealed_list": parent.in_sealed_list,
        "proof": parent.proof_detail,
        "private_check": parent.private_check,
        "lottery_number": parent.lottery_number,
        "status": parent.status,
        "school": parent.school,
        "label": parent.label,
        "schools": [line.__dict__ for line in parent.schools],
        "post_draw_actions": parent.post_draw_actions,
        "post_draw_actions_unverified": parent.actions_unverified,
        "removed_by": None
        if removed is None
        else {"seq": removed.seq, "type": removed.kind, "application": removed.application},
        "draw_day": {
            "status": parent.draw_day_status,
            "school": parent.draw_day_school,
            "label": parent.draw_day_label,
        },
    }


if __name__ == "__main__":
    raise SystemExit(main())
