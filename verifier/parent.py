"""The family's check (protocol §17.1): the receipt code against the record (§4.8), the
record in the sealed list, its private digest and outcome.

Protocol §4.3 (private digest), §5.3 (inclusion proof), §8.4 and §10.6-§10.8 (tier, waitlist,
cutoffs). The record is in the list whose root the manifest sealed; the outcome is the child's
leaf in the last results head (§12.7), after every post-draw action (§14), proven against that
signed head. Tiers, numbers and cutoffs stay the draw day's.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verifier.actions import built_entry
from verifier.canonical import encode, parse_canonical
from verifier.errors import VerificationError
from verifier.hashing import ALPHABET, domain_hash, normalise_typed
from verifier.merkle import inclusion_proof, leaf_hash, verify_inclusion
from verifier.report import Report
from verifier.verify import run_checks


class ApplicantNotFound(VerificationError):
    """The application number is not in the bundle."""


def normalise_receipt(typed: str) -> str:
    """A receipt code as printed (`abcd-efgh-...`, any case, O for 0) to the 16 characters of §4.3."""
    code = normalise_typed(typed)
    if len(code) != 16 or not set(code) <= set(ALPHABET):
        raise VerificationError("receipt_shape", typed=typed[:40], count=len(code))
    return code


def receipt_check(*, application: str, receipt: str) -> str:
    """`hex(H("receipt", JCS({"application": A, "receipt": R})))`, §4.8."""
    return domain_hash("receipt", encode({"application": application, "receipt": receipt})).hex()


def private_digest(*, application: str, id_number: str, name: str, receipt: str) -> str:
    """`hex(H("private-record", JCS({application, id_number, name (NFC), receipt})))`, §4.3."""
    name, id_number = unicodedata.normalize("NFC", name.strip()), id_number.strip().upper()
    private = {"application": application, "id_number": id_number, "name": name, "receipt": receipt}
    return domain_hash("private-record", encode(private)).hex()


@dataclass(frozen=True)
class SchoolLine:
    """A school the child holds or waits for in the last head: its tier and number there, its
    waitlist position, and the school's draw-day cutoffs, open and reserved (§10.8)."""

    school: str
    school_name: str
    tier: str
    tier_label: str
    lottery_number: str
    admitted: bool
    waitlist_position: int | None
    draw_day_waitlist_position: int | None
    cutoffs: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class ParentReport:
    """What a parent learns about one child, with the bundle's own verification."""

    bundle: Report
    application: str
    in_sealed_list: bool
    proof_detail: str
    private_check: str  # "match", "mismatch" or "not checked"
    lottery_number: str | None
    status: str | None  # in the last head (§12.7): also "decline" or "disqualify" (§14.1)
    school: str | None
    label: str | None
    schools: tuple[SchoolLine, ...]
    head: int = 0  # the last results head, which the outcome is proven against (§17.1)
    outcome_detail: str = "-"
    post_draw_actions: int = 0
    draw_day_status: str | None = None
    draw_day_school: str | None = None
    draw_day_label: str | None = None
    receipt_matches: bool = True  # False: the code "does not match" and no outcome is shown

    @property
    def proven(self) -> bool:
        """§17.1: the code matches, the record is in the list, name and ID do not differ."""
        return self.receipt_matches and self.in_sealed_list and self.private_check != "mismatch"


def check_applicant(
    path: str | Path, *, application: str, receipt: str, name: str | None = None,
    id_number: str | None = None, **pins: str | None,
) -> ParentReport:  # fmt: skip
    """Verify the bundle, then prove and explain one child's record.

    Raises `VerificationError` for an unusable receipt code, `ApplicantNotFound` for an
    application number that is not in the bundle (once check 4 passed)."""
    code = normalise_receipt(receipt)
    report, state = run_checks(path, **pins)
    nothing: tuple[None, None, None, None, tuple[SchoolLine, ...]] = (None, None, None, None, ())
    unknown = ParentReport(report, application, False, "-", "not checked", *nothing)
    if state.manifest is None or report.checks[4].status != "PASS":  # check 5: the records
        return unknown
    applications = [record.application for record in state.records]
    if application not in applications:
        raise ApplicantNotFound("applicant_not_found", application=application)
    index = applications.index(application)
    sealed_check = parse_canonical(state.lines[index])["receipt_check"]
    if receipt_check(application=application, receipt=code) != sealed_check:  # (17.1)
        return ParentReport(report, application, False, "-", "not checked", *nothing,
                            receipt_matches=False)  # fmt: skip
    # Check 5 recomputed the sealed root over every line, this record's included (§5.2).
    in_list, detail = (
        True,
        f"line {index + 1} of {len(state.lines)}, root {state.manifest.applicant_root}",
    )
    private_check = "not checked"
    if name is not None and id_number is not None:
        private = {"application": application, "id_number": id_number, "name": name}
        digest = private_digest(**private, receipt=code)
        sealed = parse_canonical(state.lines[index])["private_digest"]
        private_check = "match" if digest == sealed else "mismatch"
    if state.expected is None or not state.leaves:  # no re-run: nothing more is proven
        return ParentReport(report, application, in_list, detail, private_check, *nothing)
    # (17.1): the leaf and its proof, built from the bundle, against the signed last head.
    head, leaf = state.heads[-1][1], state.leaves[index]
    hashes = [leaf_hash(built_entry(other)) for other in state.leaves]
    try:
        root = bytes.fromhex(head["outcomes"]["root"])
        verify_inclusion(leaf=hashes[index], index=index, tree_size=head["outcomes"]["count"],
                         proof=inclusion_proof(hashes, index), root=root)  # fmt: skip
    except (VerificationError, KeyError, TypeError, ValueError):
        return ParentReport(report, application, in_list, detail, private_check, *nothing)
    row = state.expected["applicants"][index]
    u = next(u for u, unit in enumerate(state.units) if application in
             [m.application for m in unit.members])  # fmt: skip
    lines = []
    for (school_id, number, position), s in zip(
        leaf["choices"], state.allocation.lists[u] if state.allocation else [], strict=True
    ):
        if school_id == leaf["school"] or position is not None:  # held, or waited for
            school, published = state.manifest.schools[s], state.expected["schools"][s]
            rank = state.priorities.rank(u, s) if state.priorities else 0
            lines.append(SchoolLine(school.id, school.name, school.tiers[rank],
                school.tier_labels[rank], number, school_id == leaf["school"], position,
                _position(published["waitlist"], application), tuple(published["cutoffs"])))  # fmt: skip
    outcome = f"leaf {index + 1} of {len(hashes)}, results head {head['seq']}, root {root.hex()}"
    return ParentReport(
        report, application, in_list, detail, private_check, row[1], leaf["status"],
        leaf["school"], leaf["label"], tuple(lines), head=head["seq"], outcome_detail=outcome,
        post_draw_actions=head["actions"],
        draw_day_status=row[2], draw_day_school=row[3], draw_day_label=row[4],
    )  # fmt: skip


def _position(waitlist: list[str], application: str) -> int | None:
    """The 1-based position on a waitlist (§10.6), or None."""
    return waitlist.index(application) + 1 if application in waitlist else None
