"""The public announcement list (公示名单), PDF: per school the plan, the admitted list, the
waitlist in order, counts per tier and the cutoff (protocol §10.6-§10.8, §12.2), under a notice
a bureau posts: the 公示 date, the objection deadline and contact, a QR code and short link to
the look-up page with the pins a family checks there (manifest digest, key fingerprint and pin,
§6.4, §12.4, §12.6), how the seed was fixed (the checkpoint's time and co-signatures, the
beacon statement, §7.7), and the area for the bureau's seal.

One language per document: Chinese to post (`language="zh"`), English separately (`"en"`).
Only public data is printed: application numbers, masked names and ID numbers (§4.1, §13.2).
The draw's other digests and the verify command belong to the draw record.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from api.documents.errors import InvalidDocumentInput
from api.documents.marks import QrCode, seal_area
from api.documents.messages import (
    DEFAULT_ZONE,
    check_language,
    local_date,
    local_time,
    mode_word,
    seat_word,
    status_word,
    words,
)
from api.documents.pdf import (
    FONT,
    build_pdf,
    check_time,
    heading,
    hex_text,
    list_table,
    paragraph,
    text,
)
from api.documents.public_lists import DrawFacts, PublicLists, SchoolList, public_lists
from lottery import Bundle

__all__ = ["Notice", "announcement_parts", "announcement_pdf", "ceremony_text", "notice_block"]


@dataclass(frozen=True)
class Notice:
    """What the bureau adds to a posted list: when it is posted (§1.5 time), until when
    objections are taken, whom to contact, and the look-up page's short link. An empty field
    prints as a line to fill in by hand."""

    posted_at: str | None = None
    objection_deadline: str | None = None
    contact: str = ""
    lookup_url: str = ""


_BLANK = "____________________"


def _grouped(value: str) -> str:
    """A digest in groups of 8, as a person reads it out."""
    return " ".join(value[i : i + 8] for i in range(0, len(value), 8))


def notice_block(facts: DrawFacts, notice: Notice, *, language: str, zone: str) -> list[Flowable]:
    """The notice's head: dates, contact, look-up code and link with the pins."""
    w = words(language)
    c, g = w["colon"], w["gap"]
    when = _BLANK if notice.posted_at is None else local_time(notice.posted_at, language, zone)
    until = (
        _BLANK
        if notice.objection_deadline is None
        else local_time(notice.objection_deadline, language, zone)
    )
    lines = [
        f"{text(w['authority'])}{c}{text(facts.authority)}{g}{text(w['draw'])}{c}{text(facts.draw_id)}",
        f"{text(w['mode'])}{c}{text(mode_word(facts.mode, language))}{g}"
        f"{text(w['applicants'])}{c}{facts.applicant_count}{g}"
        f"{text(w['sealed_at'])}{c}{text(local_time(facts.sealed_at, language, zone))}",
        f"{text(w['posted_at'])}{c}{text(when)}{g}{text(w['deadline'])}{c}{text(until)}",
        f"{text(w['contact'])}{c}{text(notice.contact.strip() or _BLANK)}",
    ]
    story: list[Flowable] = [paragraph("<br/>".join(lines))]
    check = [
        f"{text(w['lookup'])} {hex_text(notice.lookup_url or _BLANK)}",
        text(w["lookup_how"]),
        f"{text(w['pins'])}{c}",
        f"{text(w['manifest_digest'])}{g}{hex_text(_grouped(facts.manifest_digest))}",
        f"{text(w['key_fingerprint'])}{g}{hex_text(_grouped(facts.key_fingerprint))}",
        f"{text(w['pin'])}{g}{hex_text(facts.pin)}",
        text(w["privacy"]),
    ]
    body = paragraph("<br/>".join(check), "small")
    if notice.lookup_url:
        box = Table([[QrCode(notice.lookup_url), body]], colWidths=[30 * mm, None])
    else:
        box = Table([[body]])
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.4, "#999999"),
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story += [Spacer(1, 4), box, Spacer(1, 4), paragraph(ceremony_text(facts, language, zone))]
    return story


def ceremony_text(facts: DrawFacts, language: str, zone: str) -> str:
    """One paragraph on how the seed was fixed: the checkpoint's time and co-signatures, the
    beacon statement (source, round, value, primary or fallback) and its co-signatures (§7.4,
    §7.5, §7.7), as markup."""
    w, c = words(language), facts.ceremony
    lines = [
        text(
            w["c_checkpoint"].format(
                at=local_time(c.closed_at, language, zone),
                revealed=c.revealed,
                witnesses=c.witnesses,
                signed=c.checkpoint_cosignatures,
            )
        ),
        text(
            w["c_beacon"].format(
                used=w[f"c_used_{c.beacon_used}"],
                source=c.beacon_source,
                round=c.beacon_round,
                signed=c.beacon_cosignatures,
            )
        )
        + hex_text(c.beacon_value),
    ]
    if c.beacon_proof:
        lines.append(text(w["c_proof"]))
    return "<br/>".join(lines)


def _school_summary(school: SchoolList, language: str) -> str:
    w = words(language)
    c, g = w["colon"], w["gap"]
    none = text(w["none"])
    tiers = "；".join(f"{text(label)} {n}" for _, label, n in school.by_tier) or none
    reserved = "；".join(
        f"{text(label)} {used}/{seats}" for _, label, seats, used in school.reserved
    )
    lines = [
        f"{text(w['plan'])} {school.seats}{g}{text(w['admitted'])} {school.admitted_count}{g}"
        f"{text(w['waitlist'])} {len(school.waitlist)}",
        f"{text(w['per_tier'])}{c}{tiers}",
    ]
    if reserved:
        lines.append(f"{text(w['reserved_used'])}{c}{reserved}")
    for line in school.cutoff_lines(language):  # §10.8: open first, then each reserved
        value = text(line.value)
        if line.number is not None:
            value = text(line.value.removesuffix(line.number)) + hex_text(line.number)
        lines.append(f"{text(line.title)}{c}{value}")
        if line.note is not None:
            lines.append(text(line.note))
    return "<br/>".join(lines)


def _school_section(
    school: SchoolList, categories: dict[str, str], *, multiple: bool, language: str
) -> list[Flowable]:
    w = words(language)
    number = w["number_here"] if multiple else w["lottery_number"]
    header = (w["no"], w["application"], w["name"], w["id_number"], number, w["tier"], w["seat"])
    story: list[Flowable] = [
        KeepTogether(
            [
                heading(f"{school.name}（{school.school_id}）"),
                paragraph(_school_summary(school, language)),
                heading(w["admitted_list"], style="h2"),
            ]
        )
    ]
    admitted = [
        (n, a.application, a.masked_name, a.masked_id, a.school_number, a.tier_label,
         seat_word(a.label, categories, language))
        for n, a in enumerate(school.admitted, start=1)
    ]  # fmt: skip
    story += list_table(header, admitted, mono_columns=(4,))
    if school.waitlist:
        story.append(heading(w["waitlist_list"], style="h2"))
        waiting = [
            (a.position, a.application, a.masked_name, a.masked_id, a.school_number,
             a.tier_label)
            for a in school.waitlist
        ]  # fmt: skip
        story += list_table((w["position"], *header[1:-1]), waiting, mono_columns=(4,))
    return story


def _story(
    lists: PublicLists, categories: dict[str, str], notice: Notice, language: str, zone: str
) -> list[Flowable]:
    facts, w = lists.facts, words(language)
    totals = w["gap"].join(f"{text(status_word(s, language))} {n}" for s, n in lists.status_counts)
    story: list[Flowable] = [
        paragraph(text(facts.title), "title"),
        paragraph(text(w["announcement"]), "subtitle"),
        Spacer(1, 4),
        *notice_block(facts, notice, language=language, zone=zone),
        paragraph(f"{text(w['totals'])}{w['colon']}{totals}"),
    ]
    if facts.has_actions:
        story.append(paragraph(text(w["draw_day_note"])))
    multiple = facts.tie_breaking == "multiple"
    if multiple:
        story.append(paragraph(text(w["multiple"])))
    for school in lists.schools:
        story += _school_section(school, categories, multiple=multiple, language=language)
    date = facts.sealed_at if notice.posted_at is None else notice.posted_at
    story += [
        Spacer(1, 10),
        seal_area(facts.authority, local_date(date, language, zone), w["seal"]),
    ]
    return story


def _checked_notice(notice: Notice | None, language: str) -> Notice:
    check_language(language)
    notice = notice or Notice()
    for field in ("posted_at", "objection_deadline"):
        value = getattr(notice, field)
        if value is not None:
            check_time(value, field)
    return notice


def _render(
    bundle: Bundle, lists: PublicLists, notice: Notice, language: str, zone: str, part: str
) -> bytes:
    categories = {c.id: c.label for c in bundle.manifest.rules.categories}
    facts, w = lists.facts, words(language)
    identity = "\x00".join(
        ["announcement", language, zone, facts.results_digest, repr(notice), part]
    ).encode("utf-8")
    return build_pdf(
        _story(lists, categories, notice, language, zone),
        title=f"{facts.title} {w['announcement']}",
        footer=f"{facts.draw_id} · {facts.results_digest[:16]}{part and ' · ' + part}",
        created_at=notice.posted_at or facts.sealed_at,
        identity=identity,
        page_words=(w["page"], w["pages"]),
    )


def announcement_pdf(
    bundle: Bundle,
    *,
    notice: Notice | None = None,
    language: str = "zh",
    zone: str = DEFAULT_ZONE,
) -> bytes:
    """The announcement list of a read bundle (`lottery.read_bundle`), as PDF bytes, in one
    `language` with times in the local `zone`.

    Raises `UnmaskedPersonalData` (and prints nothing) if any listed record is not masked, and
    `InvalidDocumentInput` for a bad language, zone or time.
    """
    notice = _checked_notice(notice, language)
    return _render(bundle, public_lists(bundle), notice, language, zone, "")


def announcement_parts(
    bundle: Bundle,
    *,
    notice: Notice | None = None,
    language: str = "zh",
    zone: str = DEFAULT_ZONE,
    max_lines: int = 30_000,
) -> Iterator[tuple[int, bytes]]:
    """The announcement in parts of whole schools, each of at most `max_lines` listed
    children (a school longer than that is a part alone): `(part number, PDF bytes)` from 1.
    A city's list is posted per district or school, and one file of thousands of pages helps
    nobody. Each part carries the notice head and the seal area. Raises like
    `announcement_pdf`."""
    notice = _checked_notice(notice, language)
    if max_lines < 1:
        raise InvalidDocumentInput(f"max_lines: {max_lines} must be at least 1")
    lists = public_lists(bundle)
    groups: list[list[SchoolList]] = [[]]
    lines = 0
    for school in lists.schools:
        size = len(school.admitted) + len(school.waitlist)
        if groups[-1] and lines + size > max_lines:
            groups.append([])
            lines = 0
        groups[-1].append(school)
        lines += size
    for n, group in enumerate(groups, start=1):
        part = dataclasses.replace(lists, schools=tuple(group))
        yield n, _render(bundle, part, notice, language, zone, f"{n}/{len(groups)}")
