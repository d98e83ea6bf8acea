"""The family's result letter (录取/派位结果通知书), PDF, one child or many.

The letter goes only to the family, so it carries the child's name and receipt code, which are
passed in explicitly and never read from the bundle (protocol §4.3, §13.2). Everything else
comes from the public bundle: the lottery number (§8.2), the outcome (§10.7), and for each
listed school the child's tier there, the number used there (§8.3), the cutoff (§10.8) and the
waitlist position (§10.6), the same values the verifier prints to a parent.

A bundle with post-draw actions (§14) gives the outcome and waitlist positions as they stand
after them, as the parent look-up and the verifier do, says how many actions it includes and
up to when, and what the draw day gave where that differs; tiers, numbers and cutoffs stay the
draw day's. Without actions the letter is the draw day's alone.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer

from api.documents.after_actions import after_actions
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

__all__ = ["LetterRecipient", "result_letter_files", "result_letter_pdf", "result_letters_pdf"]


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
        self.after = after_actions(bundle)


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


def _school_results(
    listed: Sequence[str],
    *,
    school: str | None,
    label: str | None,
    positions: Mapping[str, int],
    removed: bool,
    categories: Mapping[str, str],
) -> list[str]:
    """The result at each listed school, in the family's order, for one assignment: the draw
    day's or the one after the actions (§10.6: a school after the one the child got was not
    needed, and has no waitlist place; §14.1: a removed child is nowhere)."""
    results, reached = [], False
    for school_id in listed:
        if removed:
            result = "已移出 removed"
        elif school == school_id:
            result, reached = "录取 admitted, " + label_text(label, categories), True
        elif reached:
            result = "已录取前一志愿 admitted to an earlier choice"
        elif school_id in positions:
            result = f"候补第 {positions[school_id]} 位 waitlist position"
        else:
            result = "未录取 not admitted"
        results.append(result)
    return results


def _choices(draw: _Draw, record: PublicRecord) -> list[_Choice]:
    """One line per listed school, in the family's order; after actions, the result now and,
    where it differs, the draw day's."""
    row = draw.rows[record.application]
    members = draw.groups[record.group] if record.group is not None else [record]
    listed = list(record.preferences)
    if draw.bundle.manifest.rules.mode == "zone_assignment":
        listed = [str(row[3])] if row[3] is not None else []
    drawn = _school_results(
        listed,
        school=None if row[3] is None else str(row[3]),
        label=None if row[4] is None else str(row[4]),
        positions={
            s: draw.positions[s][record.application]
            for s in listed
            if record.application in draw.positions[s]
        },
        removed=False,
        categories=draw.categories,
    )
    results = drawn
    if draw.after is not None:
        child = draw.after.children[record.application]
        now = _school_results(
            listed,
            school=child.school,
            label=child.label,
            positions=dict(child.waitlist),
            removed=child.removed_by is not None,
            categories=draw.categories,
        )
        results = [
            n if n == d else f"{n}（摇号当天 draw day: {d}）"
            for n, d in zip(now, drawn, strict=True)
        ]
    choices = []
    for school_id, result in zip(listed, results, strict=True):
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
        choices.append(
            _Choice(f"{school.name} ({school_id})", tier_label, number, cutoff_text, result)
        )
    return choices


def _cell(value: str) -> Paragraph:
    """A table cell that wraps."""
    return paragraph(text(value), "small")


def _seat_text(draw: _Draw, status: str, school_id: object, label: object) -> str:
    if status == "admitted":
        school = draw.schools[str(school_id)]
        return f"{STATUS_TEXT[status]}：{text(school.name)} ({text(school.id)})，{text(label_text(str(label), draw.categories))}"
    return text(STATUS_TEXT[status])


def _outcome_text(draw: _Draw, record: PublicRecord) -> str:
    """The outcome (§10.7); after actions, the one now, how the child got there or left the
    draw (§14.1, §14.2), and the draw day's where it differs."""
    row = draw.rows[record.application]
    drawn = _seat_text(draw, str(row[2]), row[3], row[4])
    if draw.after is None:
        return f"结果 Outcome: {drawn}"
    child = draw.after.children[record.application]
    now = _seat_text(draw, child.status, child.school, child.label)
    lines = [f"结果 Outcome: {now}"]
    if child.status == "admitted" and child.moved_by is not None:
        lines[0] += (
            f"（第 {child.moved_by} 项递补操作从候补名单递补 filled from the waitlist by "
            f"post-draw action {child.moved_by}）"
        )
    if child.removed_by is not None:
        lines.append(
            f"已于第 {child.removed_by} 项递补操作移出本次摇号：不占学位，不在任何候补名单 "
            f"(removed from the draw by post-draw action {child.removed_by}: holds no seat and "
            "is on no waitlist, protocol §14.1)"
        )
    if now != drawn:
        lines.append(f"摇号当天结果 Draw-day outcome: {drawn}")
    return "<br/>".join(lines)


def _actions_note(draw: _Draw) -> list[Flowable]:
    """What the letter includes of the bundle's post-draw actions (§14)."""
    if draw.after is None:
        return []
    count, last_at = draw.after.count, text(draw.after.last_at)
    return [
        Spacer(1, 4),
        paragraph(
            f"本通知书已计入数据包中截至 {last_at} 的 {count} 项发布后递补操作（放弃、资格复核"
            "未通过空出的学位按候补名单依次递补，协议 §14）：结果和候补位次为递补后的；类别、号码和"
            f"截止仍为摇号当天的 (this letter includes the bundle's {count} post-draw "
            f"action(s) up to {last_at}: declines and disqualifications, the seats they freed "
            "filled from the waitlists in order, protocol §14. The outcome and waitlist "
            "positions are as they stand after them; tiers, numbers and cutoffs are the draw "
            "day's)."
        ),
    ]


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
        "截止 Cutoff (tier / no.)" if draw.after is None else "摇号当天截止 Draw-day cutoff",
        "结果 Result",
    )
    digests = [paragraph("数据包摘要 results digest: " + hex_text(facts.results_digest), "small")]
    if draw.after is not None:
        digests.append(
            paragraph("递补记录摘要 actions digest: " + hex_text(draw.after.digest), "small")
        )
    return [
        paragraph(text(facts.title), "title"),
        paragraph("录取/派位结果通知书 Result letter", "subtitle"),
        Spacer(1, 8),
        paragraph(
            f"{name} 同学家长：<br/>报名号 Application: {text(record.application)}　"
            f"摇号号码 Lottery number: {hex_text(str(row[1]))}<br/>"
            f"{_outcome_text(draw, record)}"
        ),
        *_actions_note(draw),
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
        *digests,
    ]


def result_letters_pdf(bundle: Bundle, recipients: Sequence[LetterRecipient]) -> bytes:
    """Letters for many families in one PDF, one letter per page, in the order given.

    Every recipient is checked before anything is rendered: an unknown application or a name
    that does not fit the record raises (`UnknownApplication`, `LetterDataMismatch`).
    """
    return _letters_pdf(_Draw(bundle), recipients)


def result_letter_files(
    bundle: Bundle, recipients: Sequence[LetterRecipient], *, per_file: int = 2000
) -> Iterator[tuple[int, bytes]]:
    """Letters in bulk: `(first index, PDF bytes)` for each run of `per_file` recipients, the
    draw's indexes (and the replay of its actions) built once, every recipient checked before
    the first file is made. Memory stays bounded by one file."""
    if per_file < 1:
        raise InvalidDocumentInput(f"per_file: {per_file} must be at least 1")
    draw = _Draw(bundle)
    for recipient in recipients:
        _checked_recipient(draw, recipient)
    for start in range(0, len(recipients), per_file):
        yield start, _letters_pdf(draw, recipients[start : start + per_file])


def _letters_pdf(draw: _Draw, recipients: Sequence[LetterRecipient]) -> bytes:
    if not recipients:
        raise InvalidDocumentInput("recipients: the list is empty; give at least one family")
    story: list[Flowable] = []
    for n, recipient in enumerate(recipients):
        if n:
            story.append(PageBreak())
        story += _letter(draw, recipient)
    # After actions the letter is another document, of the time of the last action it includes.
    digests = [draw.facts.results_digest] + ([] if draw.after is None else [draw.after.digest])
    identity = "\x00".join(["letters", *digests, *(r.application for r in recipients)])
    return build_pdf(
        story,
        title=f"{draw.facts.title} 结果通知书",
        footer=f"{draw.facts.draw_id} 结果通知书 result letter",
        created_at=draw.facts.sealed_at if draw.after is None else draw.after.last_at,
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
