"""`verify_bundle`: the checks of protocol §17, in order, as a report that never raises.

Each `_check_N` method is step N of §17. It returns a message saying what it proved, or None
for an optional part the bundle does not have, and raises `VerificationError` on a failure.
What a check learns is kept on `DrawState` for the checks after it and for the parent check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verifier.actions import FinalAssignment, replay_actions
from verifier.allocation import Allocation, Priorities, allocate
from verifier.audit import check_audit_chain, entry_hash
from verifier.bundle import Bundle, read_bundle
from verifier.canonical import encode, parse_canonical, parse_canonical_lines
from verifier.ceremony import ceremony_fields, check_beacon, check_reveals, derive_seed
from verifier.errors import CheckFailed, VerificationError
from verifier.fields import Fields, fail
from verifier.hashing import PROTOCOL, domain_hash, hex16
from verifier.manifest import Manifest, parse_manifest
from verifier.messages import Message
from verifier.readme import readme_text
from verifier.records import Record, Unit, applicant_root, build_units, parse_records, split_lines
from verifier.report import ABSENT, CHECKS, FAIL, NOT_RUN, PASS, CheckResult, Report
from verifier.results import check_counts, compare_results, expected_results
from verifier.signatures import check_public_key, check_signature

DOCUMENTS = {
    "manifest.json": "manifest",
    "ceremony.json": "ceremony",
    "results.json": "results",
    "actions.json": "actions",
}
# The checks each check needs to have passed to mean anything.
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
    14: (1,),
}


@dataclass
class DrawState:
    """What the checks learn, in order."""

    bundle: Bundle | None = None
    documents: dict[str, Any] = field(default_factory=dict)
    lines: list[bytes] = field(default_factory=list)  # applicants.jsonl, one record a line
    audit: list[Any] | None = None
    manifest: Manifest | None = None
    records: list[Record] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    seed: bytes = b""
    ceremony_digest: bytes = b""
    priorities: Priorities | None = None
    allocation: Allocation | None = None
    expected: dict[str, Any] | None = None
    final: FinalAssignment | None = None


class _Checks:
    def __init__(
        self,
        path: str | Path,
        expect_manifest: str | None,
        expect_key: str | None,
        previous: str | Path | None,
    ) -> None:
        self.path, self.previous = path, previous
        self.expect_manifest, self.expect_key = expect_manifest, expect_key
        self.state = DrawState()

    def doc(self, name: str) -> Any:
        return self.state.documents[name]

    def _check_1(self) -> Message:
        """Bundle layout, canonical files, protocol version, README (§2.5, §13)."""
        bundle = self.state.bundle = read_bundle(self.path)
        for name, data in sorted(bundle.files.items()):
            try:
                if name.endswith(".json"):
                    self.state.documents[name] = parse_canonical(data)
                elif name == "audit.jsonl":
                    self.state.audit = [value for _, value in parse_canonical_lines(data)]
            except VerificationError as error:
                raise CheckFailed("bundle_file", name=name, fault=error.message) from error
        self.state.lines = split_lines(bundle.require("applicants.jsonl"))
        for name, kind in DOCUMENTS.items():
            if name in self.state.documents:
                document = Fields(self.doc(name), name)
                if name == "results.json" and document.raw("kind") == "rehearsal":
                    raise CheckFailed("rehearsal_as_results")  # (§16)
                document.choice("protocol", [PROTOCOL])
                document.choice("kind", [kind])
        readme = bundle.get("README.txt")
        if readme is not None:  # (13.4): derived from the signed files, byte for byte
            derived = readme_text(
                manifest=self.doc("manifest.json"),
                manifest_digest=domain_hash("manifest", bundle.require("manifest.json")).hex(),
                seed=str(self.doc("ceremony.json").get("seed")),
                results_digest=domain_hash("results", bundle.require("results.json")).hex(),
            )
            if readme != derived:
                raise CheckFailed(
                    "readme_differs", expected=f"{len(derived)} bytes", found=f"{len(readme)} bytes"
                )
        return Message("pass_1", files=len(bundle.files), protocol=PROTOCOL)

    def _check_2(self) -> Message:
        """Signatures by the manifest's key (§12.4, §12.5)."""
        key = Fields(
            Fields(self.doc("manifest.json"), "manifest").raw("signing_key"), "manifest.signing_key"
        )
        public_key, fingerprint = key.hex64("public_key"), key.hex64("fingerprint")
        if self.expect_key is not None and fingerprint != self.expect_key:
            raise CheckFailed("pin_key", expected=self.expect_key, found=fingerprint)
        check_public_key(bytes.fromhex(public_key), "manifest.signing_key.public_key")
        bundle = self.state.bundle
        assert bundle is not None
        digests = {
            kind: domain_hash(kind, bundle.require(name))
            for name, kind in DOCUMENTS.items()
            if name in bundle.files
        }
        if self.state.audit is not None:  # (12.4): the audit signature covers the last entry
            digests["audit"] = entry_hash(self.state.audit[-1]) if self.state.audit else bytes(32)
        for kind, digest in digests.items():
            check_signature(
                self.doc(f"{kind}.sig.json"),
                file_name=f"{kind}.sig.json",
                kind=kind,
                digest=digest,
                public_key=public_key,
            )
        return Message("pass_2", count=len(digests), fingerprint=fingerprint)

    def _check_3(self) -> Message:
        """Manifest validity (§6.3) and its digest (§6.4)."""
        manifest = self.state.manifest = parse_manifest(self.doc("manifest.json"))
        digest = manifest.digest.hex()
        if self.expect_manifest is not None and digest != self.expect_manifest:
            raise CheckFailed("pin_manifest", expected=self.expect_manifest, found=digest)
        if self.doc("ceremony.json").get("manifest") != digest:
            raise CheckFailed(
                "ceremony_manifest",
                expected=digest,
                found=self.doc("ceremony.json").get("manifest"),
            )
        return Message("pass_3", mode=manifest.mode, schools=len(manifest.schools), digest=digest)

    def _check_4(self) -> Message:
        """The records (§4), their count and the sealed root (§5.2)."""
        manifest, lines = self.state.manifest, self.state.lines
        assert manifest is not None
        if len(lines) != manifest.applicant_count:
            raise CheckFailed("records_count", expected=manifest.applicant_count, found=len(lines))
        root = applicant_root(lines).hex()
        if root != manifest.applicant_root:
            raise CheckFailed("records_root", expected=manifest.applicant_root, found=root)
        self.state.records = parse_records(lines, manifest)
        self.state.units = build_units(self.state.records)
        return Message("pass_4", records=len(lines), units=len(self.state.units), root=root)

    def _check_5(self) -> Message:
        """Each reveal against its commitment; the reveal policy (§7.3)."""
        assert self.state.manifest is not None
        revealed = check_reveals(self.state.manifest, ceremony_fields(self.doc("ceremony.json")))
        return Message("pass_5", revealed=revealed, witnesses=len(self.state.manifest.witnesses))

    def _check_6(self) -> Message:
        """The beacon value against the registered beacon (§7.2, §7.5)."""
        assert self.state.manifest is not None
        return Message(
            "pass_6",
            beacon=check_beacon(self.state.manifest, ceremony_fields(self.doc("ceremony.json"))),
        )

    def _check_7(self) -> Message:
        """The seed (§7.4); the results name this ceremony and seed (§12.1)."""
        assert self.state.manifest is not None
        ceremony = ceremony_fields(self.doc("ceremony.json"))
        seed = derive_seed(
            manifest_digest=self.state.manifest.digest,
            reveals=ceremony.raw("reveals"),
            beacon=ceremony.raw("beacon"),
        )
        if ceremony.raw("seed") != seed.hex():
            raise CheckFailed("seed_differs", expected=seed.hex(), found=ceremony.raw("seed"))
        self.state.seed, self.state.ceremony_digest = (
            seed,
            domain_hash("ceremony", encode(ceremony.value)),
        )
        results = Fields(self.doc("results.json"), "results.json")
        results.choice("seed", [seed.hex()])
        results.choice("ceremony", [self.state.ceremony_digest.hex()])
        return Message("pass_7", seed=seed.hex())

    def _check_8(self) -> Message:
        """Every lottery number (§8.2), row by row in application order (§12.1)."""
        assert self.state.manifest is not None
        priorities = self.state.priorities = Priorities(
            self.state.manifest, self.state.units, self.state.seed
        )
        numbers = {
            m.application: hex16(priorities.tickets[u])
            for u, unit in enumerate(self.state.units)
            for m in unit.members
        }
        rows = Fields(self.doc("results.json"), "results.json").array("applicants")
        if len(rows) != len(numbers):
            raise CheckFailed("results_rows", expected=len(numbers), found=len(rows))
        for index, (record, row) in enumerate(zip(self.state.records, rows, strict=True)):
            if not isinstance(row, list) or len(row) != 5:
                raise fail(f"results.json.applicants[{index}]", "term_row", row)
            if row[0] != record.application:
                raise CheckFailed("results_order", expected=record.application, found=row[0])
            if row[1] != numbers[record.application]:
                raise CheckFailed(
                    "number_differs",
                    application=record.application,
                    expected=numbers[record.application],
                    found=row[1],
                )
        return Message("pass_8", count=len(rows))

    def _check_9(self) -> Message:
        """The allocation re-run from scratch (§9, §10) and the classes (§11)."""
        manifest, priorities = self.state.manifest, self.state.priorities
        assert manifest is not None
        if priorities is None:
            priorities = self.state.priorities = Priorities(
                manifest, self.state.units, self.state.seed
            )
        allocation = self.state.allocation = allocate(manifest, priorities)
        self.state.expected = expected_results(
            priorities=priorities, allocation=allocation, ceremony_digest=self.state.ceremony_digest
        )
        admitted = sum(
            unit.size
            for unit, s in zip(self.state.units, allocation.assigned, strict=True)
            if s is not None
        )
        return Message(
            "pass_9", mode=manifest.mode, admitted=admitted, applicants=len(self.state.records)
        )

    def _check_10(self) -> Message:
        """The published results equal the re-run (§12)."""
        assert self.state.expected is not None
        compare_results(self.state.expected, self.doc("results.json"))
        return Message(
            "pass_10",
            applicants=len(self.state.records),
            schools=len(self.state.expected["schools"]),
        )

    def _check_11(self) -> Message:
        """Counts per school, tier and reserved category; no school above its plan (§12.2)."""
        assert self.state.manifest is not None
        check_counts(self.state.manifest, self.doc("results.json"))
        return Message("pass_11")

    def _check_12(self) -> Message | None:
        """The post-draw actions replayed (§14), if the bundle has them."""
        if "actions.json" not in self.state.documents:
            return None
        manifest, allocation, bundle = self.state.manifest, self.state.allocation, self.state.bundle
        assert manifest is not None and allocation is not None and bundle is not None
        self.state.final = replay_actions(
            manifest=manifest, units=self.state.units, lists=allocation.lists, published=self.doc("results.json"),
            document=self.doc("actions.json"), results_digest=domain_hash("results", bundle.require("results.json")),
        )  # fmt: skip
        return Message("pass_12", count=len(self.state.final.removed))

    def _check_13(self) -> Message | None:
        """The audit-log chain (§15), if the bundle has one."""
        if self.state.audit is None:
            return None
        check_audit_chain(self.state.audit)
        return Message("pass_13", count=len(self.state.audit))

    def _check_14(self) -> Message | None:
        """Given the previous draw's bundle, the second round derives from it (§14.5)."""
        if self.previous is None:
            return None
        from verifier.second_round import check_second_round

        check_second_round(self.previous, self.state)
        return Message("pass_14")


def _run(check: Callable[[], Message | None], number: int) -> CheckResult:
    try:
        message = check()
    except CheckFailed as error:
        return CheckResult(number, FAIL, error.message, error.expected, error.found)
    except VerificationError as error:
        return CheckResult(number, FAIL, error.message)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, RecursionError) as error:
        return CheckResult(
            number, FAIL, Message("malformed", error=f"{type(error).__name__}: {error}"[:300])
        )
    if message is None:
        return CheckResult(number, ABSENT, Message("absent"))
    return CheckResult(number, PASS, message)


def run_checks(
    path: str | Path,
    *,
    expect_manifest: str | None = None,
    expect_key: str | None = None,
    previous: str | Path | None = None,
) -> tuple[Report, DrawState]:
    """`verify_bundle`, also returning what the checks learnt (for the parent check)."""
    checks = _Checks(path, expect_manifest, expect_key, previous)
    results: dict[int, CheckResult] = {}
    for number, _ in CHECKS:
        blocking = [d for d in DEPENDS_ON.get(number, ()) if results[d].status != PASS]
        if blocking:
            results[number] = CheckResult(
                number, NOT_RUN, Message("not_run", checks=", ".join(map(str, blocking)))
            )
        else:
            results[number] = _run(getattr(checks, f"_check_{number}"), number)
    manifest = checks.state.manifest
    report = Report(
        bundle=str(path),
        checks=tuple(results[number] for number, _ in CHECKS),
        manifest_digest=manifest.digest.hex() if manifest else None,
        fingerprint=manifest.fingerprint if manifest else None,
    )
    return report, checks.state


def verify_bundle(
    path: str | Path,
    *,
    expect_manifest: str | None = None,
    expect_key: str | None = None,
    previous: str | Path | None = None,
) -> Report:
    """Run the checks of §17 on a bundle (directory or zip); never raises for a bad bundle.

    `expect_manifest` and `expect_key` pin the manifest digest and key fingerprint recorded on
    the day (checks 3 and 2 fail on another); `previous` is the first draw's bundle when this
    one is a second round (check 14)."""
    return run_checks(
        path, expect_manifest=expect_manifest, expect_key=expect_key, previous=previous
    )[0]
