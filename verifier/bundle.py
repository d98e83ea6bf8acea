"""Reading a public bundle safely, from a directory or a zip archive: protocol §13.1-§13.3;
its signed index, §13.5.

Nothing is read before it is known to be one of the files of §13.1 and no larger than §13.3
allows: `manifest.json` first (its fixed ceiling), then every other file under the limit that
the manifest's counts give. A zip entry is inflated a block at a time and counted, so an
archive that claims a small size and inflates to more is caught as it inflates.
"""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from verifier.canonical import parse_canonical
from verifier.errors import BundleError, CheckFailed, VerificationError
from verifier.fields import HEX64, Fields, fail
from verifier.hashing import domain_hash

REQUIRED_FILES: tuple[str, ...] = ("manifest.json", "manifest.sig.json", "applicants.jsonl")
REQUIRED_FILES += ("ceremony.json", "ceremony.sig.json", "results.json", "results.sig.json")
REQUIRED_FILES += ("heads.jsonl", "heads.sig.jsonl", "audit.jsonl", "audit.sig.json")
REQUIRED_FILES += ("index.json", "index.sig.json")
OPTIONAL_PAIRS = (("actions.json", "actions.sig.json"),)
KNOWN_FILES = (*REQUIRED_FILES, *(name for pair in OPTIONAL_PAIRS for name in pair), "README.txt")
MANIFEST_CEILING = 16 * 2**20  # §13.3
MAX_APPLICANTS = 2_000_000  # §13.3
RECORD_CEILING = 8192  # §4.7: the longest line of applicants.jsonl, newline included
BLOCK = 2**20
METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # §13.2


def size_limits(manifest: Any, manifest_size: int, actions: int = 0) -> dict[str, int]:
    """The largest size each file may have, from the manifest's counts and the number of
    actions of actions.json (§13.3)."""
    try:
        n = manifest["applicants"]["count"]
        k = len(manifest["schools"])
        witnesses = len(manifest["witnesses"])
        prefs = 0 if manifest["mode"] == "zone_assignment" else manifest["max_preferences"]
        valid = all(type(x) is int for x in (n, prefs)) and 0 <= n <= MAX_APPLICANTS
    except (TypeError, KeyError):
        valid = False
    if not valid or prefs < 0:
        raise BundleError("bundle_cannot_size")
    prefs = min(prefs, k)  # preferences are distinct schools (§4.5)
    return {
        "manifest.json": MANIFEST_CEILING,
        "applicants.jsonl": n * RECORD_CEILING,
        "ceremony.json": 8192 + 768 * witnesses,
        "results.json": 65536 + manifest_size + n * (400 + 70 * (prefs + 1)),
        "actions.json": 4096 + n * (256 + 210 * prefs),
        "audit.jsonl": 16 * 2**20 + 1024 * n,
        "README.txt": 4096 + manifest_size,
        "index.json": 65536,
        "heads.jsonl": (1 + actions) * (2048 + 128 * k),
        "heads.sig.jsonl": 1024 * (1 + actions),
    } | {name: 1024 for name in KNOWN_FILES if name.endswith(".sig.json")}


def read_bundle(path: str | Path) -> dict[str, bytes]:
    """The files of a bundle directory or zip archive by name, read under §13.1-§13.3.

    Raises `BundleError` naming the file and the rule it breaks; never reads a file beyond its
    limit, never follows a symbolic link.
    """
    location = Path(path)
    if location.is_symlink():
        raise BundleError("bundle_symlink", name=str(location))
    if location.is_dir():
        source: _Directory | _Zip = _Directory(location)
    elif location.is_file():
        source = _Zip(location)
    else:
        raise BundleError("bundle_no_path", path=str(location))
    try:
        return _read_files(source)
    finally:
        if isinstance(source, _Zip):
            source.archive.close()


def _read_files(source: _Directory | _Zip) -> dict[str, bytes]:
    """Every file of the bundle, each under its limit (§13.1-§13.3)."""
    names = source.names()
    unknown = sorted(set(names) - set(KNOWN_FILES))
    if unknown:
        raise BundleError("bundle_unknown", names=", ".join(unknown))
    # Version 1 had no index. In canonical JSON (§2.5) these bytes can only be the top-level
    # key and its value: a quote inside a string is written \".
    version_1 = b'"protocol":"sunshine-draw/1"'
    old = "index.json" not in names and "manifest.json" in names
    if old and version_1 in source.read("manifest.json", MANIFEST_CEILING):
        raise BundleError("bundle_version_1")
    missing = [name for name in REQUIRED_FILES if name not in names]
    if missing:
        raise BundleError("bundle_missing", names=", ".join(missing))
    for document, signature in OPTIONAL_PAIRS:
        if (document in names) != (signature in names):
            raise BundleError("bundle_pair", document=document, signature=signature)
    files = {"manifest.json": source.read("manifest.json", MANIFEST_CEILING)}
    try:
        manifest = parse_canonical(files["manifest.json"])
    except VerificationError as error:
        raise BundleError("bundle_file", name="manifest.json", fault=error.message) from error
    limits = size_limits(manifest, len(files["manifest.json"]))
    for name in sorted(names):
        if name not in files and not name.startswith("heads."):
            files[name] = source.read(name, limits[name])
    if "actions.json" in files:  # read before the heads: their limits count its actions
        try:
            actions = len(parse_canonical(files["actions.json"])["actions"])
        except (VerificationError, TypeError, KeyError) as error:
            raise BundleError("bundle_cannot_size") from error
        limits = size_limits(manifest, len(files["manifest.json"]), actions)
    for name in ("heads.jsonl", "heads.sig.jsonl"):
        files[name] = source.read(name, limits[name])
    return files


class _Directory:
    """A bundle directory: regular files only, no links, no folders (§13.2)."""

    def __init__(self, location: Path) -> None:
        self.location = location

    def names(self) -> list[str]:
        names = []
        with os.scandir(self.location) as entries:
            for entry in entries:
                mode = entry.stat(follow_symlinks=False).st_mode
                if stat.S_ISLNK(mode):
                    raise BundleError("bundle_symlink", name=entry.name)
                if not stat.S_ISREG(mode):
                    raise BundleError("bundle_not_file", name=entry.name)
                names.append(entry.name)
        return names

    def read(self, name: str, limit: int) -> bytes:
        try:
            descriptor = os.open(self.location / name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(descriptor, "rb") as file:
                size = os.fstat(file.fileno()).st_size
                if size > limit:
                    raise BundleError("bundle_too_large", name=name, size=size, limit=limit)
                data = file.read(limit + 1)
        except OSError as error:
            raise BundleError("bundle_bad_entry", name=name, reason=error.strerror) from error
        if len(data) > limit:  # it grew while we read it
            raise BundleError("bundle_too_large", name=name, size=len(data), limit=limit)
        return data


class _Zip:
    """A zip archive: its entries at the root or in one top-level folder; no links, no
    duplicates, no absolute or escaping paths, stored or deflated only (§13.2)."""

    def __init__(self, location: Path) -> None:
        try:
            self.archive = zipfile.ZipFile(location)
            infos = self.archive.infolist()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
            raise BundleError("bundle_bad_zip", path=str(location), reason=str(error)) from error
        try:
            self._check_entries(infos)
        except BundleError:
            self.archive.close()
            raise

    def _check_entries(self, infos: list[zipfile.ZipInfo]) -> None:
        self.entries: dict[str, zipfile.ZipInfo] = {}
        seen = set()
        for info in infos:
            name = _entry_name(info)
            parts = PurePosixPath(name.rstrip("/")).parts
            if stat.S_ISLNK(info.external_attr >> 16):
                raise BundleError("bundle_symlink", name=name)
            if name.startswith("/") or "\\" in name or (parts and ":" in parts[0]):
                raise BundleError("bundle_absolute", name=name)
            if any(part in ("..", ".") for part in parts) or not parts:
                raise BundleError("bundle_escapes", name=name)
            if info.flag_bits & 1 or info.compress_type not in METHODS:
                raise BundleError("bundle_zip_method", name=name)
            if name.rstrip("/") in seen:
                raise BundleError("bundle_duplicate", name=name)
            seen.add(name.rstrip("/"))
            self.entries[name] = info
        # (13.1): the files at the root, or all in the one folder that holds manifest.json; a
        # folder entry only for that folder (13.2). Anything else (__MACOSX/...) is refused.
        folder = next((n[: -len("manifest.json")] for n in self.entries
                       if PurePosixPath(n).name == "manifest.json"), "")  # fmt: skip
        if folder.count("/") > 1:
            raise BundleError("bundle_zip_layout")
        self.prefix = folder
        self.entries.pop(folder, None)
        outside = [n for n in self.entries if not n.startswith(folder) or "/" in n[len(folder) :]]
        if outside:
            raise BundleError("bundle_unknown", names=", ".join(sorted(outside)))

    def names(self) -> list[str]:
        return [name[len(self.prefix) :] for name in self.entries]

    def read(self, name: str, limit: int) -> bytes:
        info = self.entries[self.prefix + name]
        if info.file_size > limit:
            raise BundleError("bundle_too_large", name=name, size=info.file_size, limit=limit)
        blocks, total = [], 0
        try:
            with self.archive.open(info) as stream:
                while block := stream.read(BLOCK):
                    total += len(block)
                    if total > info.file_size:
                        raise BundleError("bundle_zip_size", name=name, declared=info.file_size)
                    blocks.append(block)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
            raise BundleError("bundle_bad_entry", name=name, reason=str(error)) from error
        if total != info.file_size:
            raise BundleError("bundle_zip_size", name=name, declared=info.file_size)
        return b"".join(blocks)


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as its bytes say: UTF-8 when the archive marks it so or when the bytes
    are valid UTF-8 (most tools write UTF-8 without the mark), code page 437 otherwise."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return info.filename


MAX_DOCUMENTS = 64  # §13.5


def check_index(document: object, files: dict[str, bytes]) -> tuple[int, str]:
    """§17 step 1: the index names this manifest, lists every other file of the bundle with
    its size and SHA-256 and no other, and its public documents well formed. Returns its
    audit head (checked against the log in step 13)."""
    index = Fields(document, "index.json")
    index.exact_keys(("protocol", "kind", "manifest", "files", "documents", "audit"))
    # protocol and kind: checked with every document in step 1
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
