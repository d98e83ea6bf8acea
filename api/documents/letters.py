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
from typing import Any

from api.cutoff_words import CutoffLine, cutoff_lines
from api.documents.after_actions import after_actions
from api.documents.errors import InvalidDocumentInput, LetterDataMismatch, UnknownApplication
from api.documents.letter_page import LetterContent, letters_document
from api.documents.messages import (
    DEFAULT_ZONE,
    check_language,
    local_time,
    seat_word,
    status_word,
    words,
)
from api.documents.public_lists import draw_facts, school_number, unit_tier
from api.documents.wording import verify_parent_command
from api.importing.masking import mask_name as service_mask_name
from lottery import (
    Bundle,
    InvalidRecord,
    PrivateRecord,
    PublicRecord,
    School,
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
    notes: tuple[str, ...] = ()  # the passed-over sentences of this school's cutoffs


class _Draw:
    """Indexes over one bundle, built once for a batch of letters."""

    def __init__(self, bundle: Bundle, lookup_url: str = "", zone: str = DEFAULT_ZONE) -> None:
        self.bundle = bundle
        self.lookup_url = lookup_url
        self.zone = zone
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
    language: str,
) -> list[str]:
    """The result at each listed school, in the family's order, for one assignment: the draw
    day's or the one after the actions (§10.6: a school after the one the child got was not
    needed, and has no waitlist place; §14.1: a removed child is nowhere)."""
    w = words(language)
    results, reached = [], False
    for school_id in listed:
        if removed:
            result = w["r_removed"]
        elif school == school_id:
            result = w["r_admitted"].format(seat=seat_word(label, categories, language))
            reached = True
        elif reached:
            result = w["r_earlier"]
        elif school_id in positions:
            result = w["r_position"].format(n=positions[school_id])
        else:
            result = w["r_not"]
        results.append(result)
    return results


def _choices(draw: _Draw, record: PublicRecord, language: str) -> list[_Choice]:
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
        language=language,
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
            language=language,
        )
        then = words(language)["r_then"]
        results = [
            n if n == d else then.format(now=n, then=d) for n, d in zip(now, drawn, strict=True)
        ]
    choices = []
    for school_id, result in zip(listed, results, strict=True):
        school, entry = draw.schools[school_id], draw.entries[school_id]
        _, tier_label = unit_tier(record, school, members)
        number = str(row[1])
        if draw.facts.tie_breaking == "multiple":
            number = school_number(draw.bundle, record, school_id)
        lines = _cutoff_lines(draw, school, entry, language)
        separator = "；" if language == "zh" else "; "
        text = separator.join(f"{line.title}{_colon(language)}{line.value}" for line in lines)
        notes = tuple(f"{school.name}（{line.title}）：{line.note}" for line in lines if line.note)
        choices.append(
            _Choice(f"{school.name}（{school_id}）", tier_label, number, text or "—", result, notes)
        )
    return choices


def _colon(language: str) -> str:
    return "：" if language == "zh" else ": "


def _cutoff_lines(
    draw: _Draw, school: School, entry: dict[str, Any], language: str
) -> tuple[CutoffLine, ...]:
    """The school's cutoffs in words, one per seat label (§10.8)."""
    return cutoff_lines(
        language,
        entry["cutoffs"],
        tier_labels={t.id: t.label for t in school.tiers},
        categories=draw.categories,
    )


def _seat_text(draw: _Draw, status: str, school_id: object, label: object, language: str) -> str:
    if status == "admitted":
        school = draw.schools[str(school_id)]
        seat = seat_word(str(label), draw.categories, language)
        return words(language)["admitted_at"].format(school=school.name, id=school.id, seat=seat)
    return status_word(status, language)


def _outcome_lines(draw: _Draw, record: PublicRecord, language: str) -> list[str]:
    """The outcome (§10.7); after actions, the one now, how the child got there or left the
    draw (§14.1, §14.2), and the draw day's where it differs."""
    w = words(language)
    row = draw.rows[record.application]
    drawn = _seat_text(draw, str(row[2]), row[3], row[4], language)
    if draw.after is None:
        return [w["outcome"].format(outcome=drawn)]
    child = draw.after.children[record.application]
    now = _seat_text(draw, child.status, child.school, child.label, language)
    lines = [w["outcome"].format(outcome=now)]
    if child.status == "admitted" and child.moved_by is not None:
        lines[0] += w["moved_in"].format(seq=child.moved_by)
    if child.removed_by is not None:
        lines.append(w["removed_by"].format(seq=child.removed_by))
    if now != drawn:
        lines.append(w["draw_day_outcome"].format(outcome=drawn))
    return lines


def _letter(draw: _Draw, recipient: LetterRecipient, language: str) -> LetterContent:
    """What one letter says, as lines and table rows (data first; `letter_page` draws it)."""
    record, receipt = _checked_recipient(draw, recipient)
    w = words(language)
    facts, row = draw.facts, draw.rows[record.application]
    name = unicodedata.normalize("NFC", recipient.name.strip())
    cutoff = w["l_cutoff"] if draw.after is None else w["l_cutoff_draw_day"]
    header = (w["l_school"], w["l_tier"], w["l_number"], cutoff, w["l_result"])
    choices = _choices(draw, record, language)
    rows = [(c.school, c.tier, c.number, c.cutoff, c.outcome) for c in choices]
    notes = [note for c in choices for note in c.notes]
    intro = [
        w["dear"].format(name=name),
        w["letter_ids"].format(application=record.application, number=str(row[1])),
        *_outcome_lines(draw, record, language),
    ]
    if draw.after is not None:
        at = local_time(draw.after.last_at, language, draw.zone)
        intro.append(w["letter_actions"].format(count=draw.after.count, at=at))
    digests = [f"{w['results_digest']}: {facts.results_digest}"]
    if draw.after is not None:
        digests.append(f"{w['actions_digest']}: {draw.after.digest}")
    if draw.bundle.heads:  # the signed state this letter tells (§12.7): the last head's root
        head = draw.bundle.heads[-1]
        digests.append(f"{w['outcome_root'].format(seq=head['seq'])}: {head['outcomes']['root']}")
    return LetterContent(
        title=facts.title,
        subtitle=w["letter"],
        intro=tuple(intro),
        schools_note=" ".join([w["letter_schools"], *notes]),
        table=(header, *rows),
        receipt=w["receipt"].format(code=format_receipt(receipt)),
        lookup=w["letter_lookup"].format(url=draw.lookup_url or "____________"),
        verify=verify_parent_command(record.application, format_receipt(receipt)),
        pins=(
            f"{w['manifest_digest']}: {facts.manifest_digest}",
            f"{w['key_fingerprint']}: {facts.key_fingerprint}",
            *digests,
        ),
    )


def result_letters_pdf(
    bundle: Bundle,
    recipients: Sequence[LetterRecipient],
    *,
    language: str = "zh",
    lookup_url: str = "",
    zone: str = DEFAULT_ZONE,
) -> bytes:
    """Letters for many families in one PDF, one letter per page, in the order given.

    Every recipient is checked before anything is rendered: an unknown application or a name
    that does not fit the record raises (`UnknownApplication`, `LetterDataMismatch`).
    """
    check_language(language)
    return _letters_pdf(_Draw(bundle, lookup_url, zone), recipients, language)


def result_letter_files(
    bundle: Bundle,
    recipients: Sequence[LetterRecipient],
    *,
    per_file: int = 2000,
    language: str = "zh",
    lookup_url: str = "",
    zone: str = DEFAULT_ZONE,
) -> Iterator[tuple[int, bytes]]:
    """Letters in bulk: `(first index, PDF bytes)` for each run of `per_file` recipients, the
    draw's indexes (and the replay of its actions) built once, every recipient checked before
    the first file is made. Memory stays bounded by one file."""
    check_language(language)
    if per_file < 1:
        raise InvalidDocumentInput(f"per_file: {per_file} must be at least 1")
    draw = _Draw(bundle, lookup_url, zone)
    for recipient in recipients:
        _checked_recipient(draw, recipient)
    for start in range(0, len(recipients), per_file):
        yield start, _letters_pdf(draw, recipients[start : start + per_file], language)


def _letters_pdf(draw: _Draw, recipients: Sequence[LetterRecipient], language: str) -> bytes:
    if not recipients:
        raise InvalidDocumentInput("recipients: the list is empty; give at least one family")
    letters = [_letter(draw, recipient, language) for recipient in recipients]
    # After actions the letter is another document, of the time of the last action it includes.
    digests = [draw.facts.results_digest] + ([] if draw.after is None else [draw.after.digest])
    identity = "\x00".join(
        ["letters", language, draw.lookup_url, *digests, *(r.application for r in recipients)]
    )
    return letters_document(
        letters,
        title=f"{draw.facts.title} {words(language)['letter']}",
        footer=draw.facts.draw_id,
        created_at=draw.facts.sealed_at if draw.after is None else draw.after.last_at,
        identity=identity.encode("utf-8"),
        lookup_url=draw.lookup_url,
    )


def result_letter_pdf(
    bundle: Bundle,
    *,
    application: str,
    name: str,
    receipt_code: str,
    id_number: str | None = None,
    language: str = "zh",
) -> bytes:
    """One family's result letter, as PDF bytes (see `result_letters_pdf`). With `id_number`
    the name, ID number and receipt code are checked against the sealed digest (§4.3)."""
    recipient = LetterRecipient(
        application=application, name=name, receipt_code=receipt_code, id_number=id_number
    )
    return result_letters_pdf(bundle, [recipient], language=language)
