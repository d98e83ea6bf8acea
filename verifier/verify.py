"""`verify_bundle`: the thirteen checks of protocol §17, in order, as a report."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verifier import actions as actions_module
from verifier.allocation import Allocation, allocate
from verifier.audit import check_audit_chain, last_entry_hash
from verifier.background import BIG_FILE, BackgroundWork, start_background
from verifier.bundle import Bundle, read_bundle
from verifier.canonical import JsonValue, encode, parse_canonical, parse_canonical_lines
from verifier.ceremony import check_beacon_value, check_ceremony_shape, check_reveals, check_seed
from verifier.choice import Priorities
from verifier.errors import CheckFailed, VerificationError
from verifier.fields import Fields, fail
from verifier.hashing import PROTOCOL, domain_hash, hex16_all
from verifier.manifest import Manifest, check_zone_capacity, parse_manifest
from verifier.records import (
    ENTRY_PREFIX,
    ApplicantFile,
    Record,
    Unit,
    applicant_root,
    applicant_units,
    build_units,
    parse_records,
    read_applicant_file,
)
from verifier.report import ABSENT, CHECKS, FAIL, NOT_RUN, PASS, CheckResult, Report
from verifier.results import (
    check_counts,
    check_lottery_numbers,
    check_results_shape,
    compare_results,
    expected_results,
)
from verifier.signatures import check_signature
from verifier.tickets import unit_tickets

DOCUMENT_KINDS = {
    "manifest.json": "manifest",
    "ceremony.json": "ceremony",
    "results.json": "results",
    "actions.json": "actions",
}
# Which earlier checks each check needs to have passed to mean anything.
DEPENDS_ON = {
    2: (1,),
    3: (1,),
    4: (3,),
    5: (3,),
    6: (3,),
    7: (3,),
    8: (4, 7),
    9: (4, 7),
    10: (9,),
    11: (3,),
    12: (10,),
    13: (1,),
}


@dataclass
class DrawState:
    """What the checks learn, in order; later checks read what earlier ones set."""

    bundle: Bundle | None = None
    documents: dict[str, Any] | None = None
    applicant_file: ApplicantFile | None = None
    background: BackgroundWork | None = None
    audit_entries: list[JsonValue] | None = None
    manifest: Manifest | None = None
    records: tuple[Record, ...] = ()
    units: list[Unit] | None = None
    applicants: list[tuple[str, int]] | None = None  # (application, unit index), §4.2 order
    seed: bytes = b""
    ceremony_digest: bytes = b""
    tickets: list[int] | None = None
    numbers: list[str] | None = None  # the tickets as hex16
    allocation: Allocation | None = None
    priorities: Priorities | None = None
    expected: dict[str, Any] | None = None
    final: actions_module.FinalAssignment | None = None  # after the post-draw actions, (12)


class _Checks:
    def __init__(
        self, path: str | Path, expect_manifest: str | None, expect_key: str | None
    ) -> None:
        self.path = path
        self.expect_manifest = expect_manifest.lower() if expect_manifest else None
        self.expect_key = expect_key.lower() if expect_key else None
        self.state = DrawState()

    def doc(self, name: str) -> Any:
        assert self.state.documents is not None
        return self.state.documents[name]

    # (1): bundle layout, canonical files, protocol version in every document.
    def check_1(self) -> str:
        bundle = read_bundle(self.path)
        names = sorted(name for name in bundle.files if name.endswith(".json"))
        big = {name: bundle.files[name] for name in names if len(bundle.files[name]) >= BIG_FILE}
        # Whether the big files are canonical, and the applicant root, are found by a second
        # process meanwhile (verifier.background); small files are checked here, in name order.
        self.state.background = start_background(
            big, bundle.files.get("applicants.jsonl", b""), ENTRY_PREFIX
        )
        documents: dict[str, Any] = {}
        for name in names:
            if name in big:
                documents[name] = self._load_big(name, bundle.files[name])
            else:
                documents[name] = _parse_file(name, bundle.files[name])
        applicant_file = _read_applicants(bundle.require("applicants.jsonl"))
        audit = bundle.get("audit.jsonl")
        self.state.audit_entries = (
            None if audit is None else [v for _, v in _parse_lines("audit.jsonl", audit)]
        )
        for name in sorted(big):  # a big file that parses but is not JCS fails here
            self._require_canonical(name)
        for name, kind in DOCUMENT_KINDS.items():
            if name in documents:
                _check_protocol_and_kind(name, documents[name], kind)
        self.state.bundle, self.state.documents, self.state.applicant_file = (
            bundle,
            documents,
            applicant_file,
        )
        return f"{len(bundle.files)} files, all canonical, protocol {PROTOCOL}"

    def _load_big(self, name: str, data: bytes) -> Any:
        """A big JSON file's value, by the standard parser. Its canonical form (which the
        background work checks) is required before check 1 passes; if the file does not even
        parse, the background verdict names the fault now."""
        try:
            return json.loads(data)
        except (ValueError, RecursionError):
            self._require_canonical(name)
            raise  # the background found no fault where the parser did: report the parser's

    def _require_canonical(self, name: str) -> None:
        assert self.state.background is not None
        fault = self.state.background.findings().not_canonical.get(name)
        if fault is not None:
            raise CheckFailed(f"{name}: {fault}", expected="canonical JSON (§2.5)", found=fault)

    # (2): every signature by the manifest's key, over the digest of its document.
    def check_2(self) -> str:
        key = Fields(
            Fields(self.doc("manifest.json"), "manifest").raw("signing_key"), "manifest.signing_key"
        )
        public_key, fingerprint = key.hex64("public_key"), key.hex64("fingerprint")
        if self.expect_key is not None and fingerprint != self.expect_key:
            raise fail(
                "manifest.signing_key.fingerprint",
                f"{self.expect_key} (given with --expect-key)",
                fingerprint,
            )
        # The files were shown canonical in (1), so each document's JCS is the file's bytes.
        bundle = self.state.bundle
        assert bundle is not None
        digests = {
            kind: domain_hash(kind, bundle.require(f"{kind}.json"))
            for kind in ("manifest", "ceremony", "results", "actions")
            if bundle.get(f"{kind}.json") is not None
        }
        if self.state.audit_entries is not None:
            digests["audit"] = last_entry_hash(self.state.audit_entries)
        for kind, digest in digests.items():
            check_signature(
                self.doc(f"{kind}.sig.json"),
                file_name=f"{kind}.sig.json",
                kind=kind,
                digest=digest,
                public_key=public_key,
                fingerprint=fingerprint,
            )
        return f"{len(digests)} signatures valid, key fingerprint {fingerprint}"

    # (3): manifest validity and its digest.
    def check_3(self) -> str:
        manifest = parse_manifest(self.doc("manifest.json"))
        check_zone_capacity(manifest)
        self.state.manifest = manifest
        digest = manifest.digest.hex()
        if self.expect_manifest is not None and digest != self.expect_manifest:
            raise CheckFailed(
                "the manifest digest differs from the one recorded on the day",
                expected=f"{self.expect_manifest} (given with --expect-manifest)",
                found=digest,
            )
        if self.doc("ceremony.json").get("manifest") != digest:
            raise fail(
                "ceremony.json.manifest",
                f"the manifest digest {digest}",
                self.doc("ceremony.json").get("manifest"),
            )
        return f"mode {manifest.mode}, {len(manifest.schools)} schools, manifest digest {digest}"

    # (4): the applicant records, their groups, root and count.
    def check_4(self) -> str:
        manifest, file = self.state.manifest, self.state.applicant_file
        assert manifest is not None and file is not None
        if file.count != manifest.applicant_count:
            raise fail(
                "manifest.applicants.count",
                f"{file.count} (records in applicants.jsonl)",
                manifest.applicant_count,
            )
        assert self.state.background is not None
        sealed_root = self.state.background.findings().applicant_root
        root = (applicant_root(file.lines) if sealed_root is None else sealed_root).hex()
        if root != manifest.applicant_root:
            raise CheckFailed(
                "the applicant list is not the one sealed in the manifest (root differs, §5.2)",
                expected=manifest.applicant_root,
                found=root,
            )
        self.state.records = parse_records(file, manifest)
        self.state.units = build_units(self.state.records, manifest)
        self.state.applicants = applicant_units(self.state.records, self.state.units)
        return f"{file.count} records in {len(self.state.units)} units, root {root}"

    # (5): each reveal against its commitment, and the reveal policy.
    def check_5(self) -> str:
        assert self.state.manifest is not None
        revealed = check_reveals(
            self.state.manifest, check_ceremony_shape(self.doc("ceremony.json"))
        )
        return (
            f"{revealed} of {len(self.state.manifest.witnesses)} witnesses revealed, all matching"
        )

    # (6): the beacon value against the registered beacon.
    def check_6(self) -> str:
        assert self.state.manifest is not None
        return check_beacon_value(
            self.state.manifest, check_ceremony_shape(self.doc("ceremony.json"))
        )

    # (7): the seed, and the results' reference to this ceremony and seed.
    def check_7(self) -> str:
        assert self.state.manifest is not None
        ceremony = check_ceremony_shape(self.doc("ceremony.json"))
        seed = check_seed(self.state.manifest, ceremony)
        self.state.seed = seed
        self.state.ceremony_digest = domain_hash("ceremony", encode(ceremony.value))
        results = Fields(self.doc("results.json"), "results.json")
        if results.raw("seed") != seed.hex():
            raise fail(
                "results.json.seed", f"the ceremony's seed {seed.hex()}", results.raw("seed")
            )
        if results.raw("ceremony") != self.state.ceremony_digest.hex():
            raise fail(
                "results.json.ceremony",
                f"the ceremony digest {self.state.ceremony_digest.hex()}",
                results.raw("ceremony"),
            )
        return f"seed {seed.hex()}"

    # (8): every lottery number.
    def check_8(self) -> str:
        units, applicants = self.state.units, self.state.applicants
        assert units is not None and applicants is not None
        self.state.tickets = unit_tickets(self.state.seed, [unit.key for unit in units])
        published = check_results_shape(self.doc("results.json")).value
        numbers = self.state.numbers = hex16_all(self.state.tickets)
        expected = [(application, numbers[u]) for application, u in applicants]
        count = check_lottery_numbers(expected, published)
        return f"{count} lottery numbers recomputed and equal"

    # (9): the allocation re-run from scratch, and classes.
    def check_9(self) -> str:
        manifest, units, tickets = self.state.manifest, self.state.units, self.state.tickets
        assert manifest is not None and units is not None and self.state.applicants is not None
        if tickets is None:
            tickets = unit_tickets(self.state.seed, [unit.key for unit in units])
        priorities = Priorities(
            manifest=manifest, units=units, seed=self.state.seed, tickets=tickets
        )
        allocation = allocate(
            manifest=manifest, units=units, priorities=priorities, seed=self.state.seed
        )
        self.state.allocation, self.state.priorities = allocation, priorities
        self.state.expected = expected_results(
            manifest=manifest,
            ceremony_digest=self.state.ceremony_digest,
            seed=self.state.seed,
            units=units,
            applicants=self.state.applicants,
            numbers=self.state.numbers or hex16_all(tickets),
            allocation=allocation,
            priorities=priorities,
        )
        admitted = sum(units[u].size for u, s in enumerate(allocation.assigned) if s is not None)
        return f"{manifest.mode}: {admitted} of {len(self.state.records)} admitted, {allocation.rounds} round(s)"

    # (10): the published results equal the re-run.
    def check_10(self) -> str:
        assert self.state.expected is not None
        published = check_results_shape(self.doc("results.json")).value
        compare_results(self.state.expected, published)
        return f"{len(published['applicants'])} applicants and {len(published['schools'])} schools identical"

    # (11): counts per school, tier and reserved category; no school above its seats.
    def check_11(self) -> str:
        assert self.state.manifest is not None
        published = check_results_shape(self.doc("results.json")).value
        if len(published["schools"]) != len(self.state.manifest.schools):
            raise fail(
                "results.json.schools",
                f"{len(self.state.manifest.schools)} entries",
                len(published["schools"]),
            )
        check_counts(self.state.manifest, published)
        return "counts consistent, no school above its plan"

    # (12): post-draw actions replayed, if present.
    def check_12(self) -> str | None:
        if self.state.documents is None or "actions.json" not in self.state.documents:
            return None
        assert (
            self.state.manifest is not None
            and self.state.units is not None
            and self.state.allocation is not None
        )
        final = actions_module.replay_actions(
            manifest=self.state.manifest,
            units=self.state.units,
            lists=self.state.allocation.lists,
            published=self.doc("results.json"),
            document=self.doc("actions.json"),
            results_digest=domain_hash("results", encode(self.doc("results.json"))),
        )
        self.state.final = final
        return f"{len(final.actions)} action(s) replayed, moves identical"

    # (13): the audit-log chain, if present.
    def check_13(self) -> str | None:
        if self.state.audit_entries is None:
            return None
        check_audit_chain(self.state.audit_entries)
        return f"{len(self.state.audit_entries)} entries, chain intact"


def _parse_file(name: str, data: bytes) -> Any:
    try:
        return parse_canonical(data)
    except VerificationError as error:
        raise CheckFailed(
            f"{name}: {error}", expected="canonical JSON (§2.5)", found=str(error)
        ) from error


def _parse_lines(name: str, data: bytes) -> list[tuple[bytes, JsonValue]]:
    try:
        return parse_canonical_lines(data)
    except VerificationError as error:
        raise CheckFailed(
            f"{name}: {error}",
            expected="one canonical JSON object per line (§13.1)",
            found=str(error),
        ) from error


def _read_applicants(data: bytes) -> ApplicantFile:
    try:
        return read_applicant_file(data)
    except VerificationError as error:
        raise CheckFailed(
            f"applicants.jsonl: {error}",
            expected="one canonical JSON object per line (§13.1)",
            found=str(error),
        ) from error


def _check_protocol_and_kind(name: str, document: Any, kind: str) -> None:
    fields = Fields(document, name)
    if fields.raw("protocol") != PROTOCOL:
        raise fail(f"{name}.protocol", repr(PROTOCOL), fields.raw("protocol"))
    if name == "results.json" and fields.raw("kind") == "rehearsal":
        raise CheckFailed(
            "results.json holds a rehearsal (模拟摇号), not the official results (§16)",
            expected="kind 'results'",
            found="kind 'rehearsal'",
        )
    if fields.raw("kind") != kind:
        raise fail(f"{name}.kind", repr(kind), fields.raw("kind"))


_MALFORMED = (KeyError, TypeError, ValueError, IndexError, AttributeError)


def _run(check: Callable[[], str | None], number: int, name: str, title: str) -> CheckResult:
    try:
        detail = check()
    except CheckFailed as error:
        return CheckResult(number, name, title, FAIL, error.message, error.expected, error.found)
    except VerificationError as error:
        return CheckResult(number, name, title, FAIL, str(error))
    except _MALFORMED as error:
        return CheckResult(
            number,
            name,
            title,
            FAIL,
            f"unexpected data (malformed document, or a verifier bug): {type(error).__name__}: {error}",
        )
    if detail is None:
        return CheckResult(number, name, title, ABSENT, "not in the bundle (optional)")
    return CheckResult(number, name, title, PASS, detail)


def verify_bundle(
    path: str | Path, *, expect_manifest: str | None = None, expect_key: str | None = None
) -> Report:
    """Run the checks of protocol §17 on a bundle (directory or zip). Never raises for a bad bundle.

    `expect_manifest` and `expect_key` pin the manifest digest and key fingerprint the notary
    recorded on the day; a bundle with another one fails check 3 or 2.
    """
    return run_checks(path, expect_manifest=expect_manifest, expect_key=expect_key)[0]


def run_checks(
    path: str | Path, *, expect_manifest: str | None = None, expect_key: str | None = None
) -> tuple[Report, DrawState]:
    """`verify_bundle`, also returning what the checks learnt (for the parent check)."""
    checks = _Checks(path, expect_manifest, expect_key)
    results: dict[int, CheckResult] = {}
    collecting = gc.isenabled()
    gc.disable()  # millions of small objects and no cycles: collection passes only cost time
    try:
        for number, name, title in CHECKS:
            blocking = [d for d in DEPENDS_ON.get(number, ()) if results[d].status != PASS]
            if blocking:
                reason = ", ".join(f"check {d} {results[d].status.lower()}" for d in blocking)
                results[number] = CheckResult(number, name, title, NOT_RUN, f"not run: {reason}")
                continue
            results[number] = _run(getattr(checks, f"check_{number}"), number, name, title)
    finally:
        if collecting:
            # Hand the objects made meanwhile to the oldest generation without examining them
            # (freeze, then unfreeze): re-enabled, the collector would otherwise start by
            # walking every one of the millions of objects made while it was off.
            gc.freeze()
            gc.unfreeze()
            gc.enable()
    manifest = checks.state.manifest
    report = Report(
        bundle=str(path),
        checks=tuple(results[number] for number, _, _ in CHECKS),
        manifest_digest=manifest.digest.hex() if manifest else None,
    )
    return report, checks.state
