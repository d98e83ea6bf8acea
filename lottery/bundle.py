"""The public bundle: writing and reading the files of protocol §13.

A bundle holds nothing personal (§13.2): the records carry masked names and ID numbers and a
salted digest, never a name, an ID number or a receipt code. Writing is all or nothing: files
go to a temporary directory beside the target, which is renamed into place at the end.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lottery.actions import actions_from_document
from lottery.applicants import applicant_root, check_records
from lottery.audit_log import AuditLog, audit_entry_hash, check_audit_log, parse_audit_log
from lottery.ceremony import Ceremony, ceremony_document
from lottery.draw import DrawResult
from lottery.encoding import canonical_json, parse_canonical
from lottery.errors import BundleError, InvalidRules, LotteryError
from lottery.hashing import PROTOCOL, tagged_hash
from lottery.index import check_index, index_digest, index_document
from lottery.manifest import AuditHead, Manifest, manifest_document
from lottery.outcomes import head_digest, results_heads
from lottery.pins import format_pin, pin
from lottery.reading import ceremony_from_document, check_protocol, manifest_from_document
from lottery.records import PublicRecord
from lottery.signing import sign_document, signing_key_info, verify_signature

__all__ = [
    "BUNDLE_FILES",
    "Bundle",
    "bundle_files",
    "read_bundle",
    "readme_text",
    "write_bundle",
]

REQUIRED_FILES = (
    "manifest.json",
    "manifest.sig.json",
    "applicants.jsonl",
    "ceremony.json",
    "ceremony.sig.json",
    "results.json",
    "results.sig.json",
    "heads.jsonl",
    "heads.sig.jsonl",
    "audit.jsonl",
    "audit.sig.json",
    "index.json",
    "index.sig.json",
)
OPTIONAL_FILES = ("actions.json", "actions.sig.json", "README.txt")
BUNDLE_FILES = REQUIRED_FILES + OPTIONAL_FILES
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, eq=False)
class Bundle:
    """A bundle read back and checked: index, signatures, commitments, ceremony, audit log
    (§17 steps 1-7 and 13)."""

    manifest: Manifest
    records: tuple[PublicRecord, ...]
    ceremony: Ceremony
    results: dict[str, Any]
    files: dict[str, bytes]
    audit_entries: tuple[dict[str, Any], ...] = ()
    index: dict[str, Any] = field(default_factory=dict)
    heads: tuple[dict[str, Any], ...] = ()  # the results heads, head 0 first (§12.7)


_README_FILES = (
    "Files: manifest.json (the sealed rules and commitments), applicants.jsonl (public",
    "records: masked names and ID numbers, salted digests), ceremony.json (witness",
    "reveals and co-signatures, beacon value, seed), results.json (every applicant's",
    "lottery number and outcome, per-school counts, cutoffs, waitlists, classes),",
    "heads.jsonl (the signed results heads: the outcome root of the draw day and of",
    "each batch of later actions, signed line by line in heads.sig.jsonl),",
    "audit.jsonl (the event log), index.json (every file's size and SHA-256), and a",
    "*.sig.json Ed25519 signature for each. Anyone can re-run the draw from these files.",
)


def readme_text(
    manifest: Manifest, *, manifest_digest: bytes, seed: bytes, results_digest: bytes
) -> bytes:
    """`README.txt` as §13.4 derives it from the signed files."""
    rules, key = manifest.rules, manifest.signing_key
    lines = [
        f"Public bundle of draw {rules.draw_id}: {rules.title}",
        f"Authority: {rules.authority}",
        f"Protocol: {PROTOCOL} (docs/protocol.md). This file is derived from the signed "
        "files (§13.4).",
        "",
        f"Applicants:      {manifest.applicants.count}",
        f"Applicant root:  {manifest.applicants.root}",
        f"Manifest digest: {manifest_digest.hex()}",
        f"Key fingerprint: {key.fingerprint}",
        f"Pin:             {format_pin(pin(manifest_digest, key.fingerprint))}",
        f"Seed:            {seed.hex()}",
        f"Results digest:  {results_digest.hex()}",
        "",
        *_README_FILES,
    ]
    return "".join(line + "\n" for line in lines).encode("utf-8")


def bundle_files(
    result: DrawResult,
    *,
    log: AuditLog | bytes,
    signing_key: Ed25519PrivateKey,
    actions: Mapping[str, Any] | None = None,
    documents: Sequence[tuple[str, str, bytes]] = (),
) -> dict[str, bytes]:
    """The bytes of every file of the bundle (§13.1), by file name.

    `log` is the draw's audit log (or its `audit.jsonl`), whose last entry is the head the
    index holds; `actions` the post-draw actions document (§14.3), signed here; `documents`
    the public documents published beside the bundle as `(file name, title, bytes)`, listed
    in the index (§13.5). The log is checked against the documents first (§15.3): the engine
    never writes a bundle whose log does not bind to its draw.
    """
    sealed = result.sealed
    if signing_key_info(signing_key) != sealed.manifest.signing_key:
        raise InvalidRules("signing key is not the key named in the manifest (§12.4)")
    jsonl = log.jsonl() if isinstance(log, AuditLog) else log
    entries = parse_audit_log(jsonl)
    files = {
        "manifest.json": canonical_json(manifest_document(sealed.manifest)),
        "manifest.sig.json": canonical_json(sealed.manifest_signature),
        "applicants.jsonl": b"".join(line + b"\n" for line in sealed.encoded_records),
        "ceremony.json": canonical_json(ceremony_document(result.ceremony)),
        "ceremony.sig.json": canonical_json(result.ceremony_signature),
        "results.json": result.results_json,
        "results.sig.json": canonical_json(result.results_signature),
        "audit.jsonl": jsonl,
    }
    if actions is not None:
        files["actions.json"] = canonical_json(dict(actions))
        digest = tagged_hash("actions", files["actions.json"])
        files["actions.sig.json"] = canonical_json(sign_document("actions", digest, signing_key))
    check_audit_log(
        entries,
        manifest_digest=sealed.manifest_digest,
        manifest=sealed.manifest,
        ceremony_doc=ceremony_document(result.ceremony),
        results_digest=result.results_digest,
        actions_doc=None if actions is None else dict(actions),
        index_head=None,
        results_head=result.audit,
        records=sealed.records,
    )
    heads = results_heads(result, actions=actions, log=jsonl, signing_key=signing_key)
    files["heads.jsonl"] = b"".join(canonical_json(h.head) + b"\n" for h in heads)
    files["heads.sig.jsonl"] = b"".join(canonical_json(h.signature) + b"\n" for h in heads)
    head = AuditHead(seq=len(entries), hash=audit_entry_hash(entries[-1]).hex())
    files["audit.sig.json"] = canonical_json(
        sign_document("audit", bytes.fromhex(head.hash), signing_key)
    )
    files["README.txt"] = readme_text(
        sealed.manifest,
        manifest_digest=sealed.manifest_digest,
        seed=result.ceremony.seed,
        results_digest=result.results_digest,
    )
    index = index_document(sealed.manifest_digest, files, documents, head)
    files["index.json"] = canonical_json(index)
    files["index.sig.json"] = canonical_json(
        sign_document("index", index_digest(index), signing_key)
    )
    return files


def write_bundle(
    directory: str | os.PathLike[str],
    result: DrawResult,
    *,
    log: AuditLog | bytes,
    signing_key: Ed25519PrivateKey,
    actions: Mapping[str, Any] | None = None,
    documents: Sequence[tuple[str, str, bytes]] = (),
    zip_path: str | os.PathLike[str] | None = None,
) -> None:
    """Write the bundle (`bundle_files`) to `directory` (which must not exist or be empty)
    and, if asked, the same files as a zip archive with fixed timestamps, so that equal draws
    give equal bytes."""
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BundleError(f"bundle directory {target} exists and is not empty")
    files = bundle_files(
        result, log=log, signing_key=signing_key, actions=actions, documents=documents
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        temporary.chmod(0o755)  # a public bundle is readable by all (mkdtemp makes it 0700)
        for name in sorted(files):
            (temporary / name).write_bytes(files[name])
        if target.exists():
            target.rmdir()
        os.replace(temporary, target)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    if zip_path is not None:
        _write_zip(Path(zip_path), files)


def _write_zip(path: Path, files: dict[str, bytes]) -> None:
    partial = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name], compresslevel=9)
    os.replace(partial, path)


def _zip_files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        parts = [PurePosixPath(n).parts for n in names]
        if all(len(p) == 1 for p in parts):
            prefix = ""
        elif all(len(p) == 2 for p in parts) and len({p[0] for p in parts}) == 1:
            prefix = parts[0][0] + "/"
        else:
            raise BundleError(f"{path}: files must sit at the root or in one top-level folder")
        return {n[len(prefix) :]: archive.read(n) for n in names}


def _load_files(path: Path) -> dict[str, bytes]:
    if path.is_dir():
        files = {p.name: p.read_bytes() for p in path.iterdir() if p.is_file()}
    elif zipfile.is_zipfile(path):
        files = _zip_files(path)
    else:
        raise BundleError(f"{path}: not a bundle directory or zip archive")
    unknown = sorted(set(files) - set(BUNDLE_FILES))
    if unknown:
        raise BundleError(f"{path}: unexpected files {unknown} (§13.1)")
    missing = [name for name in REQUIRED_FILES if name not in files]
    if missing:
        raise BundleError(f"{path}: missing required files {missing} (§13.1)")
    return files


def _records(data: bytes) -> tuple[PublicRecord, ...]:
    if data and not data.endswith(b"\n"):
        raise BundleError("applicants.jsonl: the last line does not end with a newline")
    lines = data.split(b"\n")[:-1] if data else []
    return tuple(
        PublicRecord.from_document(parse_canonical(line, name=f"applicants.jsonl line {n}"), line=n)
        for n, line in enumerate(lines, start=1)
    )


_HEAD_KEYS = {
    "protocol",
    "kind",
    "manifest",
    "results",
    "seq",
    "previous",
    "actions",
    "outcomes",
    "counts",
    "schools",
    "audit",
}


def _lines(data: bytes, name: str) -> list[Any]:
    """The canonical JSON lines of a `*.jsonl` file (§13.1, §2.5)."""
    if not data.endswith(b"\n"):
        raise BundleError(f"{name}: empty, or the last line does not end with a newline (§13.1)")
    return [
        parse_canonical(line, name=f"{name} line {n}")
        for n, line in enumerate(data.split(b"\n")[:-1], start=1)
    ]


def _checked_heads(
    files: Mapping[str, bytes],
    *,
    manifest: Manifest,
    manifest_digest: bytes,
    results_digest: bytes,
    results_audit: Any,
    entries: Sequence[Mapping[str, Any]],
    action_count: int,
) -> tuple[dict[str, Any], ...]:
    """The results heads (§12.7 item 3, §13.1): size limits (§13.3), one signature line per
    head (§12.4), the chain from head 0, the digests they name and their audit heads (one
    head per `actions.recorded` entry, §15.3). The outcome roots, counts and schools are
    the re-run's to check (§17 steps 10 and 12)."""
    k = len(manifest.rules.schools)
    for name, limit in (
        ("heads.jsonl", (1 + action_count) * (2048 + 128 * k)),
        ("heads.sig.jsonl", 1024 * (1 + action_count)),
    ):
        if len(files[name]) > limit:
            raise BundleError(f"{name}: {len(files[name])} bytes, above its limit {limit} (§13.3)")
    heads = _lines(files["heads.jsonl"], "heads.jsonl")
    signatures = _lines(files["heads.sig.jsonl"], "heads.sig.jsonl")
    if len(signatures) != len(heads):
        raise BundleError(
            f"heads.sig.jsonl: {len(signatures)} signatures for {len(heads)} heads (§13.1)"
        )
    recorded = [
        (n, e["details"]["count"])
        for n, e in enumerate(entries)
        if e["action"] == "actions.recorded"
    ]
    if len(heads) != 1 + len(recorded):
        raise BundleError(
            f"heads.jsonl: {len(heads)} heads, the audit log has {len(recorded)} "
            f"actions.recorded entries: expected {1 + len(recorded)} heads (§12.7)"
        )
    previous: str | None = None
    for seq, (head, signature) in enumerate(zip(heads, signatures, strict=True)):
        where = f"heads.jsonl line {seq + 1}"
        check_protocol(head, "results-head")
        if set(head) != _HEAD_KEYS:
            raise BundleError(f"{where}: keys {sorted(head)} are not those of §12.7")
        verify_signature(
            signature,
            kind="results-head",
            digest=head_digest(head),
            signing_key=manifest.signing_key,
        )
        if seq == 0:
            actions, audit = 0, results_audit
        else:
            at, actions = recorded[seq - 1]
            audit = {"seq": at, "hash": audit_entry_hash(entries[at - 1]).hex()}
        expected = {
            "manifest": manifest_digest.hex(),
            "results": results_digest.hex(),
            "seq": seq,
            "previous": previous,
            "actions": actions,
            "audit": audit,
        }
        for key, value in expected.items():
            if head[key] != value:
                raise BundleError(f"{where}: {key} is {head[key]!r}, expected {value!r} (§12.7)")
        previous = head_digest(head).hex()
    if heads[-1]["actions"] != action_count:
        raise BundleError(
            f"heads.jsonl: the last head covers {heads[-1]['actions']} actions, actions.json "
            f"holds {action_count} (§12.7, §17 step 12)"
        )
    return tuple(heads)


def read_bundle(path: str | os.PathLike[str]) -> Bundle:
    """Read a bundle (directory or zip) and check it up to the seed, and its audit log
    (§17 steps 1, 2, 4-7, 13).

    Checks: canonical files, protocol and kinds, the index (every file listed with its size
    and SHA-256, none unlisted), every signature against the manifest's key (the post-draw
    actions' too, and their binding to the results), manifest validity, the records against
    the rules, count and root, the ceremony in full (§7.3-§7.7), README.txt as derived, and
    the audit log against the documents (§15.3). It does not re-run the allocation (see
    `lottery.draw.rerun_results`). Raises a `LotteryError` subclass; anything unexpected in
    the files becomes a `BundleError`.
    """
    files = _load_files(Path(path))
    try:
        documents = {
            kind: parse_canonical(files[f"{kind}.json"], name=f"{kind}.json")
            for kind in ("manifest", "ceremony", "results", "index")
        }
        for kind in ("ceremony", "results", "index"):
            check_protocol(documents[kind], kind)
        manifest = manifest_from_document(documents["manifest"])
        digest = tagged_hash("manifest", files["manifest.json"])
        # (1) the index lists every file, with its size and SHA-256.
        check_index(documents["index"], files, digest)
        entries = parse_audit_log(files["audit.jsonl"])
        if not entries:
            raise BundleError("audit.jsonl: the log is empty (§15)")
        # (2) signatures: each names the manifest's key and signs its file's digest.
        signed = {
            kind: tagged_hash(kind, files[f"{kind}.json"])
            for kind in ("manifest", "ceremony", "results", "index")
        }
        signed["audit"] = audit_entry_hash(entries[-1])
        for kind, kind_digest in signed.items():
            signature = parse_canonical(files[f"{kind}.sig.json"], name=f"{kind}.sig.json")
            verify_signature(
                signature, kind=kind, digest=kind_digest, signing_key=manifest.signing_key
            )
        actions = None
        if "actions.json" in files:  # signed too, and made for these results (§14.3, §14.4)
            actions_from_document(
                files["actions.json"],
                files.get("actions.sig.json"),
                signing_key=manifest.signing_key,
                results_json=files["results.json"],
            )
            actions = parse_canonical(files["actions.json"], name="actions.json")
        elif "actions.sig.json" in files:
            raise BundleError("actions.sig.json without actions.json (§13.2)")
        # (4) the records, their count and root.
        records = _records(files["applicants.jsonl"])
        check_records(manifest.rules, records)
        if len(records) != manifest.applicants.count:
            raise BundleError(
                f"applicants.jsonl: {len(records)} records, "
                f"manifest says {manifest.applicants.count}"
            )
        root = applicant_root(files["applicants.jsonl"].split(b"\n")[:-1])
        if root != manifest.applicants.root:
            raise BundleError(
                f"applicants.jsonl: root {root} is not the manifest's {manifest.applicants.root}"
            )
        # (6)-(7) reveals, checkpoint, beacon and seed.
        ceremony = ceremony_from_document(documents["ceremony"], manifest)
        results = documents["results"]
        if "README.txt" in files and files["README.txt"] != readme_text(
            manifest,
            manifest_digest=digest,
            seed=ceremony.seed,
            results_digest=signed["results"],
        ):
            raise BundleError("README.txt: not the text §13.4 derives from the signed files")
        # (13) the audit log against every document.
        if results["audit"] is None:
            raise BundleError("results.json: audit is null; official results hold a head (§12.1)")
        check_audit_log(
            entries,
            manifest_digest=digest,
            manifest=manifest,
            ceremony_doc=documents["ceremony"],
            results_digest=signed["results"],
            actions_doc=actions,
            index_head=documents["index"]["audit"],
            results_head=results["audit"],
            records=records,
        )
        heads = _checked_heads(
            files,
            manifest=manifest,
            manifest_digest=digest,
            results_digest=signed["results"],
            results_audit=results["audit"],
            entries=entries,
            action_count=0 if actions is None else len(actions["actions"]),
        )
    except LotteryError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BundleError(f"{path}: malformed bundle ({type(exc).__name__}: {exc})") from None
    return Bundle(
        manifest=manifest,
        records=records,
        ceremony=ceremony,
        results=results,
        files=files,
        audit_entries=tuple(entries),
        index=documents["index"],
        heads=heads,
    )
