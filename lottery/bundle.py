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
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from lottery.actions import actions_from_document
from lottery.applicants import applicant_root, check_records
from lottery.ceremony import Ceremony, ceremony_document
from lottery.draw import DrawResult
from lottery.encoding import canonical_json, parse_canonical
from lottery.errors import BundleError, LotteryError
from lottery.hashing import tagged_hash
from lottery.manifest import Manifest, manifest_document
from lottery.reading import ceremony_from_document, check_protocol, manifest_from_document
from lottery.records import PublicRecord
from lottery.signing import verify_signature

__all__ = ["BUNDLE_FILES", "Bundle", "bundle_files", "read_bundle", "write_bundle"]

REQUIRED_FILES = (
    "manifest.json",
    "manifest.sig.json",
    "applicants.jsonl",
    "ceremony.json",
    "ceremony.sig.json",
    "results.json",
    "results.sig.json",
)
OPTIONAL_FILES = (
    "actions.json",
    "actions.sig.json",
    "audit.jsonl",
    "audit.sig.json",
    "README.txt",
)
BUNDLE_FILES = REQUIRED_FILES + OPTIONAL_FILES
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, eq=False)
class Bundle:
    """A bundle read back and checked: signatures, commitments, ceremony (§17 steps 1-7)."""

    manifest: Manifest
    records: tuple[PublicRecord, ...]
    ceremony: Ceremony
    results: dict[str, Any]
    files: dict[str, bytes]


def _readme(result: DrawResult) -> str:
    manifest = result.sealed.manifest
    return "\n".join(
        [
            f"Public bundle of draw {manifest.rules.draw_id}: {manifest.rules.title}",
            f"Authority: {manifest.rules.authority}",
            "Protocol: sunshine-draw/1 (docs/protocol.md). This file is derived from the signed files (§13.4).",
            "",
            f"Applicants:      {manifest.applicants.count}",
            f"Applicant root:  {manifest.applicants.root}",
            f"Manifest digest: {result.sealed.manifest_digest.hex()}",
            f"Seed:            {result.ceremony.seed.hex()}",
            f"Results digest:  {result.results_digest.hex()}",
            "",
            "Files: manifest.json (the sealed rules and commitments), applicants.jsonl (public",
            "records: masked names and ID numbers, salted digests), ceremony.json (witness",
            "reveals, beacon value, seed), results.json (every applicant's lottery number and",
            "outcome, per-school counts, cutoffs, waitlists, classes), and a *.sig.json",
            "Ed25519 signature for each. Anyone can re-run the draw from these files.",
            "",
        ]
    )


def bundle_files(result: DrawResult) -> dict[str, bytes]:
    """The bytes of every file of the bundle (§13.1), by file name."""
    sealed = result.sealed
    return {
        "manifest.json": canonical_json(manifest_document(sealed.manifest)),
        "manifest.sig.json": canonical_json(sealed.manifest_signature),
        "applicants.jsonl": b"".join(line + b"\n" for line in sealed.encoded_records),
        "ceremony.json": canonical_json(ceremony_document(result.ceremony)),
        "ceremony.sig.json": canonical_json(result.ceremony_signature),
        "results.json": result.results_json,
        "results.sig.json": canonical_json(result.results_signature),
        "README.txt": _readme(result).encode("utf-8"),
    }


def write_bundle(
    directory: str | os.PathLike[str],
    result: DrawResult,
    *,
    zip_path: str | os.PathLike[str] | None = None,
) -> None:
    """Write the bundle to `directory` (which must not exist or be empty) and, if asked, the
    same files as a zip archive with fixed timestamps, so that equal draws give equal bytes."""
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BundleError(f"bundle directory {target} exists and is not empty")
    files = bundle_files(result)
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


def read_bundle(path: str | os.PathLike[str]) -> Bundle:
    """Read a bundle (directory or zip) and check it up to the seed (§17 steps 1-7).

    Checks: canonical files, protocol and kinds, the three signatures against the manifest's
    key (and the post-draw actions' signature and binding to the results, when the bundle has
    them), manifest validity, the records against the rules, count and root, the ceremony.
    It does not re-run the allocation (see `lottery.draw.rerun_results`). Raises a
    `LotteryError` subclass; anything unexpected in the files becomes a `BundleError`.
    """
    files = _load_files(Path(path))
    try:
        documents = {
            kind: parse_canonical(files[f"{kind}.json"], name=f"{kind}.json")
            for kind in ("manifest", "ceremony", "results")
        }
        for kind in ("ceremony", "results"):
            check_protocol(documents[kind], kind)
        manifest = manifest_from_document(documents["manifest"])
        # (2) signatures first: each names the manifest's key and signs its file's digest.
        for kind in ("manifest", "ceremony", "results"):
            signature = parse_canonical(files[f"{kind}.sig.json"], name=f"{kind}.sig.json")
            digest = tagged_hash(kind, files[f"{kind}.json"])
            verify_signature(signature, kind=kind, digest=digest, signing_key=manifest.signing_key)
        if "actions.json" in files:  # signed too, and made for these results (§14.3, §14.4)
            actions_from_document(
                files["actions.json"],
                files.get("actions.sig.json"),
                signing_key=manifest.signing_key,
                results_json=files["results.json"],
            )
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
        # (5)-(7) reveals, beacon and seed.
        ceremony = ceremony_from_document(documents["ceremony"], manifest)
    except LotteryError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BundleError(f"{path}: malformed bundle ({type(exc).__name__}: {exc})") from None
    results = documents["results"]
    return Bundle(
        manifest=manifest, records=records, ceremony=ceremony, results=results, files=files
    )
