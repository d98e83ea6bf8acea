"""The signed bundle index, protocol §13.5: every file listed with its size and SHA-256."""

from __future__ import annotations

import hashlib

from verifier.errors import CheckFailed
from verifier.fields import HEX64, Fields, fail
from verifier.hashing import PROTOCOL, domain_hash

MAX_DOCUMENTS = 64  # §13.5


def check_index(document: object, files: dict[str, bytes]) -> tuple[int, str]:
    """§17 step 1: the index names this manifest, lists every other file of the bundle with
    its size and SHA-256 and no other, and its public documents well formed. Returns its
    audit head (checked against the log in step 13)."""
    index = Fields(document, "index.json")
    index.exact_keys(("protocol", "kind", "manifest", "files", "documents", "audit"))
    index.choice("protocol", [PROTOCOL])
    index.choice("kind", ["index"])
    index.choice("manifest", [domain_hash("manifest", files["manifest.json"]).hex()])
    bundled = sorted(name for name in files if name not in ("index.json", "index.sig.json"))
    listed = _entries(index, "files", ("name", "bytes", "sha256"))
    names = [entry.raw("name") for entry in listed]
    if names != bundled:  # (13.5): no file unlisted, no listed file missing
        raise CheckFailed("index_files", expected=bundled, found=names)
    for entry in listed:
        data = files[entry.raw("name")]
        if (
            entry.raw("bytes") != len(data)
            or entry.raw("sha256") != hashlib.sha256(data).hexdigest()
        ):
            found = f"{entry.raw('bytes')} bytes, {entry.raw('sha256')}"
            expected = f"{len(data)} bytes, {hashlib.sha256(data).hexdigest()}"
            raise CheckFailed("index_file_differs", name=entry.raw("name"), expected=expected,
                              found=found)  # fmt: skip
    documents = _entries(index, "documents", ("name", "title", "bytes", "sha256"))
    if len(documents) > MAX_DOCUMENTS:
        raise fail("index.json.documents", "term_at_most", len(documents), limit=MAX_DOCUMENTS)
    return index.head("audit")


def _entries(index: Fields, key: str, keys: tuple[str, ...]) -> list[Fields]:
    """The entries of `files` or `documents`: their keys, strictly increasing by name."""
    entries = [Fields(item, f"index.json.{key}[{i}]") for i, item in enumerate(index.array(key))]
    for position, entry in enumerate(entries):
        entry.exact_keys(keys)
        entry.string("name"), entry.integer("bytes"), entry.matching("sha256", HEX64, "term_hex64")
        if "title" in keys:
            entry.string("title")
        if position and entries[position - 1].raw("name").encode() >= entry.raw("name").encode():
            raise fail(f"{entry.path}.name", "term_increasing", entry.raw("name"))
    return entries
