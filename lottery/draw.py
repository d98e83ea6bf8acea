"""The draw pipeline: seal the list, form the seed, allocate, publish signed results.

`seal` (§5, §6) fixes the rules and the applicant list before any secret is revealed;
`run_draw` (§8-§12) takes a ceremony (`lottery.ceremony.form_ceremony`) and produces the signed
results, holding the audit head at the moment they are signed (§12.1, §15.2). Keys and times
are arguments; nothing here reads a clock or the machine's entropy.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lottery.allocation import allocate
from lottery.allocation.problem import Allocation, AllocationProblem
from lottery.applicants import RECORD_CEILING, applicant_root, check_records
from lottery.ceremony import Ceremony, ceremony_digest
from lottery.encoding import canonical_json
from lottery.errors import CeremonyError, InvalidRecord, InvalidRules
from lottery.hashing import tagged_hash
from lottery.manifest import (
    ApplicantCommitment,
    AuditHead,
    Beacon,
    DrawRules,
    Manifest,
    Replaces,
    Witness,
    manifest_digest,
    manifest_document,
    validate_manifest,
    validate_rules,
)
from lottery.records import PublicRecord, sorted_records
from lottery.results import encode_results, results_document
from lottery.signing import sign_document, signing_key_info
from lottery.units import build_problem, problem_frame, with_seed

__all__ = [
    "DrawResult",
    "SealedDraw",
    "rehearsal_digest",
    "rehearse",
    "rerun_results",
    "run_draw",
    "seal",
]

MAX_APPLICANTS = 2_000_000  # §13.3: what a verifier accepts
MANIFEST_CEILING = 16 * 2**20  # §13.3


@contextmanager
def _without_gc_pauses() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of small lists are built.

    The collector would rescan them again and again (it adds seconds to a million-applicant
    draw); none of them form cycles. At the end, what was built (the results, long-lived) goes
    straight to the oldest generation (`gc.freeze` then `gc.unfreeze`, both without a scan)
    rather than being scanned once more as young objects; this is skipped if anything else
    has frozen objects, which `unfreeze` would release. Nothing about the outcome depends on
    this.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


@dataclass(frozen=True, eq=False)
class SealedDraw:
    """A sealed draw: the manifest, its records in order and its signature (§5, §6)."""

    manifest: Manifest
    records: tuple[PublicRecord, ...]
    encoded_records: tuple[bytes, ...]  # JCS of each record, the lines of applicants.jsonl
    manifest_digest: bytes
    manifest_signature: dict[str, str]
    # The seed-independent part of the allocation problem (`lottery.units.problem_frame`),
    # built once with the seal: the draw then starts from the seed.
    frame: AllocationProblem


@dataclass(frozen=True, eq=False)
class DrawResult:
    """A finished draw: everything the public bundle holds (§13), and the allocation.

    The signed results are `results_json`, encoded straight from the allocation;
    `results` is the same document as objects, built the first time it is read.
    """

    sealed: SealedDraw
    ceremony: Ceremony
    ceremony_signature: dict[str, str]
    problem: AllocationProblem
    allocation: Allocation
    results_json: bytes  # JCS(results)
    results_digest: bytes
    results_signature: dict[str, str]
    audit: AuditHead  # the head the results hold (§12.1)

    @cached_property
    def results(self) -> dict[str, Any]:
        """The results document (§12.1); `JCS` of it is `results_json`."""
        return results_document(
            manifest=self.sealed.manifest,
            manifest_digest=self.sealed.manifest_digest,
            ceremony_digest=ceremony_digest(self.ceremony),
            problem=self.problem,
            allocation=self.allocation,
            audit=self.audit,
        )


def seal(
    *,
    rules: DrawRules,
    records: Iterable[PublicRecord],
    witnesses: Sequence[Witness],
    min_reveals: int,
    beacon: Beacon,
    signing_key: Ed25519PrivateKey,
    sealed_at: str,
    audit: AuditHead | None = None,
    replaces: Replaces | None = None,
) -> SealedDraw:
    """Check everything, sort the records, commit to them and sign the manifest (§4-§6).

    `audit` is the head of the draw's audit log just before its `draw.sealed` entry (None if
    that entry is the first, §6.1, §15.2); `replaces` names a void draw this one re-runs
    (§7.8). Raises `InvalidRules` or `InvalidRecord` before anything is produced.
    """
    validate_rules(rules)
    with _without_gc_pauses():
        ordered = sorted_records(records)
        if len(ordered) > MAX_APPLICANTS:
            count = len(ordered)
            raise InvalidRecord(
                f"{count} applicants: a draw holds at most {MAX_APPLICANTS} (§13.3)"
            )
        check_records(rules, ordered)
        encoded = tuple(record.encoded() for record in ordered)
    for record, line in zip(ordered, encoded, strict=True):
        if len(line) + 1 > RECORD_CEILING:
            raise InvalidRecord(
                f"application {record.application}: its record is {len(line) + 1} bytes, "
                f"more than {RECORD_CEILING} (§4.7)"
            )
    manifest = Manifest(
        rules=rules,
        sealed_at=sealed_at,
        applicants=ApplicantCommitment(count=len(ordered), root=applicant_root(encoded)),
        witnesses=tuple(sorted(witnesses, key=lambda w: w.id)),
        min_reveals=min_reveals,
        beacon=beacon,
        signing_key=signing_key_info(signing_key),
        audit=audit,
        replaces=replaces,
    )
    validate_manifest(manifest)
    if len(canonical_json(manifest_document(manifest))) > MANIFEST_CEILING:
        raise InvalidRules(f"the manifest is above {MANIFEST_CEILING} bytes (§13.3)")
    digest = manifest_digest(manifest)
    with _without_gc_pauses():
        frame = problem_frame(manifest, ordered)
    return SealedDraw(
        manifest=manifest,
        records=ordered,
        encoded_records=encoded,
        manifest_digest=digest,
        manifest_signature=sign_document("manifest", digest, signing_key),
        frame=frame,
    )


def rerun_results(
    manifest: Manifest,
    records: Sequence[PublicRecord],
    *,
    seed: bytes,
    ceremony_hex: str,
    kind: Literal["results", "rehearsal"] = "results",
    audit: AuditHead | None = None,
) -> tuple[AllocationProblem, Allocation, dict[str, Any]]:
    """Allocate from the manifest, records and seed and build the results document (§8-§12)."""
    with _without_gc_pauses():
        problem = build_problem(manifest, records, seed)
        allocation = allocate(problem)
        results = results_document(
            manifest=manifest,
            manifest_digest=manifest_digest(manifest),
            ceremony_digest=bytes.fromhex(ceremony_hex),
            problem=problem,
            allocation=allocation,
            kind=kind,
            audit=audit,
        )
    return problem, allocation, results


def _draw(
    sealed: SealedDraw,
    *,
    seed: bytes,
    ceremony_hex: str,
    kind: Literal["results", "rehearsal"],
    audit: AuditHead | None,
) -> tuple[AllocationProblem, Allocation, bytes]:
    """Allocate and encode `JCS(results)` (§12.3) straight from the allocation."""
    with _without_gc_pauses():
        problem = with_seed(sealed.frame, seed)
        allocation = allocate(problem)
        results_json = encode_results(
            manifest=sealed.manifest,
            manifest_digest=sealed.manifest_digest,
            ceremony_digest=bytes.fromhex(ceremony_hex),
            problem=problem,
            allocation=allocation,
            kind=kind,
            audit=audit,
        )
    return problem, allocation, results_json


def run_draw(
    sealed: SealedDraw, ceremony: Ceremony, signing_key: Ed25519PrivateKey, *, audit: AuditHead
) -> DrawResult:
    """Run the official draw of a sealed list with its ceremony and sign the results (§12).

    `audit` is the head of the audit log when the results are signed (§12.1): the service
    logs `draw.run` after it (§15.3)."""
    if ceremony.manifest_digest != sealed.manifest_digest:
        raise CeremonyError(
            f"ceremony is for manifest {ceremony.manifest_digest.hex()}, "
            f"not this draw's {sealed.manifest_digest.hex()}"
        )
    if signing_key_info(signing_key) != sealed.manifest.signing_key:
        raise InvalidRules("signing key is not the key named in the manifest (§12.4)")
    c_digest = ceremony_digest(ceremony)
    problem, allocation, results_json = _draw(
        sealed, seed=ceremony.seed, ceremony_hex=c_digest.hex(), kind="results", audit=audit
    )
    r_digest = tagged_hash("results", results_json)
    return DrawResult(
        sealed=sealed,
        ceremony=ceremony,
        ceremony_signature=sign_document("ceremony", c_digest, signing_key),
        problem=problem,
        allocation=allocation,
        results_json=results_json,
        results_digest=r_digest,
        results_signature=sign_document("results", r_digest, signing_key),
        audit=audit,
    )


def rehearsal_digest(manifest: Manifest, records: Sequence[PublicRecord], text: str) -> bytes:
    """`H("results", JCS(rehearsal results))` of the rehearsal with `text` (§16), from the
    sealed manifest and records: what a `rehearsal.run` entry of the log names (§15.3)."""
    seed = tagged_hash("rehearsal-seed", text.encode("utf-8"))
    with _without_gc_pauses():
        problem = build_problem(manifest, records, seed)
        allocation = allocate(problem)
        encoded = encode_results(
            manifest=manifest,
            manifest_digest=manifest_digest(manifest),
            ceremony_digest=bytes(32),
            problem=problem,
            allocation=allocation,
            kind="rehearsal",
            audit=None,
        )
    return tagged_hash("results", encoded)


def rehearse(
    sealed: SealedDraw, text: str, signing_key: Ed25519PrivateKey
) -> tuple[dict[str, Any], dict[str, str]]:
    """A rehearsal (§16): the allocation with `H("rehearsal-seed", text)`, signed as
    kind `rehearsal`. It can never pass for the official results. The audit log names it in a
    `rehearsal.run` entry with details `{"text": text, "results": signature["digest"]}`
    (§15.3)."""
    seed = tagged_hash("rehearsal-seed", text.encode("utf-8"))
    problem, allocation, results_json = _draw(
        sealed, seed=seed, ceremony_hex="0" * 64, kind="rehearsal", audit=None
    )
    results = results_document(
        manifest=sealed.manifest,
        manifest_digest=sealed.manifest_digest,
        ceremony_digest=bytes(32),
        problem=problem,
        allocation=allocation,
        kind="rehearsal",
    )
    digest = tagged_hash("results", results_json)
    return results, sign_document("rehearsal", digest, signing_key)
