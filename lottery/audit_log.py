"""The audit log bound to its draw, protocol §15.

Each entry names the draw and the hash of the one before it; the manifest and every signed
document hold the head at the moment they were signed, so a log cut short, or the log of
another draw, does not match them (§15.2). `AuditLog` builds a log (the service keeps its
entries as rows; the vectors and the demo build them here); `check_audit_log` is §15.2-§15.3
against the signed documents. Pure: times come in as arguments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lottery.encoding import canonical_json, parse_canonical
from lottery.errors import BundleError
from lottery.hashing import PROTOCOL, tagged_hash
from lottery.identifiers import check_time
from lottery.manifest import AuditHead, Manifest
from lottery.records import PublicRecord

__all__ = [
    "ZERO_HASH",
    "AuditLog",
    "audit_entry",
    "audit_entry_hash",
    "check_audit_log",
    "parse_audit_log",
]

ZERO_HASH = "0" * 64
_ENTRY_KEYS = {"seq", "prev", "at", "actor", "action", "draw", "details"}
# §15.3: the events cross-checked against the documents, with exactly these details.
CHECKED_DETAILS: dict[str, set[str]] = {
    "witness.committed": {"witness", "commitment", "public_key"},
    "draw.sealed": {"manifest"},
    "witness.revealed": {"witness", "secret"},
    "ceremony.checkpoint": {"checkpoint"},
    "ceremony.beacon": {"beacon", "used", "value"},
    "draw.run": {"seed", "results"},
    "actions.recorded": {"actions", "count"},
    "rehearsal.run": {"text", "results"},
}


def audit_entry(
    *, seq: int, prev: str, at: str, actor: str, action: str, draw: str, details: Mapping[str, Any]
) -> dict[str, Any]:
    """An audit entry of §15.1."""
    return {
        "seq": seq,
        "prev": prev,
        "at": at,
        "actor": actor,
        "action": action,
        "draw": draw,
        "details": dict(details),
    }


def audit_entry_hash(entry: Mapping[str, Any]) -> bytes:
    """`H("audit", JCS(entry))`, §15.1."""
    return tagged_hash("audit", canonical_json(dict(entry)))


class AuditLog:
    """An audit log under construction, for one draw (§15.1)."""

    def __init__(self, draw: str, entries: Sequence[Mapping[str, Any]] = ()) -> None:
        self.draw = draw
        self._entries: list[dict[str, Any]] = []
        self._hashes: list[str] = []
        for entry in entries:
            self._entries.append(dict(entry))
            self._hashes.append(audit_entry_hash(entry).hex())

    def append(self, *, at: str, actor: str, action: str, details: Mapping[str, Any]) -> AuditHead:
        """Add an entry chained to the last one; return the new head."""
        check_time(at, f"audit entry {action}: at", ValueError)
        entry = audit_entry(
            seq=len(self._entries) + 1,
            prev=self._hashes[-1] if self._hashes else ZERO_HASH,
            at=at,
            actor=actor,
            action=action,
            draw=self.draw,
            details=details,
        )
        self._entries.append(entry)
        self._hashes.append(audit_entry_hash(entry).hex())
        return self.head_now()

    def head_now(self) -> AuditHead:
        """The head (its last entry); the log must not be empty."""
        if not self._entries:
            raise ValueError("the audit log is empty: it has no head")
        return AuditHead(seq=len(self._entries), hash=self._hashes[-1])

    @property
    def head(self) -> AuditHead | None:
        """The head, or None for an empty log (the manifest's `audit`, §6.1)."""
        return self.head_now() if self._entries else None

    @property
    def entries(self) -> tuple[dict[str, Any], ...]:
        return tuple(dict(e) for e in self._entries)

    def jsonl(self) -> bytes:
        """`audit.jsonl`: `JCS(entry)` + newline per entry (§15.1)."""
        return b"".join(canonical_json(entry) + b"\n" for entry in self._entries)


def parse_audit_log(data: bytes) -> list[dict[str, Any]]:
    """The entries of an `audit.jsonl`, each line canonical (§2.5, §15.1)."""
    if data and not data.endswith(b"\n"):
        raise BundleError("audit.jsonl: the last line does not end with a newline (§15.1)")
    lines = data.split(b"\n")[:-1] if data else []
    entries = [
        parse_canonical(line, name=f"audit.jsonl line {n}") for n, line in enumerate(lines, start=1)
    ]
    return [e if isinstance(e, dict) else {"line": n} for n, e in enumerate(entries, start=1)]


def _fail(seq: object, message: str) -> BundleError:
    return BundleError(f"audit.jsonl entry {seq}: {message}")


def _check_chain(entries: Sequence[Mapping[str, Any]], draw: str) -> list[str]:
    """§15.1-§15.2: seq from 1, each `prev` the previous hash, every entry of this draw."""
    hashes: list[str] = []
    for n, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping) or set(entry) != _ENTRY_KEYS:
            found = sorted(entry) if isinstance(entry, Mapping) else entry
            raise _fail(n, f"keys {found} are not those of §15.1 {sorted(_ENTRY_KEYS)}")
        if type(entry["seq"]) is not int or entry["seq"] != n:
            raise _fail(n, f"seq {entry['seq']!r}, expected {n} (§15.1)")
        prev = hashes[-1] if hashes else ZERO_HASH
        if entry["prev"] != prev:
            raise _fail(
                n,
                f"prev {str(entry['prev'])[:16]}... is not the hash of entry {n - 1} "
                f"({prev[:16]}...): the chain is broken (§15.1)",
            )
        check_time(entry["at"], f"audit.jsonl entry {n}: at", BundleError)
        for field in ("actor", "action"):
            if not isinstance(entry[field], str):
                raise _fail(n, f"{field} {entry[field]!r} is not a string")
        if entry["draw"] != draw:
            raise _fail(n, f"names draw {entry['draw']!r}, not this draw {draw!r} (§15.2)")
        if not isinstance(entry["details"], Mapping):
            raise _fail(n, f"details {entry['details']!r} is not an object")
        wanted = CHECKED_DETAILS.get(entry["action"])
        if wanted is not None and set(entry["details"]) != wanted:
            raise _fail(
                n,
                f"{entry['action']} details {sorted(entry['details'])} are not "
                f"{sorted(wanted)} (§15.3)",
            )
        hashes.append(audit_entry_hash(entry).hex())
    return hashes


def _check_head(head: Any, hashes: list[str], where: str) -> int:
    """§15.3: a head in a signed document is an entry of the log; returns its seq."""
    if not isinstance(head, Mapping) or set(head) != {"seq", "hash"}:
        raise BundleError(f"{where}: audit head {head!r} is not {{seq, hash}} (§15.2)")
    seq = head["seq"]
    if type(seq) is not int or not 1 <= seq <= len(hashes):
        raise BundleError(
            f"{where}: audit head seq {seq!r} is not an entry of the log of {len(hashes)} "
            "entries: the log was cut or is another's (§15.3)"
        )
    if head["hash"] != hashes[seq - 1]:
        raise BundleError(
            f"{where}: audit head hash {str(head['hash'])[:16]}... is not the hash of entry "
            f"{seq} ({hashes[seq - 1][:16]}...) (§15.3)"
        )
    return seq


def _one(entries: Sequence[Mapping[str, Any]], action: str) -> tuple[int, Mapping[str, Any]]:
    found = [e for e in entries if e["action"] == action]
    if len(found) != 1:
        raise BundleError(
            f"audit.jsonl: {len(found)} {action} entries, exactly one expected (§15.3)"
        )
    return found[0]["seq"], found[0]["details"]


def _ceremony_digests(ceremony_doc: Mapping[str, Any]) -> tuple[str, str]:
    """The checkpoint and beacon statement digests a ceremony document re-forms (§7.7)."""
    checkpoint = {
        "protocol": PROTOCOL,
        "kind": "checkpoint",
        "manifest": ceremony_doc["manifest"],
        "closed_at": ceremony_doc["checkpoint"]["closed_at"],
        "reveals": [
            {"secret": r["secret"], "witness": r["witness"]} for r in ceremony_doc["reveals"]
        ],
    }
    cp_digest = tagged_hash("checkpoint", canonical_json(checkpoint)).hex()
    beacon = ceremony_doc["beacon"]
    statement = {
        "protocol": PROTOCOL,
        "kind": "beacon",
        "manifest": ceremony_doc["manifest"],
        "checkpoint": cp_digest,
        "used": beacon["used"],
        "value": beacon["value"],
        "proof": beacon["proof"],
    }
    return cp_digest, tagged_hash("beacon", canonical_json(statement)).hex()


def _check_witness_events(
    entries: Sequence[Mapping[str, Any]],
    manifest: Manifest,
    ceremony_doc: Mapping[str, Any],
    sealed: int,
    checkpoint: int,
) -> None:
    """§15.3: `witness.committed` before sealing, naming the manifest's values last;
    one `witness.revealed` per revealed witness between sealing and the checkpoint."""
    witnesses = {w.id: w for w in manifest.witnesses}
    last: dict[str, Mapping[str, Any]] = {}
    for entry in entries:
        if entry["action"] != "witness.committed":
            continue
        if entry["seq"] > sealed:
            raise _fail(entry["seq"], "witness.committed after draw.sealed (§15.3)")
        last[entry["details"]["witness"]] = entry["details"]
    for witness_id, details in sorted(last.items()):
        witness = witnesses.get(witness_id)
        if witness is None or (details["commitment"], details["public_key"]) != (
            witness.commitment,
            witness.public_key,
        ):
            raise BundleError(
                f"audit.jsonl: the last witness.committed of {witness_id!r} does not name the "
                "manifest's commitment and public key (§15.3)"
            )
    secrets = {r["witness"]: r["secret"] for r in ceremony_doc["reveals"]}
    revealed: dict[str, str] = {}
    for entry in entries:
        if entry["action"] != "witness.revealed":
            continue
        witness_id, seq = entry["details"]["witness"], entry["seq"]
        if not sealed < seq < checkpoint:
            raise _fail(
                seq, "witness.revealed is not between draw.sealed and ceremony.checkpoint (§15.3)"
            )
        if secrets.get(witness_id) is None:
            raise _fail(
                seq,
                f"witness.revealed for {witness_id!r}, who has no reveal in the "
                "ceremony: a reveal was dropped (§15.3, §19)",
            )
        if witness_id in revealed:
            raise _fail(seq, f"a second witness.revealed for {witness_id!r} (§15.3)")
        if entry["details"]["secret"] != secrets[witness_id]:
            raise _fail(
                seq,
                f"witness.revealed for {witness_id} names another secret than the "
                "ceremony's (§15.3)",
            )
        revealed[witness_id] = entry["details"]["secret"]
    for witness_id, secret in secrets.items():
        if secret is not None and witness_id not in revealed:
            raise BundleError(
                f"audit.jsonl: no witness.revealed entry for {witness_id}, whose "
                "reveal the ceremony holds (§15.3)"
            )


def check_audit_log(
    entries: Sequence[Mapping[str, Any]],
    *,
    manifest_digest: bytes,
    manifest: Manifest,
    ceremony_doc: Mapping[str, Any],
    results_digest: bytes,
    actions_doc: Mapping[str, Any] | None,
    index_head: Mapping[str, Any] | AuditHead | None,
    results_head: Mapping[str, Any] | AuditHead | None = None,
    records: Sequence[PublicRecord] | None = None,
) -> None:
    """§15.2-§15.3 against the signed documents; raise `BundleError` naming the entry.

    `records` are the sealed records: given them, every `rehearsal.run` entry is re-run from its
    text (§16) and must name the digest of that rehearsal's results; without them only the
    entries' place and form are checked.

    `ceremony_doc` and `actions_doc` are the documents as published; `results_digest` is
    the results' digest and `results_head` their `audit` head, if known (it must be an entry
    before `draw.run`). `index_head` is the index's head, which must be the log's last entry;
    None when the log is checked before an index exists (the service at `run`).
    """
    try:
        _check_audit_log(
            entries,
            manifest_digest=manifest_digest,
            manifest=manifest,
            ceremony_doc=ceremony_doc,
            results_digest=results_digest,
            actions_doc=actions_doc,
            index_head=index_head,
            results_head=results_head,
            records=records,
        )
    except (KeyError, TypeError, IndexError, AttributeError) as exc:
        raise BundleError(
            f"audit.jsonl or a document it is checked against is malformed "
            f"({type(exc).__name__}: {exc})"
        ) from None


def _check_audit_log(
    entries: Sequence[Mapping[str, Any]],
    *,
    manifest_digest: bytes,
    manifest: Manifest,
    ceremony_doc: Mapping[str, Any],
    results_digest: bytes,
    actions_doc: Mapping[str, Any] | None,
    index_head: Mapping[str, Any] | AuditHead | None,
    results_head: Mapping[str, Any] | AuditHead | None,
    records: Sequence[PublicRecord] | None,
) -> None:
    hashes = _check_chain(entries, manifest.rules.draw_id)
    if not hashes:
        raise BundleError("audit.jsonl: the log is empty (§15)")
    sealed, details = _one(entries, "draw.sealed")
    head = manifest.audit
    expected_seq = 1 if head is None else head.seq + 1
    expected_prev = ZERO_HASH if head is None else head.hash
    entry = entries[sealed - 1]
    if sealed != expected_seq or entry["prev"] != expected_prev:
        raise _fail(
            sealed,
            f"draw.sealed is entry {sealed} after {entry['prev'][:16]}..., the "
            f"manifest's audit head says entry {expected_seq} after "
            f"{expected_prev[:16]}... (§15.3)",
        )
    if details["manifest"] != manifest_digest.hex():
        raise _fail(
            sealed,
            f"draw.sealed names manifest {str(details['manifest'])[:16]}..., "
            f"not {manifest_digest.hex()[:16]}... (§15.3)",
        )
    cp_digest, beacon_digest = _ceremony_digests(ceremony_doc)
    checkpoint, details = _one(entries, "ceremony.checkpoint")
    if details["checkpoint"] != cp_digest:
        raise _fail(
            checkpoint, "ceremony.checkpoint names another checkpoint than the ceremony's (§15.3)"
        )
    _check_witness_events(entries, manifest, ceremony_doc, sealed, checkpoint)
    beacon, details = _one(entries, "ceremony.beacon")
    statement = ceremony_doc["beacon"]
    if beacon < checkpoint or (details["beacon"], details["used"], details["value"]) != (
        beacon_digest,
        statement["used"],
        statement["value"],
    ):
        raise _fail(
            beacon,
            "ceremony.beacon is before the checkpoint or names another beacon "
            "statement than the ceremony's (§15.3)",
        )
    run, details = _one(entries, "draw.run")
    if (
        run < beacon
        or details["seed"] != ceremony_doc["seed"]
        or (details["results"] != results_digest.hex())
    ):
        raise _fail(
            run,
            "draw.run is before the beacon or names another seed or results than "
            "the signed ones (§15.3)",
        )
    if _check_head(ceremony_doc["audit"], hashes, "ceremony.json") >= run:
        raise BundleError("ceremony.json: its audit head is not before draw.run (§15.3)")
    if results_head is not None:
        head_doc = results_head.document() if isinstance(results_head, AuditHead) else results_head
        if _check_head(head_doc, hashes, "results.json") >= run:
            raise BundleError("results.json: its audit head is not before draw.run (§15.3)")
    _check_rehearsals(entries, manifest, records, sealed, run)
    _check_actions(entries, hashes, actions_doc)
    if index_head is not None:
        head_doc = index_head.document() if isinstance(index_head, AuditHead) else index_head
        if _check_head(head_doc, hashes, "index.json") != len(hashes):
            raise BundleError(
                f"index.json: its audit head is entry {head_doc['seq']}, not the "
                f"log's last entry {len(hashes)} (§13.5, §15.3)"
            )


def _check_rehearsals(
    entries: Sequence[Mapping[str, Any]],
    manifest: Manifest,
    records: Sequence[PublicRecord] | None,
    sealed: int,
    run: int,
) -> None:
    """§15.3, §16: `rehearsal.run` entries between `draw.sealed` and `draw.run`, each naming a
    text and the results digest a re-run of that rehearsal gives."""
    from lottery.draw import rehearsal_digest  # the draw module is heavier; only here

    for entry in entries:
        if entry["action"] != "rehearsal.run":
            continue
        seq, details = entry["seq"], entry["details"]
        if not sealed < seq < run:
            raise _fail(seq, "rehearsal.run is not between draw.sealed and draw.run (§15.3)")
        if not isinstance(details["text"], str) or not isinstance(details["results"], str):
            raise _fail(seq, "rehearsal.run: text and results must be strings (§15.3)")
        if records is None:
            continue
        digest = rehearsal_digest(manifest, records, details["text"]).hex()
        if details["results"] != digest:
            raise _fail(
                seq,
                f"rehearsal.run names results {details['results'][:16]}..., a re-run of the "
                f"rehearsal {details['text']!r} gives {digest[:16]}... (§16)",
            )


def _check_actions(
    entries: Sequence[Mapping[str, Any]], hashes: list[str], actions_doc: Mapping[str, Any] | None
) -> None:
    recorded = [e for e in entries if e["action"] == "actions.recorded"]
    counts = [e["details"]["count"] for e in recorded]
    for entry, count, before in zip(recorded, counts, [0, *counts], strict=False):
        if type(count) is not int or count <= before:
            raise _fail(
                entry["seq"],
                f"actions.recorded count {count!r} does not increase on the batch before "
                f"({before}): one entry per batch, counts strictly increasing (§15.3)",
            )
    if actions_doc is None:
        if recorded:
            raise _fail(
                recorded[0]["seq"], "actions.recorded, but the bundle has no actions.json (§15.3)"
            )
        return
    _check_head(actions_doc["audit"], hashes, "actions.json")
    if not recorded:
        raise BundleError("audit.jsonl: no actions.recorded entry for actions.json (§15.3)")
    last = recorded[-1]
    digest = tagged_hash("actions", canonical_json(dict(actions_doc))).hex()
    if (last["details"]["actions"], last["details"]["count"]) != (
        digest,
        len(actions_doc["actions"]),
    ):
        raise _fail(
            last["seq"],
            "the last actions.recorded names another actions document "
            "or count than actions.json (§15.3)",
        )
