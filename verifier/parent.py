"""The parent check: one child's record in the sealed list, its digest and its outcome.

Protocol §4.3 (private digest), §5.3 (inclusion proof), §8.4 and §10.6-§10.8 (tier, waitlist,
cutoff). The child's record is proven to be a leaf of the tree whose root the manifest sealed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

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
    """The child at one school of its list: tier, number, outcome, cutoff, waitlist position."""

    school: str
    school_name: str
    tier: str
    tier_label: str
    lottery_number: str
    admitted: bool
    cutoff_tier: str | None
    cutoff_number: str | None
    waitlist_position: int | None


@dataclass(frozen=True)
class ParentReport:
    """What a parent learns about one child, and the bundle's own verification."""

    bundle: Report
    application: str
    in_sealed_list: bool
    proof_detail: str
    private_check: str  # "match", "mismatch" or "not checked"
    lottery_number: str | None
    status: str | None
    school: str | None
    label: str | None
    schools: tuple[SchoolLine, ...]


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
            report,
            application,
            False,
            "the bundle could not be read",
            "not checked",
            None,
            None,
            None,
            None,
            (),
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
    return ParentReport(
        bundle=report,
        application=application,
        in_sealed_list=in_list,
        proof_detail=proof_detail,
        private_check=private_check,
        lottery_number=None if row is None else row[1],
        status=None if row is None else row[2],
        school=None if row is None else row[3],
        label=None if row is None else row[4],
        schools=_school_lines(state, application),
    )


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
    """The child's tier, number and outcome at each school of its list, from the re-run."""
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
    assigned = allocation.assigned[unit]
    entries = allocation.lists[unit]
    if assigned is not None:  # the schools after the one it got played no part
        entries = entries[: entries.index(assigned) + 1]
    lines = []
    for s in entries:
        school, published = manifest.schools[s], expected["schools"][s]
        rank = priorities.rank(unit, s)
        cutoff = published["cutoff"]
        waitlist = published["waitlist"]
        lines.append(
            SchoolLine(
                school=school.id,
                school_name=school.name,
                tier=school.tier_ids[rank],
                tier_label=school.tier_labels[rank],
                lottery_number=hex16(priorities.number(unit, s)),
                admitted=assigned == s,
                cutoff_tier=None if cutoff is None else cutoff["tier"],
                cutoff_number=None if cutoff is None else cutoff["lottery_number"],
                waitlist_position=waitlist.index(application) + 1
                if application in waitlist
                else None,
            )
        )
    return tuple(lines)
