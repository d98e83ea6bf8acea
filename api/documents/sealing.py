"""The sealing announcement (封存公告), PDF: what the bureau publishes at sealing, before any
reveal, so that families and the notary hold the draw's pins (protocol §12.6, §19).

It names the draw and when it was sealed (local time), the manifest digest and the bureau's
key fingerprint (§6.4, §12.4), the 20-character pin in five groups of four, large, the beacon
registered and the local time its value is published (§7.2), and each witness with the
fingerprint of its key (§7.1). A sentence tells families to write the pin down and check it
with the verifier. The notary keeps the printed copy; the big screen and the draw's public
page show the same facts.

Data first: `sealing_facts` reads the signed manifest (as parsed JSON) into `SealingFacts`;
`sealing_announcement_pdf` lays it out, in one language per document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from api.documents.errors import InvalidDocumentInput
from api.documents.marks import QrCode, seal_area
from api.documents.messages import DEFAULT_ZONE, check_language, local_date, local_time, words
from api.documents.pdf import FONT, MONO, build_pdf, heading, hex_text, list_table, paragraph, text
from lottery import key_fingerprint

__all__ = [
    "SealingBeacon",
    "SealingFacts",
    "SealingWitness",
    "group_hex",
    "group_pin",
    "sealing_announcement_pdf",
    "sealing_facts",
]

_HEX64 = re.compile(r"[0-9a-f]{64}")
_PIN = re.compile(r"[0-9A-HJKMNP-TV-Z]{20}")  # the receipt alphabet of §4.3


@dataclass(frozen=True)
class SealingWitness:
    """A witness as the announcement names it: its key's fingerprint and its commitment."""

    id: str
    name: str
    fingerprint: str
    commitment: str


@dataclass(frozen=True)
class SealingBeacon:
    """A registered beacon value (§7.2): where it comes from and when it is published."""

    source: str
    round: str
    at: str


@dataclass(frozen=True)
class SealingFacts:
    """Everything the sealing announcement says, read from the signed manifest."""

    draw_id: str
    title: str
    authority: str
    sealed_at: str
    applicant_count: int
    manifest_digest: str
    key_fingerprint: str
    pin: str  # 20 characters, no hyphens (§12.6)
    beacon: SealingBeacon
    fallback: SealingBeacon | None
    witnesses: tuple[SealingWitness, ...]
    page_url: str = ""  # the draw's public announcement page, printed with a QR code


def group_hex(value: str, size: int = 8) -> str:
    """A digest in groups of `size`, as a person reads it out."""
    return " ".join(value[i : i + size] for i in range(0, len(value), size))


def group_pin(pin: str) -> str:
    """The pin in five groups of four with hyphens (§12.6)."""
    return "-".join(pin[i : i + 4] for i in range(0, len(pin), 4))


def _beacon(value: Mapping[str, Any]) -> SealingBeacon:
    return SealingBeacon(
        source=str(value["source"]), round=str(value["round"]), at=str(value["at"])
    )


def sealing_facts(
    manifest: Mapping[str, Any], *, manifest_digest: str, pin: str, page_url: str = ""
) -> SealingFacts:
    """The announcement's facts from a signed manifest (§6.1, parsed JSON), its digest (§6.4)
    and its pin (§12.6). Raises `InvalidDocumentInput` naming a malformed value."""
    if not _HEX64.fullmatch(manifest_digest):
        raise InvalidDocumentInput(f"manifest_digest: {manifest_digest!r} is not hex64")
    if not _PIN.fullmatch(pin):
        raise InvalidDocumentInput(
            f"pin: {pin!r} is not 20 characters of the receipt alphabet (§12.6)"
        )
    try:
        draw, beacon = manifest["draw"], manifest["beacon"]
        witnesses = tuple(
            SealingWitness(
                id=str(w["id"]),
                name=str(w["name"]),
                fingerprint=key_fingerprint(bytes.fromhex(w["public_key"])),
                commitment=str(w["commitment"]),
            )
            for w in manifest["witnesses"]
        )
        return SealingFacts(
            draw_id=str(draw["id"]),
            title=str(draw["title"]),
            authority=str(draw["authority"]),
            sealed_at=str(draw["sealed_at"]),
            applicant_count=int(manifest["applicants"]["count"]),
            manifest_digest=manifest_digest,
            key_fingerprint=str(manifest["signing_key"]["fingerprint"]),
            pin=pin,
            beacon=_beacon(beacon),
            fallback=None if beacon.get("fallback") is None else _beacon(beacon["fallback"]),
            witnesses=witnesses,
            page_url=page_url,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidDocumentInput(
            f"manifest: not a version 2 manifest (§6.1): missing or malformed {error}"
        ) from None


_PIN_STYLE = ParagraphStyle("pin", fontName=MONO, fontSize=26, leading=34, alignment=1)


def _identity_table(facts: SealingFacts, language: str, zone: str) -> Table:
    w = words(language)
    rows = [
        (w["authority"], text(facts.authority)),
        (w["draw"], text(f"{facts.title}（{facts.draw_id}）")),
        (w["sealed_at"], text(local_time(facts.sealed_at, language, zone))),
        (w["applicants"], text(str(facts.applicant_count))),
        (w["manifest_digest"], hex_text(group_hex(facts.manifest_digest))),
        (w["key_fingerprint"], hex_text(group_hex(facts.key_fingerprint))),
    ]
    body = [[paragraph(text(label), "cell"), paragraph(value, "cell")] for label, value in rows]
    return Table(
        body,
        colWidths=[40 * mm, None],
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        ),
    )


def _pin_box(facts: SealingFacts, language: str) -> Table:
    w = words(language)
    box = Table(
        [
            [paragraph(text(w["s_pin"]), "h2")],
            [Paragraph(group_pin(facts.pin), _PIN_STYLE)],
            [paragraph(text(w["s_pin_note"]), "body")],
        ],
        style=TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        ),
    )
    return box


def _beacon_lines(facts: SealingFacts, language: str, zone: str) -> list[Flowable]:
    w = words(language)
    story: list[Flowable] = [heading(w["s_beacon"], style="h2")]
    for label, beacon in ((w["s_primary"], facts.beacon), (w["s_fallback"], facts.fallback)):
        if beacon is None:
            continue
        described = w["s_beacon_text"].format(
            source=beacon.source, round=beacon.round, at=local_time(beacon.at, language, zone)
        )
        story.append(paragraph(f"{text(label)}{w['colon']}{text(described)}"))
    story.append(paragraph(text(w["s_beacon_note"]), "small"))
    return story


def _witness_table(facts: SealingFacts, language: str) -> list[Flowable]:
    w = words(language)
    rows = [
        (witness.id, witness.name, group_hex(witness.fingerprint, 16))
        for witness in facts.witnesses
    ]
    header = (w["s_witness_id"], w["s_witness_name"], w["s_witness_key"])
    return [
        heading(w["s_witnesses"], style="h2"),
        *list_table(header, rows, mono_columns=(2,)),
        paragraph(text(w["s_witness_note"]), "small"),
    ]


def _where(facts: SealingFacts, language: str) -> list[Flowable]:
    w = words(language)
    lines = [text(w["s_check"])]
    if facts.page_url:
        lines.append(f"{text(w['s_page'])}{w['colon']}{hex_text(facts.page_url)}")
    body = paragraph("<br/>".join(lines))
    if not facts.page_url:
        return [body]
    table = Table([[QrCode(facts.page_url, 24 * mm), body]], colWidths=[28 * mm, None])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return [table]


def sealing_announcement_pdf(
    facts: SealingFacts, *, language: str = "zh", zone: str = DEFAULT_ZONE
) -> bytes:
    """The sealing announcement as PDF bytes, in one `language` with times in the local
    `zone` (§12.6). Raises `InvalidDocumentInput` for a bad language, zone or time."""
    check_language(language)
    w = words(language)
    story: list[Flowable] = [
        paragraph(text(facts.title), "title"),
        paragraph(text(w["s_title"]), "subtitle"),
        Spacer(1, 6),
        paragraph(text(w["s_lead"])),
        Spacer(1, 4),
        _identity_table(facts, language, zone),
        Spacer(1, 8),
        _pin_box(facts, language),
        Spacer(1, 4),
        *_where(facts, language),
        *_beacon_lines(facts, language, zone),
        *_witness_table(facts, language),
        Spacer(1, 10),
        seal_area(facts.authority, local_date(facts.sealed_at, language, zone), w["seal"]),
    ]
    identity = "\x00".join(["sealing", language, zone, facts.manifest_digest, facts.page_url])
    return build_pdf(
        story,
        title=f"{facts.title} {w['s_title']}",
        footer=f"{facts.draw_id} · {group_pin(facts.pin)}",
        created_at=facts.sealed_at,
        identity=identity.encode("utf-8"),
        page_words=(w["page"], w["pages"]),
    )
