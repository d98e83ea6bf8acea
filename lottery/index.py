"""The signed bundle index, protocol §13.5: every file's size and SHA-256, and the public
documents published beside the bundle, so that a swapped file or document is seen."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from lottery.encoding import canonical_json
from lottery.errors import BundleError
from lottery.hashing import PROTOCOL, tagged_hash
from lottery.manifest import AuditHead

__all__ = ["INDEX_FILES", "MAX_DOCUMENTS", "check_index", "index_digest", "index_document"]

INDEX_FILES = ("index.json", "index.sig.json")  # the index does not list itself
MAX_DOCUMENTS = 64


def _entry(name: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def index_document(
    manifest_digest: bytes,
    files: Mapping[str, bytes],
    documents: Sequence[tuple[str, str, bytes]],
    audit: AuditHead,
) -> dict[str, Any]:
    """The index of §13.5: `files` are the bundle's files (without the index's own two),
    `documents` the public documents as `(file name, title, bytes)`, `audit` the log's head."""
    names = sorted(name for name in files if name not in INDEX_FILES)
    by_name: dict[str, tuple[str, bytes]] = {}
    for name, title, data in documents:
        if not isinstance(name, str) or not name or name in by_name:
            raise BundleError(f"index documents: name {name!r} is empty or repeated (§13.5)")
        by_name[name] = (title, data)
    if len(by_name) > MAX_DOCUMENTS:
        raise BundleError(f"index documents: {len(by_name)}, at most {MAX_DOCUMENTS} (§13.5)")
    return {
        "protocol": PROTOCOL,
        "kind": "index",
        "manifest": manifest_digest.hex(),
        "files": [_entry(name, files[name]) for name in sorted(names, key=str.encode)],
        "documents": [
            {**_entry(name, by_name[name][1]), "title": by_name[name][0]}
            for name in sorted(by_name, key=str.encode)
        ],
        "audit": audit.document(),
    }


def index_digest(doc: Mapping[str, Any]) -> bytes:
    """`H("index", JCS(index))`, §13.5."""
    return tagged_hash("index", canonical_json(dict(doc)))


def check_index(doc: Any, files: Mapping[str, bytes], manifest_digest: bytes) -> None:
    """§13.5, §17 step 1: the index lists every file of the bundle but its own two, each with
    its size and SHA-256, and no other; it names this manifest. Raises `BundleError`."""
    if not isinstance(doc, dict) or set(doc) != {
        "protocol", "kind", "manifest", "files", "documents", "audit",
    }:  # fmt: skip
        raise BundleError("index.json: keys are not those of §13.5")
    if (doc["protocol"], doc["kind"]) != (PROTOCOL, "index"):
        raise BundleError(f"index.json: not a {PROTOCOL} index")
    if doc["manifest"] != manifest_digest.hex():
        raise BundleError("index.json: names another manifest than manifest.json (§13.5)")
    listed = doc["files"]
    if not isinstance(listed, list) or not all(
        isinstance(e, dict) and set(e) == {"name", "bytes", "sha256"} for e in listed
    ):
        raise BundleError("index.json: files is not a list of {name, bytes, sha256} (§13.5)")
    names = [e["name"] for e in listed]
    if not all(isinstance(n, str) for n in names) or names != sorted(set(names), key=str.encode):
        raise BundleError("index.json: file names are not strictly increasing (§13.5)")
    present = sorted((n for n in files if n not in INDEX_FILES), key=str.encode)
    for name in present:
        if name not in names:
            raise BundleError(f"{name}: a file of the bundle that index.json does not list (§13.5)")
    for entry in listed:
        name = entry["name"]
        if name not in files:
            raise BundleError(f"{name}: listed in index.json but missing from the bundle (§13.5)")
        if entry != _entry(name, files[name]):
            raise BundleError(
                f"{name}: {len(files[name])} bytes with SHA-256 "
                f"{hashlib.sha256(files[name]).hexdigest()[:16]}..., index.json says "
                f"{entry['bytes']} bytes, {str(entry['sha256'])[:16]}... (§13.5)"
            )
    documents = doc["documents"]
    if not isinstance(documents, list) or len(documents) > MAX_DOCUMENTS:
        raise BundleError("index.json: documents is not a list of at most 64 (§13.5)")
