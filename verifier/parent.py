"""The parent check: one child's record in the sealed list, its private digest and outcome.

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
from typing import NamedTuple

from verifier.canonical import encode, parse_canonical
from verifier.errors import VerificationError
from verifier.hashing import domain_hash, hex16
from verifier.merkle import inclusion_proof, leaf_hash, verify_inclusion
from verifier.records import ENTRY_PREFIX
from verifier.report import Report
from verifier.verify import DrawState, run_checks

RECEIPT_ALPHABET = frozenset("0123456789ABCDEFGHJKMNPQRSTVWXYZ")  # Crockford base 32, §4.3
_CROCKFORD_READ = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})


class ApplicantNotFound(VerificationError):
    """The application number is not in the bundle."""


def normalise_receipt(typed: str) -> str:
    """A receipt code as printed (`abcd-efgh-...`, any case, O for 0) to the 16 characters of §4.3."""
    code = typed.strip().upper().translate(_CROCKFORD_READ)
    if len(code) != 16 or not set(code) <= RECEIPT_ALPHABET:
        raise VerificationError("receipt_shape", typed=typed[:40], count=len(code))
    return code


def private_digest(*, application: str, id_number: str, name: str, receipt: str) -> str:
    """`hex(H("private-record", JCS({application, id_number, name (NFC), receipt})))`, §4.3."""
    private = {
        "application": application,
        "id_number": id_number.strip().upper(),
        "name": unicodedata.normalize("NFC", name.strip()),
        "receipt": receipt,
    }
    return domain_hash("private-record", encode(private)).hex()


class Removal(NamedTuple):
    """The post-draw action that removed a child (§14.1)."""

    seq: int
    kind: str  # "decline" or "disqualify"
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


def check_applicant(
    path: str | Path, *, application: str, receipt: str, name: str | None = None,
    id_number: str | None = None, expect_manifest: str | None = None, expect_key: str | None = None,
) -> ParentReport:  # fmt: skip
    """Verify the bundle, then prove and explain one child's record.

    Raises `VerificationError` for an unusable receipt code, `ApplicantNotFound` for an
    application number that is not in the bundle (once check 4 passed)."""
    code = normalise_receipt(receipt)
    report, state = run_checks(path, expect_manifest=expect_manifest, expect_key=expect_key)
    unknown = ParentReport(
        report, application, False, "-", "not checked", None, None, None, None, ()
    )
    if state.manifest is None or report.checks[3].status != "PASS":
        return unknown
    applications = [record.application for record in state.records]
    if application not in applications:
        raise ApplicantNotFound("applicant_not_found", application=application)
    index = applications.index(application)
    in_list, detail = _prove(state, index)
    private_check = "not checked"
    if name is not None and id_number is not None:
        digest = private_digest(
            application=application, id_number=id_number, name=name, receipt=code
        )
        sealed = parse_canonical(state.lines[index])["private_digest"]
        private_check = "match" if digest == sealed else "mismatch"
    if state.expected is None:  # the re-run did not happen: nothing more is proven
        return ParentReport(
            report, application, in_list, detail, private_check, None, None, None, None, ()
        )
    row = state.expected["applicants"][index]
    lines = _school_lines(state, application)
    status, school, label = row[2], row[3], row[4]
    final = state.final
    removal = None if final is None else final.removed.get(application)
    if final is not None:  # (§14): the outcome after the replayed actions
        now = final.school_of(application)
        if removal is not None:
            status, school, label = (
                ("declined" if removal[1] == "decline" else "disqualified"),
                None,
                None,
            )
        elif now is not None:
            school, label = (
                state.expected["schools"][now]["id"],
                final.unit_label[final.unit_of[application]],
            )
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


def _prove(state: DrawState, index: int) -> tuple[bool, str]:
    """An inclusion proof of the record's leaf (§5.3), verified against the sealed root."""
    assert state.manifest is not None
    root = state.manifest.applicant_root
    leaves = [leaf_hash(ENTRY_PREFIX + line) for line in state.lines]
    proof = inclusion_proof(leaves, index)
    try:
        verify_inclusion(
            leaf=leaves[index],
            index=index,
            tree_size=len(leaves),
            proof=proof,
            root=bytes.fromhex(root),
        )
    except VerificationError as error:
        return False, str(error)
    return True, f"{index} / {len(leaves)}, {len(proof)} hashes, root {root}"


def _position(waitlist: list[str], application: str) -> int | None:
    """The 1-based position on a waitlist (§10.6), or None."""
    return waitlist.index(application) + 1 if application in waitlist else None


def _school_lines(state: DrawState, application: str) -> tuple[SchoolLine, ...]:
    """The child's tier, number and outcome at each school of its list that played a part."""
    manifest, allocation, priorities, expected = (
        state.manifest,
        state.allocation,
        state.priorities,
        state.expected,
    )
    assert manifest and allocation and priorities and expected
    u = next(
        i
        for i, unit in enumerate(state.units)
        if application in [m.application for m in unit.members]
    )
    final, drawn = state.final, allocation.assigned[u]
    now = drawn if final is None else final.school_of(application)
    # Schools after the one it holds played no part (for a removed child: its draw-day school).
    last = drawn if final is not None and application in final.removed else now
    entries = allocation.lists[u]
    if last is not None:
        entries = entries[: entries.index(last) + 1]
    lines = []
    for s in entries:
        school, published = manifest.schools[s], expected["schools"][s]
        rank, cutoff, waitlist = (
            priorities.rank(u, s),
            published["cutoff"] or {},
            published["waitlist"],
        )
        position = _position(
            waitlist if final is None else final.waitlist(s, waitlist), application
        )
        lines.append(SchoolLine(
            school.id, school.name, school.tiers[rank], school.tier_labels[rank],
            hex16(priorities.number(u, s)), now == s, cutoff.get("tier"), cutoff.get("lottery_number"),
            position, drawn == s, _position(waitlist, application),
        ))  # fmt: skip
    return tuple(lines)
