"""Reading a public bundle from a directory or a zip archive, protocol §13.1."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from verifier.errors import BundleError

REQUIRED_FILES = (
    "manifest.json",
    "manifest.sig.json",
    "applicants.jsonl",
    "ceremony.json",
    "ceremony.sig.json",
    "results.json",
    "results.sig.json",
)
OPTIONAL_FILES = ("actions.json", "actions.sig.json", "audit.jsonl", "audit.sig.json", "README.txt")
KNOWN_FILES = frozenset(REQUIRED_FILES + OPTIONAL_FILES)
OPTIONAL_PAIRS = (("actions.json", "actions.sig.json"), ("audit.jsonl", "audit.sig.json"))


@dataclass(frozen=True)
class Bundle:
    """The files of a bundle, by name, as bytes (protocol §13.1)."""

    source: str
    files: dict[str, bytes]

    def get(self, name: str) -> bytes | None:
        """The file's bytes, or None if the bundle does not have it."""
        return self.files.get(name)

    def require(self, name: str) -> bytes:
        """The file's bytes; `BundleError` if it is missing."""
        data = self.files.get(name)
        if data is None:
            raise BundleError(f"the bundle has no {name} (required, §13.1)")
        return data


def read_bundle(path: str | Path) -> Bundle:
    """Read a bundle directory or zip archive and check its list of files (§13.1).

    Raises `BundleError` for a missing path, an unreadable archive, an unknown or missing file,
    or a half-present optional pair (a document without its signature or the reverse).
    """
    location = Path(path)
    if location.is_dir():
        files = {
            entry.name: entry.read_bytes()
            for entry in sorted(location.iterdir())
            if entry.is_file()
        }
        extra = sorted(e.name for e in location.iterdir() if not e.is_file())
        if extra:
            raise BundleError(f"unexpected entries in the bundle directory: {', '.join(extra)}")
    elif location.is_file():
        files = _read_zip(location)
    else:
        raise BundleError(f"no bundle at {location}: neither a directory nor a file")
    _check_file_list(files)
    return Bundle(source=str(location), files=files)


def _read_zip(location: Path) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(location) as archive:
            names = [info.filename for info in archive.infolist() if not info.is_dir()]
            prefix = _common_directory(names)
            return {name[len(prefix) :]: archive.read(name) for name in sorted(names)}
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise BundleError(f"{location} is not a readable zip archive: {error}") from error


def _common_directory(names: list[str]) -> str:
    """'' if the files sit at the root, 'dir/' if all sit directly in one top-level directory."""
    parts = [PurePosixPath(name).parts for name in names]
    if all(len(p) == 1 for p in parts):
        return ""
    tops = {p[0] for p in parts}
    if len(tops) == 1 and all(len(p) == 2 for p in parts):
        return tops.pop() + "/"
    raise BundleError(
        "zip entries must all be at the root or all inside exactly one top-level directory (§13.1)"
    )


def _check_file_list(files: dict[str, bytes]) -> None:
    unknown = sorted(set(files) - KNOWN_FILES)
    if unknown:
        raise BundleError(f"unexpected files in the bundle (§13.1): {', '.join(unknown)}")
    missing = [name for name in REQUIRED_FILES if name not in files]
    if missing:
        raise BundleError(f"required files missing (§13.1): {', '.join(missing)}")
    for document, signature in OPTIONAL_PAIRS:
        if (document in files) != (signature in files):
            raise BundleError(f"{document} and {signature} must be present together (§13.1)")
