"""`verify_bundle`: the checks of protocol §17, in order, as a report that never raises.

`DrawState.check_N` is step N of §17. It returns a message saying what it proved, or None for
an optional part the bundle does not have, and raises `VerificationError` on a failure. What a
check learns stays on the `DrawState` for the checks after it and for the parent check.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verifier.actions import compare_head, head_state, outcome_leaves, replay_actions
from verifier.allocation import Allocation, Priorities, allocate
from verifier.audit import check_audit_chain, check_batches, check_events, check_head, entry_hash
from verifier.bundle import check_index, read_bundle
from verifier.canonical import encode, parse_canonical, parse_canonical_lines
from verifier.ceremony import Ceremony, check_ceremony, derive_seed
from verifier.errors import CheckFailed, VerificationError
from verifier.fields import Fields, fail
from verifier.hashing import PROTOCOL, domain_hash, draw_pin, grouped, hex16
from verifier.manifest import Manifest, parse_manifest
from verifier.messages import Message
from verifier.readme import check_readme, readme_text
from verifier.records import Record, Unit, applicant_root, build_units, parse_records, split_lines
from verifier.report import ABSENT, CHECKS, FAIL, NOT_RUN, PASS, CheckResult, Report
from verifier.results import check_counts, compare_results, expected_results
from verifier.signatures import check_public_key, check_signature, key_fingerprint

DOCUMENTS = {f"{kind}.json": kind for kind in ("manifest", "ceremony", "results", "actions")}
DOCUMENTS["index.json"] = "index"
# What a malformed document (a list for an object, a missing key) raises in a check.
MALFORMED = (KeyError, TypeError, ValueError, IndexError, AttributeError, RecursionError)
# The checks each check needs to have passed to mean anything.
DEPENDS_ON = {2: (1,), 3: (1,), 4: (1,), 5: (4,), 6: (4,), 7: (6,), 8: (5, 7), 9: (5, 7)}
DEPENDS_ON |= {10: (9,), 11: (4,), 12: (10,), 13: (5, 6), 14: (1,)}


@dataclass
class DrawState:
    """The checks, and what they learn in order. Pins and the previous bundle are the reader's."""

    path: str | Path
    expect_manifest: str | None = None
    expect_key: str | None = None
    expect_pin: str | None = None
    previous: str | Path | None = None
    files: dict[str, bytes] = field(default_factory=dict)  # the bundle, by file name
    documents: dict[str, Any] = field(default_factory=dict)
    lines: list[bytes] = field(default_factory=list)  # applicants.jsonl, one record a line
    audit: list[Any] = field(default_factory=list)
    heads: list[tuple[bytes, Any]] = field(default_factory=list)  # heads.jsonl: (line, head)
    head_signatures: list[Any] = field(default_factory=list)
    index_head: tuple[int, str] = (0, "")
    manifest: Manifest | None = None
    records: list[Record] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    ceremony: Ceremony | None = None
    pin: str = ""
    seed: bytes = b""
    ceremony_digest: bytes = b""
    priorities: Priorities | None = None
    allocation: Allocation | None = None
    expected: dict[str, Any] | None = None
    final: Allocation | None = None  # after the post-draw actions (§14.2)
    leaves: list[Any] = field(default_factory=list)  # the outcome leaves of the last head

    def doc(self, name: str) -> Any:
        return self.documents[name]

    def check_1(self) -> Message:
        """Layout and limits, canonical files, protocol version, README, index (§2.5, §13)."""
        files = self.files = read_bundle(self.path)
        manifest_digest = domain_hash("manifest", files["manifest.json"])
        for name, data in sorted(files.items()):
            try:
                if name.endswith(".json"):
                    self.documents[name] = parse_canonical(data)
                elif name == "audit.jsonl":
                    self.audit = [value for _, value in parse_canonical_lines(data)]
                elif name == "heads.jsonl":
                    self.heads = parse_canonical_lines(data)
                elif name == "heads.sig.jsonl":
                    self.head_signatures = [value for _, value in parse_canonical_lines(data)]
            except VerificationError as error:
                raise CheckFailed("bundle_file", name=name, fault=error.message) from error
        self.lines = split_lines(files["applicants.jsonl"])
        for name, kind in DOCUMENTS.items():
            if name in self.documents:
                document = Fields(self.doc(name), name)
                if name == "results.json" and document.raw("kind") == "rehearsal":
                    raise CheckFailed("rehearsal_as_results")  # (§16)
                document.choice("protocol", [PROTOCOL])
                document.choice("kind", [kind])
        for number, (_, head) in enumerate(self.heads, start=1):  # (17 step 1): every head
            Fields(head, f"heads.jsonl line {number}").choice("protocol", [PROTOCOL])
            Fields(head, f"heads.jsonl line {number}").choice("kind", ["results-head"])
        fingerprint = bytes.fromhex(self.doc("manifest.json")["signing_key"]["fingerprint"])
        self.pin = draw_pin(manifest_digest, fingerprint)  # (12.6)
        readme = files.get("README.txt")
        if readme is not None:  # (13.4): derived from the signed files, byte for byte
            digests = {k: domain_hash(k, files[f"{k}.json"]).hex() for k in ("manifest", "results")}
            seed = str(self.doc("ceremony.json").get("seed"))
            check_readme(
                readme, readme_text(self.doc("manifest.json"), digests, grouped(self.pin), seed)
            )
        self.index_head = check_index(self.doc("index.json"), files)
        return Message("pass_1", files=len(files), protocol=PROTOCOL)

    def check_2(self) -> Message:
        """Signatures by the manifest's key (§12.4, §12.5)."""
        manifest = Fields(self.doc("manifest.json"), "manifest")
        key = manifest.sub("signing_key")
        public_key, fingerprint = key.hex64("public_key"), key.hex64("fingerprint")
        check_public_key(bytes.fromhex(public_key), "manifest.signing_key.public_key")
        if fingerprint != key_fingerprint(bytes.fromhex(public_key)):  # (17 step 2)
            raise fail("manifest.signing_key.fingerprint", "term_fingerprint_of_key", fingerprint)
        files = self.files
        digests = {kind: domain_hash(kind, files[n]) for n, kind in DOCUMENTS.items() if n in files}
        digests["audit"] = entry_hash(self.audit[-1]) if self.audit else bytes(32)  # (12.4)
        for kind, digest in digests.items():
            check_signature(self.doc(f"{kind}.sig.json"), file_name=f"{kind}.sig.json",
                            kind=kind, digest=digest, public_key=public_key)  # fmt: skip
        if len(self.head_signatures) != len(self.heads):  # (13.1): one line per head
            raise CheckFailed(
                "heads_lines", expected=len(self.heads), found=len(self.head_signatures)
            )
        for number, ((line, _), signature) in enumerate(
            zip(self.heads, self.head_signatures, strict=True), 1
        ):
            check_signature(signature, file_name=f"heads.sig.jsonl line {number}",
                            kind="results-head", digest=domain_hash("results-head", line),
                            public_key=public_key)  # fmt: skip
        count = len(digests) + len(self.heads)
        return Message("pass_2", count=count, fingerprint=fingerprint)

    def check_3(self) -> Message | None:
        """Pins of the sealing announcement (§12.6), if given; None says the draw is not pinned."""
        digest = domain_hash("manifest", self.files["manifest.json"]).hex()
        fingerprint = self.doc("manifest.json")["signing_key"]["fingerprint"]
        pins = (("pin_manifest", self.expect_manifest, digest),
                ("pin_key", self.expect_key, fingerprint), ("pin_pin", self.expect_pin, self.pin))  # fmt: skip
        for key, given, found in pins:
            if given is not None and given != found:
                raise CheckFailed(key, expected=given, found=found)
        if self.expect_manifest is None and self.expect_pin is None:
            return None
        return Message("pass_3", pin=grouped(self.pin))

    def check_4(self) -> Message:
        """Manifest validity (§6.3): witness keys, the beacon and Appendix A; its digest (§6.4)."""
        manifest = self.manifest = parse_manifest(self.doc("manifest.json"))
        digest, mode = manifest.digest.hex(), manifest.mode
        if manifest.replaces is not None:  # (7.8): a verifier shows the link
            return Message("pass_4_replaces", mode=mode, digest=digest, void=manifest.replaces)
        return Message("pass_4", mode=mode, schools=len(manifest.schools), digest=digest)

    def check_5(self) -> Message:
        """The records (§4), their count and the sealed root (§5.2)."""
        assert self.manifest is not None
        if len(self.lines) != self.manifest.applicant_count:
            count = self.manifest.applicant_count
            raise CheckFailed("records_count", expected=count, found=len(self.lines))
        root = applicant_root(self.lines).hex()
        if root != self.manifest.applicant_root:
            raise CheckFailed("records_root", expected=self.manifest.applicant_root, found=root)
        self.records = parse_records(self.lines, self.manifest)
        self.units = build_units(self.records)
        return Message("pass_5", records=len(self.lines), units=len(self.units), root=root)

    def check_6(self) -> Message:
        """The ceremony: reveals, checkpoint, beacon statement, co-signatures (§7.3-§7.5, §7.7)."""
        assert self.manifest is not None
        ceremony = self.ceremony = check_ceremony(self.manifest, self.doc("ceremony.json"))
        revealed = sum(1 for reveal in ceremony.reveals if reveal["secret"] is not None)
        return Message("pass_6", revealed=revealed, witnesses=len(self.manifest.witnesses),
                       beacon=ceremony.summary, bls=Message(ceremony.bls))  # fmt: skip

    def check_7(self) -> Message:
        """The seed (§7.6); the results name this ceremony and seed (§12.1)."""
        assert self.manifest is not None and self.ceremony is not None
        seed = derive_seed(manifest_digest=self.manifest.digest, reveals=self.ceremony.reveals,
                           beacon=self.ceremony.beacon)  # fmt: skip
        ceremony = self.doc("ceremony.json")
        if ceremony["seed"] != seed.hex():
            raise CheckFailed("seed_differs", expected=seed.hex(), found=ceremony["seed"])
        self.seed, self.ceremony_digest = seed, domain_hash("ceremony", encode(ceremony))
        results = Fields(self.doc("results.json"), "results.json")
        results.choice("seed", [seed.hex()])
        results.choice("ceremony", [self.ceremony_digest.hex()])
        return Message("pass_7", seed=seed.hex())

    def check_8(self) -> Message:
        """Every lottery number (§8.2), row by row in application order (§12.1)."""
        assert self.manifest is not None
        priorities = self.priorities = Priorities(self.manifest, self.units, self.seed)
        numbers = {}
        for u, unit in enumerate(self.units):
            for member in unit.members:
                numbers[member.application] = hex16(priorities.tickets[u])
        rows = Fields(self.doc("results.json"), "results.json").array("applicants")
        if len(rows) != len(numbers):
            raise CheckFailed("results_rows", expected=len(numbers), found=len(rows))
        for index, (record, row) in enumerate(zip(self.records, rows, strict=True)):
            if not isinstance(row, list) or len(row) != 5:
                raise fail(f"results.json.applicants[{index}]", "term_row", row)
            if row[0] != record.application:
                raise CheckFailed("results_order", expected=record.application, found=row[0])
            wanted = numbers[record.application]
            if row[1] != wanted:
                raise CheckFailed(
                    "number_differs", application=row[0], expected=wanted, found=row[1]
                )
        return Message("pass_8", count=len(rows))

    def check_9(self) -> Message:
        """The allocation re-run from scratch (§9, §10) and the classes (§11)."""
        assert self.manifest is not None and self.priorities is not None
        allocation = self.allocation = allocate(self.manifest, self.priorities)
        digest = self.ceremony_digest
        self.expected = expected_results(self.priorities, allocation, digest)
        self.expected["audit"] = self.doc("results.json").get("audit")  # checked in step 13
        admitted = sum(1 for row in self.expected["applicants"] if row[2] == "admitted")
        mode, applicants = self.manifest.mode, len(self.records)
        return Message("pass_9", mode=mode, admitted=admitted, applicants=applicants)

    def check_10(self) -> Message:
        """The published results equal the re-run (§12)."""
        assert self.expected is not None
        compare_results(self.expected, self.doc("results.json"))
        assert self.priorities is not None and self.allocation is not None
        self.leaves = outcome_leaves(self.priorities, self.allocation)  # (12.7): head 0
        if not self.heads:
            raise CheckFailed("heads_count", expected="1 or more", found=0)
        compare_head(self.heads[0][1], self.head(0, 0, self.doc("results.json")["audit"]), 0)
        schools = len(self.expected["schools"])
        return Message("pass_10", applicants=len(self.records), schools=schools)

    def check_11(self) -> Message:
        """Counts per school, tier and reserved category; no school above its plan (§12.2)."""
        assert self.manifest is not None
        check_counts(self.manifest, self.doc("results.json"))
        return Message("pass_11")

    def head(self, seq: int, actions: int, audit: Any) -> dict[str, Any]:
        """Results head `seq` (§12.7 item 3) as the state of `self.leaves` gives it."""
        assert self.manifest is not None and self.priorities is not None
        previous = None if seq == 0 else domain_hash("results-head", self.heads[seq - 1][0]).hex()
        return {"protocol": PROTOCOL, "kind": "results-head", "manifest": self.manifest.digest.hex(),
                "results": domain_hash("results", self.files["results.json"]).hex(), "seq": seq,
                "previous": previous, "actions": actions, "audit": audit,
                **head_state(self.priorities, self.leaves)}  # fmt: skip

    def check_12(self) -> Message | None:
        """Post-draw actions replayed (§14), every head k >= 1 against its prefix (§12.7)."""
        heads = [
            Fields(head, f"heads.jsonl line {k + 1}") for k, (_, head) in enumerate(self.heads)
        ]
        if "actions.json" not in self.documents:
            if len(heads) != 1:  # without actions.json there is only head 0
                raise CheckFailed("heads_count", expected=1, found=len(heads))
            return None
        assert self.priorities is not None and self.allocation is not None
        total, stops = len(Fields(self.doc("actions.json"), "actions.json").array("actions")), [0]
        for head in heads[1:]:  # each covers more actions than the one before, at most all
            stops.append(head.integer("actions", stops[-1] + 1))
            if stops[-1] > total:
                raise fail(f"{head.path}.actions", "term_at_most", stops[-1], limit=total)
        if stops[-1] != total:  # the last head covers every action
            raise CheckFailed("heads_last", expected=total, found=stops[-1])
        self.final, states = replay_actions(
            self.priorities, self.allocation, self.doc("actions.json"),
            domain_hash("results", self.files["results.json"]), stops,
        )  # fmt: skip
        for seq, head in enumerate(heads[1:], start=1):
            self.leaves = states[stops[seq]]
            compare_head(head.value, self.head(seq, stops[seq], head.raw("audit")), seq)
        return Message("pass_12", count=total, heads=len(heads))

    def check_13(self) -> Message:
        """The audit log (§15): chain, draw, every document's head, the events of §15.3."""
        assert self.manifest is not None and self.ceremony is not None
        manifest, ceremony, files = self.manifest, self.ceremony, self.files
        hashes = check_audit_chain(self.audit, manifest.draw_id)
        if self.index_head != (len(hashes), hashes[-1]):  # (15.3): the index's head is the last
            raise CheckFailed("audit_head", document="index.json", seq=self.index_head[0],
                              expected=f"{len(hashes)} {hashes[-1]}", found=self.index_head[1])  # fmt: skip
        heads = {name: Fields(self.doc(name), name).head("audit") for name in DOCUMENTS
                 if name in self.documents and name != "manifest.json"}  # fmt: skip
        seqs = {name: check_head(hashes, head, name) for name, head in heads.items()}
        seqs["manifest.json"] = check_head(hashes, manifest.audit, "manifest.json")
        results_digest = domain_hash("results", files["results.json"]).hex()
        actions = None if "actions.json" not in files else (
            domain_hash("actions", files["actions.json"]).hex(), self.doc("actions.json"))  # fmt: skip
        check_batches(self.audit, hashes, [head for _, head in self.heads], actions)
        witnesses = {w.id: {"witness": w.id, "commitment": w.commitment, "public_key": w.public_key}
                     for w in manifest.witnesses}  # fmt: skip
        check_events(self.audit, {
            "draw.sealed": {"manifest": manifest.digest.hex()},
            "ceremony.checkpoint": {"checkpoint": ceremony.checkpoint_digest.hex()},
            "ceremony.beacon": {"beacon": ceremony.beacon_digest.hex(), **ceremony.beacon},
            "draw.run": {"seed": self.doc("ceremony.json")["seed"], "results": results_digest},
            "witnesses": witnesses,
            "revealed": {r["witness"]: r["secret"] for r in ceremony.reveals if r["secret"]},
            "sealed_seq": seqs["manifest.json"] + 1, "ceremony_seq": seqs["ceremony.json"],
            "results_seq": seqs["results.json"],
        })  # fmt: skip
        rehearsals = [Fields(e["details"], "rehearsal.run") for e in self.audit
                      if e["action"] == "rehearsal.run"]  # fmt: skip
        for details in rehearsals:  # (16): re-run from its text, the same results digest
            seed = domain_hash("rehearsal-seed", details.string("text").encode())
            priorities = Priorities(manifest, self.units, seed)
            document = expected_results(priorities, allocate(manifest, priorities), bytes(32))
            digest = domain_hash("results", encode(document | {"kind": "rehearsal", "audit": None}))
            if digest.hex() != details.raw("results"):
                raise CheckFailed("rehearsal_differs", text=details.raw("text")[:80],
                                  expected=digest.hex(), found=details.raw("results"))  # fmt: skip
        return Message("pass_13", count=len(self.audit), rehearsals=len(rehearsals))

    def check_14(self) -> Message | None:
        """Given the previous draw's bundle, the second round derives from it (§14.5)."""
        if self.previous is None:
            return None
        from verifier.second_round import check_second_round

        check_second_round(self.previous, self)
        return Message("pass_14")

    def run(self, number: int) -> CheckResult:
        """Check `number`, as a result: a failure's message, expected and found."""
        try:
            message = getattr(self, f"check_{number}")()
        except CheckFailed as error:
            return CheckResult(number, FAIL, error.message, error.expected, error.found)
        except VerificationError as error:
            return CheckResult(number, FAIL, error.message)
        except MALFORMED as error:
            fault = f"{type(error).__name__}: {error}"[:300]
            return CheckResult(number, FAIL, Message("malformed", error=fault))
        if message is None:
            return CheckResult(number, ABSENT, Message("not_pinned" if number == 3 else "absent"))
        return CheckResult(number, PASS, message)


def run_checks(path: str | Path, **pins: Any) -> tuple[Report, DrawState]:
    """`verify_bundle`, also returning what the checks learnt (for the parent check)."""
    state = DrawState(path, **pins)
    results: dict[int, CheckResult] = {}
    gc.disable()  # millions of small objects and no reference cycles: collecting finds nothing
    try:
        for number, _ in CHECKS:
            blocking = [str(d) for d in DEPENDS_ON.get(number, ()) if results[d].status != PASS]
            if blocking:
                message = Message("not_run", checks=", ".join(blocking))
                results[number] = CheckResult(number, NOT_RUN, message)
            else:
                results[number] = state.run(number)
    finally:
        gc.enable()
    checks = tuple(results[number] for number, _ in CHECKS)
    if results[1].status != PASS:  # no readable manifest to name
        return Report(str(path), checks, None, None), state
    digest = domain_hash("manifest", state.files["manifest.json"]).hex()
    fingerprint = state.doc("manifest.json")["signing_key"]["fingerprint"]
    pinned = results[3].status == PASS
    return Report(str(path), checks, digest, fingerprint, grouped(state.pin), pinned), state


def verify_bundle(
    path: str | Path, *, expect_manifest: str | None = None, expect_key: str | None = None,
    expect_pin: str | None = None, previous: str | Path | None = None,
) -> Report:  # fmt: skip
    """Run the checks of §17 on a bundle (folder or zip); never raises for a bad bundle.

    `expect_manifest`, `expect_key` and `expect_pin` are the pins of the sealing announcement
    (§12.6; check 3 fails on others; the draw is authentic only with the manifest digest or the
    pin); `previous` is the first draw's bundle when this one is its second round (check 14)."""
    pins = {"expect_manifest": expect_manifest, "expect_key": expect_key, "expect_pin": expect_pin}
    return run_checks(path, previous=previous, **pins)[0]
