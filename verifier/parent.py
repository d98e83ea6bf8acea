"""The family's check (protocol §17.1): the receipt code against the record (§4.8), the
record in the sealed list, its private digest and outcome.

Protocol §4.3 (private digest), §5.3 (inclusion proof), §8.4 and §10.6-§10.8 (tier, waitlist,
cutoff), §14 (post-draw actions). The record is proven a leaf of the tree whose root the
manifest sealed. When check 12 replayed post-draw actions, the outcome and waitlist positions
are those after the actions (what the bureau's look-up shows); tiers, numbers and cutoffs stay
the draw day's.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from verifier.canonical import encode, parse_canonical
from verifier.errors import VerificationError
from verifier.hashing import domain_hash, hex16
from verifier.pins import ALPHABET, normalise_typed
from verifier.report import Report
from verifier.verify import DrawState, run_checks


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
class Removal:
    """The post-draw action that removed a child (§14.1): its number and type."""

    seq: int
    type: str  # "decline" or "disqualify"
    application: str


@dataclass(frozen=True)
class SchoolLine:
    """The child at one school of its list: tier, number, outcome, draw-day cutoff, position."""

    school: str
    school_name: str
    tier: str
    tier_label: str
    lottery_number: str
    admitted: bool
    cutoff_tier: str | None
    cutoff_number: str | None
    waitlist_position: int | None
    admitted_on_draw_day: bool
    draw_day_waitlist_position: int | None


@dataclass(frozen=True)
class ParentReport:
    """What a parent learns about one child, with the bundle's own verification."""

    bundle: Report
    application: str
    in_sealed_list: bool
    proof_detail: str
    private_check: str  # "match", "mismatch" or "not checked"
    lottery_number: str | None
    status: str | None  # after the replayed actions; also "declined" or "disqualified" (§14.1)
    school: str | None
    label: str | None
    schools: tuple[SchoolLine, ...]
    post_draw_actions: int = 0
    actions_unverified: bool = False  # the bundle has actions that check 12 did not prove
    removed_by: Removal | None = None
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
    if state.expected is None:  # the re-run did not happen: nothing more is proven
        return ParentReport(report, application, in_list, detail, private_check, *nothing)
    row = state.expected["applicants"][index]
    lines = _school_lines(state, application)
    status, school, label = row[2], row[3], row[4]
    final = state.final
    removal = None if final is None else final.removed.get(application)
    if final is not None:  # (§14): the outcome after the replayed actions
        now = final.school_of(application)
        if removal is not None:
            status = "declined" if removal[1] == "decline" else "disqualified"
            school = label = None
        elif now is not None:
            school = state.expected["schools"][now]["id"]
            label = final.unit_label[final.unit_of[application]]
            status = "admitted"
        else:  # (10.7) on the final assignment
            waiting = any(line.waitlist_position is not None for line in lines)
            status, school, label = ("waitlisted" if waiting else "unplaced"), None, None
    return ParentReport(
        report, application, in_list, detail, private_check, row[1], status, school, label, lines,
        post_draw_actions=0 if final is None else len(final.removed),
        actions_unverified=final is None and "actions.json" in state.documents,
        removed_by=None if removal is None else Removal(*removal, application),
        draw_day_status=row[2], draw_day_school=row[3], draw_day_label=row[4],
    )  # fmt: skip


def _position(waitlist: list[str], application: str) -> int | None:
    """The 1-based position on a waitlist (§10.6), or None."""
    return waitlist.index(application) + 1 if application in waitlist else None


def _school_lines(state: DrawState, application: str) -> tuple[SchoolLine, ...]:
    """The child's tier, number and outcome at each school of its list that played a part."""
    manifest, allocation, priorities = state.manifest, state.allocation, state.priorities
    assert manifest and allocation and priorities and state.expected
    units = [[m.application for m in unit.members] for unit in state.units]
    u = next(i for i, members in enumerate(units) if application in members)
    final, drawn = state.final, allocation.assigned[u]
    now = drawn if final is None else final.school_of(application)
    # Schools after the one it holds played no part (for a removed child: its draw-day school).
    last = drawn if final is not None and application in final.removed else now
    entries = allocation.lists[u]
    if last is not None:
        entries = entries[: entries.index(last) + 1]
    lines = []
    for s in entries:
        school, published = manifest.schools[s], state.expected["schools"][s]
        rank = priorities.rank(u, s)
        cutoff, waitlist = published["cutoff"] or {}, published["waitlist"]
        after = waitlist if final is None else final.waitlist(s, waitlist)
        position = _position(after, application)
        lines.append(SchoolLine(
            school.id, school.name, school.tiers[rank], school.tier_labels[rank],
            hex16(priorities.number(u, s)), now == s, cutoff.get("tier"), cutoff.get("lottery_number"),
            position, drawn == s, _position(waitlist, application),
        ))  # fmt: skip
    return tuple(lines)
