"""Every public document of a draw, by file name, from its read bundle alone: what the CLI,
the routes and `lottery demo` write, and what anyone can rebuild from a published bundle.

The file names are fixed (`PUBLIC_FILES`); the bytes depend only on the bundle and the
arguments (the notice, the printing time and place), never on the clock.

The signed bundle index (protocol §13.5) pins each public document: `document_digests` gives
each document's SHA-256 by name, and `document_entries` the index's `documents` entries
(name, title, bytes, SHA-256, by name in byte order). The sealing announcement is among the
documents: the copy printed at sealing has the same bytes (it depends on the manifest alone),
so the notary's copy can be checked against the index.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from api.documents.announcement import Notice, announcement_parts
from api.documents.draw_record import draw_record_pdf
from api.documents.errors import InvalidDocumentInput
from api.documents.messages import DEFAULT_ZONE
from api.documents.notices import after_actions_pdf
from api.documents.public_csv import results_csv
from api.documents.sealing import sealing_announcement_pdf, sealing_facts
from api.documents.spreadsheet import results_xlsx
from lottery import Bundle, pin, tagged_hash

__all__ = [
    "AFTER_ACTIONS_FILE",
    "MAX_INDEXED_DOCUMENTS",
    "PUBLIC_FILES",
    "RecordDetails",
    "document_digests",
    "document_entries",
    "document_title",
    "public_documents",
]

PUBLIC_FILES = (
    "公示名单.pdf",
    "announcement-en.pdf",
    "摇号过程记录.pdf",
    "draw-record-en.pdf",
    "录取结果.xlsx",
    "录取结果.csv",
    "封存公告.pdf",
    "sealing-announcement-en.pdf",
    "check.js",
)
# The family's in-browser check (issue 15): one static file, listed in the signed index so that
# a notary, a newspaper or a parent can host a copy and know it is the one the bureau served.
CHECK_SCRIPT = Path(__file__).resolve().parents[1] / "pages" / "static" / "check.js"
_TITLES = {
    "公示名单": "摇号结果公示名单",
    "announcement-en": "Public announcement of the draw results",
    "摇号过程记录": "摇号过程记录",
    "draw-record-en": "Record of the draw",
    "录取结果": "录取结果",
    "封存公告": "封存公告",
    "sealing-announcement-en": "Sealing announcement",
    "递补公示": "递补结果公示",
    "check": "家长自行核对网页脚本 / the family's in-browser check",
}
MAX_INDEXED_DOCUMENTS = 64  # §13.5

AFTER_ACTIONS_FILE = "递补公示.pdf"  # when the bundle has post-draw actions
MAX_LINES_PER_FILE = 30_000  # a longer announcement is written in parts of whole schools


@dataclass(frozen=True)
class RecordDetails:
    """What the draw record adds to the bundle: when and where it is printed, who was there."""

    printed_at: str
    place: str
    witnesses_present: tuple[str, ...] = ()


def public_documents(
    bundle: Bundle,
    *,
    notice: Notice,
    record: RecordDetails,
    zone: str = DEFAULT_ZONE,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, bytes]:
    """The public documents of the bundle, by file name (`PUBLIC_FILES`, and the 递补公示
    `AFTER_ACTIONS_FILE` when it has post-draw actions; an announcement of more than
    `MAX_LINES_PER_FILE` lines comes in numbered parts).

    Raises a `DocumentError` (and makes nothing) if a record is not masked, the post-draw
    actions do not check out, or an argument is malformed.
    """
    makers: Sequence[tuple[str, Callable[[], bytes]]] = (
        (PUBLIC_FILES[2], lambda: _record(bundle, record, "zh", zone)),
        (PUBLIC_FILES[3], lambda: _record(bundle, record, "en", zone)),
        (PUBLIC_FILES[4], lambda: results_xlsx(bundle)),
        (PUBLIC_FILES[5], lambda: results_csv(bundle)),
        (PUBLIC_FILES[6], lambda: _sealing(bundle, "zh", zone)),
        (PUBLIC_FILES[7], lambda: _sealing(bundle, "en", zone)),
        (PUBLIC_FILES[8], CHECK_SCRIPT.read_bytes),
    )
    if "actions.json" in bundle.files:
        makers = (
            *makers,
            (AFTER_ACTIONS_FILE, lambda: after_actions_pdf(bundle, notice=notice, zone=zone)),
        )
    documents: dict[str, bytes] = {}
    for language, name in (("zh", PUBLIC_FILES[0]), ("en", PUBLIC_FILES[1])):
        progress(name)
        documents |= _announcements(bundle, notice, language, zone, name)
    for name, make in makers:
        progress(name)
        documents[name] = make()
    return documents


def _announcements(
    bundle: Bundle, notice: Notice, language: str, zone: str, name: str
) -> dict[str, bytes]:
    """One file, or for a city-sized draw parts of whole schools (`公示名单-1.pdf`, ...)."""
    parts = list(
        announcement_parts(
            bundle, notice=notice, language=language, zone=zone, max_lines=MAX_LINES_PER_FILE
        )
    )
    if len(parts) == 1:
        return {name: parts[0][1]}
    stem, suffix = name.rsplit(".", 1)
    return {f"{stem}-{n}.{suffix}": data for n, data in parts}


def _record(bundle: Bundle, record: RecordDetails, language: str, zone: str) -> bytes:
    return draw_record_pdf(
        bundle,
        witnesses_present=list(record.witnesses_present),
        place=record.place,
        printed_at=record.printed_at,
        language=language,
        zone=zone,
    )


def _sealing(bundle: Bundle, language: str, zone: str) -> bytes:
    """The sealing announcement (§12.6) from the bundle's manifest: the same bytes as the copy
    printed at sealing (no page address, which the bundle does not know)."""
    manifest = json.loads(bundle.files["manifest.json"])
    digest = tagged_hash("manifest", bundle.files["manifest.json"])
    code = pin(digest, bundle.manifest.signing_key.fingerprint)
    facts = sealing_facts(manifest, manifest_digest=digest.hex(), pin=code)
    return sealing_announcement_pdf(facts, language=language, zone=zone)


def document_digests(documents: dict[str, bytes]) -> dict[str, str]:
    """SHA-256 of each document, by name: what the signed bundle index pins (§13.5; a PDF
    signature would not be checked by common readers)."""
    return {name: hashlib.sha256(data).hexdigest() for name, data in sorted(documents.items())}


def document_title(name: str) -> str:
    """A public document's title for the index, from its file name (parts `-1` share it)."""
    stem = name.rsplit(".", 1)[0]
    base = stem.rsplit("-", 1)[0] if stem.rsplit("-", 1)[-1].isdigit() else stem
    return _TITLES.get(base, stem)


def document_entries(documents: dict[str, bytes]) -> list[dict[str, object]]:
    """The signed index's `documents` (§13.5): one `{"name", "title", "bytes", "sha256"}` per
    document, strictly increasing by name in byte order. Raises `InvalidDocumentInput` for more
    than 64 documents, which the index does not allow."""
    if len(documents) > MAX_INDEXED_DOCUMENTS:
        raise InvalidDocumentInput(
            f"documents: {len(documents)} public documents, the index holds at most "
            f"{MAX_INDEXED_DOCUMENTS} (§13.5); publish the announcement in fewer parts"
        )
    return [
        {
            "name": name,
            "title": document_title(name),
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        for name, data in sorted(documents.items(), key=lambda item: item[0].encode("utf-8"))
    ]
