"""Work on the bundle's bytes alone, done in a second process while the checks go on.

Two pieces of check 1 and check 4 need nothing but the files as read: whether each big JSON
file is canonical (§2.5: parsed, re-encoded and compared) and the applicant root (§5.2) over
the lines of `applicants.jsonl`. On a machine with `os.fork` they are computed by a copy of
this process while this one reads the records; the copy sends back only an error message or
None per file, and 32 bytes of root. Without `fork` (or if the copy fails for any reason) the
same functions run here, in order. The verdicts are the same either way; only the time differs.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Mapping
from dataclasses import dataclass

from verifier.canonical import parse_canonical
from verifier.errors import VerificationError
from verifier.merkle import leaf_hashes, tree_root

__all__ = ["BIG_FILE", "FORK_FROM", "BackgroundWork", "Findings", "start_background"]

BIG_FILE = 1 << 20  # JSON files from this size on are checked for canonical form in the background
FORK_FROM = 1 << 20  # bytes of work; below this a second process costs more than it saves


@dataclass(frozen=True)
class Findings:
    """What the background work found."""

    not_canonical: dict[str, str | None]  # file name -> the fault, or None when canonical
    applicant_root: bytes | None  # None when applicants.jsonl does not end with a newline


def _find(big_files: Mapping[str, bytes], applicants: bytes, entry_prefix: bytes) -> Findings:
    faults: dict[str, str | None] = {}
    for name in sorted(big_files):
        try:
            parse_canonical(big_files[name])
            faults[name] = None
        except VerificationError as error:
            faults[name] = str(error)
    root = None
    if applicants.endswith(b"\n") or not applicants:
        lines = applicants.split(b"\n")
        lines.pop()  # after the last newline: nothing (no copy of the file without it)
        root = tree_root(leaf_hashes(entry_prefix, lines))
    return Findings(faults, root)


class BackgroundWork:
    """`Findings` computed in a forked copy of this process, or here if that is not possible."""

    def __init__(self, big_files: Mapping[str, bytes], applicants: bytes, entry_prefix: bytes):
        self._inputs = (dict(big_files), applicants, entry_prefix)
        self._findings: Findings | None = None
        self._child: tuple[int, int] | None = None
        size = len(applicants) + sum(map(len, big_files.values()))
        if hasattr(os, "fork") and size >= FORK_FROM:
            self._child = _fork(*self._inputs)

    def findings(self) -> Findings:
        """Wait for the copy (if any) and return what it found."""
        if self._findings is None:
            if self._child is not None:
                self._findings = _collect(*self._child)
                self._child = None
            if self._findings is None:  # no copy, or it failed: do the work here
                self._findings = _find(*self._inputs)
        return self._findings


def _fork(
    big_files: dict[str, bytes], applicants: bytes, entry_prefix: bytes
) -> tuple[int, int] | None:
    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the copy: compute, send, leave without running anything of the parent's
        status = 1
        try:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as out:
                out.write(pickle.dumps(_find(big_files, applicants, entry_prefix)))
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, read_end: int) -> Findings | None:
    with os.fdopen(read_end, "rb") as source:
        payload = source.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not payload:
        return None
    findings = pickle.loads(payload)
    return findings if isinstance(findings, Findings) else None


def start_background(
    big_files: Mapping[str, bytes], applicants: bytes, entry_prefix: bytes
) -> BackgroundWork:
    """Start the background work on these files."""
    return BackgroundWork(big_files, applicants, entry_prefix)
