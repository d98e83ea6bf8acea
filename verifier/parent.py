"""The parent check: one child's record in the sealed list, its digest and its outcome.

Protocol §4.3 (private digest), §5.3 (inclusion proof), §8.4 and §10.6-§10.8 (tier, waitlist,
cutoff), §14 (post-draw actions). The child's record is proven to be a leaf of the tree whose
root the manifest sealed. When the bundle has post-draw actions and check 12 replayed them, the
outcome and waitlist positions are those after the actions (what the bureau's look-up shows);
the tier, the lottery numbers and the cutoff stay the draw day's.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from verifier.actions import FinalAssignment, Removal
from verifier.canonical import encode
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
    """A receipt code as printed (`abcd-efgh-...`, any case) to the 16 characters of §4.3."""
    code = typed.strip().upper().translate(_CROCKFORD_READ)
    if len(code) != 16 or not set(code) <= RECEIPT_ALPHABET:
        raise VerificationError(
            f"receipt code {typed!r}: expected 16 characters of 0-9 and A-Z without I, L, O, U "
            f"(hyphens allowed), found {len(code)} usable characters"
        )
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


@dataclass(frozen=True)
class SchoolLine:
    """The child at one school of its list: tier, number, outcome, cutoff, waitlist position.

    `admitted` and `waitlist_position` are after the post-draw actions the report includes
    (§10.6 on the final assignment); the cutoff is always the draw day's (§10.8).
    """

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
    """What a parent learns about one child, and the bundle's own verification."""

    bundle: Report
    application: str
    in_sealed_list: bool
    proof_detail: str
    private_check: str  # "match", "mismatch" or "not checked"
    lottery_number: str | None
    status: str | None  # after the included actions: also "declined" or "disqualified" (§14.1)
    school: str | None
    label: str | None
    schools: tuple[SchoolLine, ...]
    post_draw_actions: int = 0  # the actions the outcome includes (check 12 replayed them)
    actions_unverified: bool = False  # the bundle has actions check 12 did not prove
    removed_by: Removal | None = None  # the action that removed this child
    draw_day_status: str | None = None
    draw_day_school: str | None = None
    draw_day_label: str | None = None


def check_applicant(
    path: str | Path,
    *,
    application: str,
    receipt: str,
    name: str | None = None,
    id_number: str | None = None,
    expect_manifest: str | None = None,
    expect_key: str | None = None,
) -> ParentReport:
    """Verify the bundle, then prove and explain one child's record (parent check).

    Raises `VerificationError` for an unusable receipt code, `ApplicantNotFound` for an
    application number that is not in the bundle.
    """
    code = normalise_receipt(receipt)
    report, state = run_checks(path, expect_manifest=expect_manifest, expect_key=expect_key)
    file = state.applicant_file
    if file is None or state.manifest is None:
        return ParentReport(
            bundle=report,
            application=application,
            in_sealed_list=False,
            proof_detail="the bundle could not be read",
            private_check="not checked",
            lottery_number=None,
            status=None,
            school=None,
            label=None,
            schools=(),
        )
    index = file.index_of(application)
    if index is None:
        raise ApplicantNotFound(
            f"application {application!r} is not in this bundle's applicant list"
        )
    in_list, proof_detail = _prove(state, index)
    record = file.value(index)
    private_check = "not checked"
    if name is not None and id_number is not None:
        digest = private_digest(
            application=application, id_number=id_number, name=name, receipt=code
        )
        private_check = "match" if digest == record["private_digest"] else "mismatch"
    row = _results_row(state, application)
    drawn = (None, None, None) if row is None else (row[2], row[3], row[4])
    lines = _school_lines(state, application)
    final = state.final
    status, school, label = drawn if final is None else _after_actions(state, application, lines)
    return ParentReport(
        bundle=report,
        application=application,
        in_sealed_list=in_list,
        proof_detail=proof_detail,
        private_check=private_check,
        lottery_number=None if row is None else row[1],
        status=status,
        school=school,
        label=label,
        schools=lines,
        post_draw_actions=0 if final is None else len(final.actions),
        actions_unverified=final is None and "actions.json" in (state.documents or {}),
        removed_by=None if final is None else final.removal_of(application),
        draw_day_status=drawn[0],
        draw_day_school=drawn[1],
        draw_day_label=drawn[2],
    )


def _after_actions(
    state: DrawState, application: str, lines: tuple[SchoolLine, ...]
) -> tuple[str, str | None, str | None]:
    """Status, school and label after the actions: §10.7 on the final assignment, and a removed
    child's action (§14.1) as its status, as the bureau's look-up shows it."""
    final, manifest = state.final, state.manifest
    assert final is not None and manifest is not None
    removal = final.removal_of(application)
    if removal is not None:
        return ("declined" if removal.kind == "decline" else "disqualified"), None, None
    school = final.school_of(application)
    if school is not None:
        return "admitted", manifest.schools[school].id, final.label_of(application)
    # Unassigned, the child's lines cover its whole list: every waitlist it can be on.
    waiting = any(line.waitlist_position is not None for line in lines)
    return ("waitlisted" if waiting else "unplaced"), None, None


def _prove(state: DrawState, index: int) -> tuple[bool, str]:
    """An inclusion proof of the record's leaf (§5.3), verified against the manifest root."""
    assert state.applicant_file is not None and state.manifest is not None
    leaves = [leaf_hash(ENTRY_PREFIX + line) for line in state.applicant_file.lines]
    proof = inclusion_proof(leaves, index)
    try:
        verify_inclusion(
            leaf=leaves[index],
            index=index,
            tree_size=len(leaves),
            proof=proof,
            root=bytes.fromhex(state.manifest.applicant_root),
        )
    except VerificationError as error:
        return False, str(error)
    return (
        True,
        f"leaf {index} of {len(leaves)}, proof of {len(proof)} hashes, root {state.manifest.applicant_root}",
    )


def _results_row(state: DrawState, application: str) -> list[str | None] | None:
    source = (
        state.expected
        if state.expected is not None
        else (state.documents or {}).get("results.json")
    )
    if not isinstance(source, dict):
        return None
    return next(
        (row for row in source.get("applicants", []) if row and row[0] == application), None
    )


def _school_lines(state: DrawState, application: str) -> tuple[SchoolLine, ...]:
    """The child's tier, number and outcome at each school of its list, from the re-run, and
    after the post-draw actions if check 12 replayed them."""
    manifest, units, allocation, priorities, expected = (
        state.manifest,
        state.units,
        state.allocation,
        state.priorities,
        state.expected,
    )
    if (
        manifest is None
        or units is None
        or allocation is None
        or priorities is None
        or expected is None
    ):
        return ()
    unit = next(
        u for u, item in enumerate(units) if any(m.application == application for m in item.members)
    )
    final = state.final
    drawn = allocation.assigned[unit]
    now = drawn if final is None else final.school_of(application)
    # The schools after the one it holds played no part; a removed child's, after the draw
    # day's school, played none on the draw day.
    last = drawn if final is not None and application in final.removed else now
    entries = allocation.lists[unit]
    if last is not None:
        entries = entries[: entries.index(last) + 1]
    lines = []
    for s in entries:
        school, published = manifest.schools[s], expected["schools"][s]
        rank = priorities.rank(unit, s)
        cutoff = published["cutoff"]
        waitlist = published["waitlist"]
        drawn_position = _position(waitlist, application)
        lines.append(
            SchoolLine(
                school=school.id,
                school_name=school.name,
                tier=school.tier_ids[rank],
                tier_label=school.tier_labels[rank],
                lottery_number=hex16(priorities.number(unit, s)),
                admitted=now == s,
                cutoff_tier=None if cutoff is None else cutoff["tier"],
                cutoff_number=None if cutoff is None else cutoff["lottery_number"],
                waitlist_position=drawn_position
                if final is None
                else _final_position(final, s, waitlist, application),
                admitted_on_draw_day=drawn == s,
                draw_day_waitlist_position=drawn_position,
            )
        )
    return tuple(lines)


def _position(waitlist: list[str], application: str) -> int | None:
    """The 1-based position on a waitlist (§10.6), or None."""
    return waitlist.index(application) + 1 if application in waitlist else None


def _final_position(
    final: FinalAssignment, school: int, waitlist: list[str], application: str
) -> int | None:
    """The position on the school's waitlist after the actions (§10.6 on the final assignment)."""
    return _position(final.waitlist(school, waitlist), application)
