"""`README.txt`, derived from the signed files by the rule of protocol §13.4."""

from __future__ import annotations

from itertools import zip_longest
from typing import Any

from verifier.errors import CheckFailed

README_FILES_TEXT = (
    "Files: manifest.json (the sealed rules and commitments), applicants.jsonl (public",
    "records: masked names and ID numbers, salted digests), ceremony.json (witness",
    "reveals and co-signatures, beacon value, seed), results.json (every applicant's",
    "lottery number and outcome, per-school counts, cutoffs, waitlists, classes),",
    "heads.jsonl (the signed results heads: the outcome root of the draw day and of",
    "each batch of later actions, signed line by line in heads.sig.jsonl),",
    "audit.jsonl (the event log), index.json (every file's size and SHA-256), and a",
    "*.sig.json Ed25519 signature for each. Anyone can re-run the draw from these files.",
)


def readme_text(manifest: Any, digests: dict[str, str], pin: str, seed: str) -> bytes:
    """The only bytes `README.txt` may hold (§13.4): each line followed by 0x0A, UTF-8."""
    draw = manifest["draw"]
    lines = [
        f"Public bundle of draw {draw['id']}: {draw['title']}",
        f"Authority: {draw['authority']}",
        "Protocol: sunshine-draw/2 (docs/protocol.md). This file is derived from the signed files (§13.4).",
        "",
        f"Applicants:      {manifest['applicants']['count']}",
        f"Applicant root:  {manifest['applicants']['root']}",
        f"Manifest digest: {digests['manifest']}",
        f"Key fingerprint: {manifest['signing_key']['fingerprint']}",
        f"Pin:             {pin}",
        f"Seed:            {seed}",
        f"Results digest:  {digests['results']}",
        "",
        *README_FILES_TEXT,
    ]
    return "".join(line + "\n" for line in lines).encode("utf-8")


def check_readme(found: bytes, derived: bytes) -> None:
    """§13.4: `README.txt` is the derived text, byte for byte; the first other line is shown."""
    pairs = zip_longest(derived.split(b"\n"), found.split(b"\n"), fillvalue=b"")
    for number, (wanted, line) in enumerate(pairs, start=1):
        if wanted != line:
            shown = [text[:120].decode("utf-8", "replace") for text in (wanted, line)]
            raise CheckFailed("readme_differs", line=number, expected=shown[0], found=shown[1])
