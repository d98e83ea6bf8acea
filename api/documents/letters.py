"""The family's result letter (录取/派位结果通知书), PDF, one child or many.

The letter goes only to the family, so it carries the child's name and receipt code, which are
passed in explicitly and never read from the bundle (protocol §4.3, §13.2). Everything else
comes from the public bundle: the lottery number (§8.2), the outcome (§10.7), and for each
listed school the child's tier there, the number used there (§8.3), the cutoff (§10.8) and the
waitlist position (§10.6), the same values the verifier prints to a parent.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer

from api.documents.errors import InvalidDocumentInput, LetterDataMismatch, UnknownApplication
from api.documents.pdf import build_pdf, hex_text, list_table, paragraph, text
from api.documents.public_lists import draw_facts, school_number, unit_tier
from api.documents.wording import STATUS_TEXT, label_text, verify_parent_command
from api.importing.masking import mask_name as service_mask_name
from lottery import (
    Bundle,
    InvalidRecord,
    PrivateRecord,
    PublicRecord,
    format_receipt,
    mask_name,
    private_digest,
)
from lottery import normalise_receipt as engine_normalise_receipt

__all__ = ["LetterRecipient", "result_letter_pdf", "result_letters_pdf"]


@dataclass(frozen=True)
class LetterRecipient:
    """The private data of one letter: never published (§4.3)."""

    application: str
    name: str
    receipt_code: str
    id_number: str | None = None  # if given, the private digest is checked (§4.3)


@dataclass(frozen=True)
class _Choice:
    school: str
    tier: str
    number: str
    cutoff: str
    outcome: str


class _Draw:
    """Indexes over one bundle, built once for a batch of letters."""

    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        self.facts = draw_facts(bundle)
        self.records = {r.application: r for r in bundle.records}
        self.rows = {str(row[0]): row for row in bundle.results["applicants"]}
        self.schools = {s.id: s for s in bundle.manifest.rules.schools}
        self.entries = {str(e["id"]): e for e in bundle.results["schools"]}
        self.categories = {c.id: c.label for c in bundle.manifest.rules.categories}
        self.groups: dict[str, list[PublicRecord]] = {}
        for record in bundle.records:
            if record.group is not None:
                self.groups.setdefault(record.group, []).append(record)
        self.positions = {
            school: {str(a): n for n, a in enumerate(entry["waitlist"], start=1)}
            for school, entry in self.entries.items()
        }


def _checked_recipient(draw: _Draw, recipient: LetterRecipient) -> tuple[PublicRecord, str]:
    """The child's public record and normalised receipt code; the name must fit the mask."""
    record = draw.records.get(recipient.application)
    if record is None:
        raise UnknownApplication(
            f"application {recipient.application!r} is not in draw {draw.facts.draw_id}"
        )
    where = f"application {recipient.application}"
    name = unicodedata.normalize("NFC", recipient.name.strip())
    if not name:
        raise LetterDataMismatch(f"{where}: name is empty")
    if record.masked_name not in (mask_name(name), _service_mask(name)):
        raise LetterDataMismatch(
            f"{where}: the name given does not fit the published masked name "
            f"{record.masked_name} (wrong letter or misspelt name)"
        )
    try:
        receipt = engine_normalise_receipt(recipient.receipt_code)
    except InvalidRecord:
        raise LetterDataMismatch(
            f"{where}: receipt_code is not 16 Crockford base-32 characters (§4.3)"
        ) from None
    if recipient.id_number is not None:
        _check_private_digest(record, name, recipient.id_number, receipt)
    return record, receipt


def _check_private_digest(record: PublicRecord, name: str, id_number: str, receipt: str) -> None:
    """The name, ID number and receipt code must give the record's private digest (§4.3)."""
    where = f"application {record.application}"
    try:
        private = PrivateRecord(
            application=record.application, id_number=id_number, name=name, receipt=receipt
        )
    except InvalidRecord:
        raise LetterDataMismatch(f"{where}: id_number is not 17 digits and a digit or X") from None
    if private_digest(private) != record.private_digest:
        raise LetterDataMismatch(
            f"{where}: name, ID number and receipt code do not give the sealed private digest "
            f"{record.private_digest[:16]}... (§4.3)"
        )


def _service_mask(name: str) -> str:
    try:
        return service_mask_name(name)
    except ValueError:
        return ""


def _choices(draw: _Draw, record: PublicRecord) -> list[_Choice]:
    """One line per listed school, in the family's order (§10.6: a school after the one the
    child got was not needed, and has no waitlist place)."""
    row = draw.rows[record.application]
    members = draw.groups[record.group] if record.group is not None else [record]
    listed = list(record.preferences)
    if draw.bundle.manifest.rules.mode == "zone_assignment":
        listed = [str(row[3])] if row[3] is not None else []
    choices, reached = [], False
    for school_id in listed:
        school, entry = draw.schools[school_id], draw.entries[school_id]
        _, tier_label = unit_tier(record, school, members)
        number = str(row[1])
        if draw.facts.tie_breaking == "multiple":
            number = school_number(draw.bundle, record, school_id)
        cutoff = entry["cutoff"]
        cutoff_text = "—"
        if isinstance(cutoff, dict):
            tier_labels = {t.id: t.label for t in school.tiers}
            cutoff_text = f"{tier_labels[cutoff['tier']]} / {cutoff['lottery_number']}"
        if row[3] == school_id:
            outcome, reached = "录取 admitted, " + label_text(str(row[4]), draw.categories), True
        elif reached:
            outcome = "已录取前一志愿 admitted to an earlier choice"
        elif record.application in draw.positions[school_id]:
            outcome = f"候补第 {draw.positions[school_id][record.application]} 位 waitlist position"
        else:
            outcome = "未录取 not admitted"
        choices.append(
            _Choice(f"{school.name} ({school_id})", tier_label, number, cutoff_text, outcome)
        )
    return choices


def _cell(value: str) -> Paragraph:
    """A table cell that wraps."""
    return paragraph(text(value), "small")


def _outcome_text(draw: _Draw, record: PublicRecord) -> str:
    row = draw.rows[record.application]
    status = str(row[2])
    if status == "admitted":
        school = draw.schools[str(row[3])]
        return f"{STATUS_TEXT[status]}：{text(school.name)} ({text(school.id)})，{text(label_text(str(row[4]), draw.categories))}"
    return text(STATUS_TEXT[status])


def _letter(draw: _Draw, recipient: LetterRecipient) -> list[Flowable]:
    record, receipt = _checked_recipient(draw, recipient)
    facts, row = draw.facts, draw.rows[record.application]
    name = text(unicodedata.normalize("NFC", recipient.name.strip()))
    rows = [
        (_cell(c.school), _cell(c.tier), c.number, _cell(c.cutoff), _cell(c.outcome))
        for c in _choices(draw, record)
    ]
    header = (
        "学校 School",
        "类别 Your tier",
        "号码 Number used",
        "截止 Cutoff (tier / no.)",
        "结果 Result",
    )
    return [
        paragraph(text(facts.title), "title"),
        paragraph("录取/派位结果通知书 Result letter", "subtitle"),
        Spacer(1, 8),
        paragraph(
            f"{name} 同学家长：<br/>报名号 Application: {text(record.application)}　"
            f"摇号号码 Lottery number: {hex_text(str(row[1]))}<br/>"
            f"结果 Outcome: {_outcome_text(draw, record)}"
        ),
        Spacer(1, 6),
        paragraph(
            "各志愿学校说明 Your schools: 每所学校先按类别（优先级）排序，同类别内按摇号号码从小到大排序；"
            "截止为该校最后一名录取者的类别和号码 (each school ranks by tier first, then by number, "
            "lowest first; the cutoff is the tier and number of the last child admitted)."
        ),
        *list_table(header, rows, (44, 24, 32, 38, 42), mono_columns=(2,)),
        Spacer(1, 8),
        paragraph(
            f"回执码 Receipt code: {hex_text(format_receipt(receipt))}　请妥善保管，勿告诉他人 "
            "(keep it private)."
        ),
        paragraph(
            "自行核对 Check it yourself: 在公开数据包上运行独立验证程序 (run the independent "
            "verifier on the public bundle, docs/verify.md):"
        ),
        paragraph(
            hex_text(verify_parent_command(record.application, format_receipt(receipt))), "small"
        ),
        paragraph("数据包摘要 results digest: " + hex_text(facts.results_digest), "small"),
    ]


def result_letters_pdf(bundle: Bundle, recipients: Sequence[LetterRecipient]) -> bytes:
    """Letters for many families in one PDF, one letter per page, in the order given.

    Every recipient is checked before anything is rendered: an unknown application or a name
    that does not fit the record raises (`UnknownApplication`, `LetterDataMismatch`).
    """
    if not recipients:
        raise InvalidDocumentInput("recipients: the list is empty; give at least one family")
    draw = _Draw(bundle)
    story: list[Flowable] = []
    for n, recipient in enumerate(recipients):
        if n:
            story.append(PageBreak())
        story += _letter(draw, recipient)
    identity = "\x00".join(
        ["letters", draw.facts.results_digest, *(r.application for r in recipients)]
    )
    return build_pdf(
        story,
        title=f"{draw.facts.title} 结果通知书",
        footer=f"{draw.facts.draw_id} 结果通知书 result letter",
        created_at=draw.facts.sealed_at,
        identity=identity.encode("utf-8"),
    )


def result_letter_pdf(
    bundle: Bundle,
    *,
    application: str,
    name: str,
    receipt_code: str,
    id_number: str | None = None,
) -> bytes:
    """One family's result letter, as PDF bytes (see `result_letters_pdf`). With `id_number`
    the name, ID number and receipt code are checked against the sealed digest (§4.3)."""
    recipient = LetterRecipient(
        application=application, name=name, receipt_code=receipt_code, id_number=id_number
    )
    return result_letters_pdf(bundle, [recipient])
